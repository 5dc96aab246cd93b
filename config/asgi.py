"""ASGI entry point: Django's handler, bounded to ``MAX_REQUEST_BODY_BYTES`` per body (``api_common.edge``).

Importing it sets the process's garbage collector thresholds (``config.collector``).
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)

from api_common.edge import BoundedASGIHandler  # noqa: E402  (after Django's set-up, as get_asgi_application does)
from config import collector  # noqa: E402

application = BoundedASGIHandler()
collector.tune()
