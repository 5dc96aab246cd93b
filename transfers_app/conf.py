"""Import and export settings, read at call time (tests and deployments may change them at any moment).

=========================== =========== ==============================================================
setting                     default     meaning
=========================== =========== ==============================================================
``IMPORT_MAX_BYTES``        104857600   largest import file (100 MiB), raw body or multipart file; 413 past it
``IMPORT_BATCH_ROWS``       500         rows written per transaction (and per progress step)
``IMPORT_BATCHES_PER_RUN``  20          batches one worker job runs before it queues its continuation
``IMPORT_CHUNK_BYTES``      1048576     bytes of the uploaded file per stored chunk
``IMPORT_STALE_AFTER``      300         seconds without progress after which a running import is requeued
``IMPORT_MAX_ROW_ERRORS``   10000       row errors kept per job (the counts stay exact past it)
``EXPORT_PAGE_SIZE``        2000        records read per keyset page of an export
=========================== =========== ==============================================================
"""

from __future__ import annotations

from django.conf import settings

__all__ = [
    "batch_rows",
    "batches_per_run",
    "chunk_bytes",
    "export_page_size",
    "max_bytes",
    "max_row_errors",
    "queue_name",
    "stale_after",
]


def setting(name: str, default: int) -> int:
    """The integer setting ``name``, or ``default`` when it is not set."""
    return int(getattr(settings, name, default))


def max_bytes() -> int:
    """``IMPORT_MAX_BYTES``: the largest import file accepted."""
    return setting("IMPORT_MAX_BYTES", 100 * 1024 * 1024)


def batch_rows() -> int:
    """``IMPORT_BATCH_ROWS``: rows per transaction."""
    return max(1, setting("IMPORT_BATCH_ROWS", 500))


def batches_per_run() -> int:
    """``IMPORT_BATCHES_PER_RUN``: batches per worker job before the job queues its continuation."""
    return max(1, setting("IMPORT_BATCHES_PER_RUN", 20))


def chunk_bytes() -> int:
    """``IMPORT_CHUNK_BYTES``: bytes per stored piece of the file."""
    return max(1024, setting("IMPORT_CHUNK_BYTES", 1024 * 1024))


def stale_after() -> int:
    """``IMPORT_STALE_AFTER``: seconds without progress after which a running job counts as lost."""
    return setting("IMPORT_STALE_AFTER", 300)


def max_row_errors() -> int:
    """``IMPORT_MAX_ROW_ERRORS``: row errors stored per job."""
    return setting("IMPORT_MAX_ROW_ERRORS", 10000)


def export_page_size() -> int:
    """``EXPORT_PAGE_SIZE``: records per keyset page of an export."""
    return max(1, setting("EXPORT_PAGE_SIZE", 2000))


def queue_name() -> str:
    """The task queue of import jobs: the one the task workers serve (``WEBHOOKS_QUEUE_NAME``, ``default``)."""
    return str(getattr(settings, "WEBHOOKS_QUEUE_NAME", "default"))
