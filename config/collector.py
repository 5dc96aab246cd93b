"""The cyclic garbage collector's thresholds in server processes (``config.wsgi``, ``config.asgi``).

CPython starts a collection of the youngest generation whenever 700 more container objects
(dicts, lists, instances) are alive than at the last one. A list page holds a few thousand at
once (its rows, their decoded values, the output dicts) until it is rendered: at 700 each
request paid several collections, each walking every one of those live objects, about 0.3 ms of
a 60-record page's 2.2 ms of server CPU (``config.wsgi`` driven in process). A request leaves
little behind once its answer is untied (``api_common.rest.release_rendered``): about 70 objects
in cycles, so at 10,000 a collection runs every hundred-odd requests and still bounds what
waits in memory. The older generations keep CPython's ratios.
"""

from __future__ import annotations

import gc

__all__ = ["YOUNGEST_THRESHOLD", "tune"]

#: Net new container objects that start a collection of the youngest generation.
YOUNGEST_THRESHOLD = 10_000


def tune() -> None:
    """Raise the youngest generation's threshold to ``YOUNGEST_THRESHOLD`` (the others unchanged)."""
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNGEST_THRESHOLD, middle, oldest)
