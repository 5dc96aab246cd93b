"""Django settings, read from the environment.

Environment variables:

- ``DATABASE_URL``: database to use (default: ``sqlite:///<project>/db.sqlite3``).
- ``SECRET_KEY``: required unless ``DEBUG`` is on, where a development default is used.
- ``DEBUG``: ``1``/``true`` turns debug mode on (default off).
- ``ALLOWED_HOSTS``: comma-separated host names (default ``127.0.0.1,localhost``).
- ``MAX_BATCH_RECORDS``: records per batch create (default 60).
- ``MUTATION_MAXIMUM_AFFECTED_RECORDS``: records per update/delete/restore by filter (default 100).
- ``WEBHOOKS_ALLOW_PRIVATE_TARGETS``: let webhooks call private, loopback and link-local
  addresses (default: on when ``DEBUG`` is on, off otherwise).
- ``WEBHOOKS_MAX_ATTEMPTS`` (default 8), ``WEBHOOKS_RETRY_BASE_DELAY`` (seconds, default 80),
  ``WEBHOOKS_RETRY_FACTOR`` (default 3), ``WEBHOOKS_RETRY_JITTER`` (default 0.2): the retry
  schedule of a webhook delivery (about a day over 8 attempts); see ``webhooks_app/conf.py``.
- ``WEBHOOKS_TIMEOUT`` (seconds, default 5): one delivery call; ``WEBHOOKS_FAILING_AFTER`` (default 5).
- ``WEBHOOKS_STALE_AFTER`` (seconds, default 2 x ``WEBHOOKS_TIMEOUT`` + 5, so 15): a delivery job
  still running after this long is taken for lost (its worker died) and queued again.
- ``WEBHOOKS_RECOVERY_INTERVAL`` (seconds, default 5; 0 turns it off): how often each
  ``manage.py webhook_worker`` looks for lost delivery jobs.
- ``WEBHOOKS_RECONNECT_MAX_DELAY`` (seconds, default 30): longest wait of a worker between two
  tries to reach an unavailable database (it starts at 0.5 s and doubles).

Read by ``dev.py serve`` (the production server), not by Django: ``HOST`` (default
``127.0.0.1:8000``), ``WEB_WORKERS`` (default 4) and ``NGINX_MAX_BODY`` (default ``20m``).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Return the environment variable ``name`` read as a boolean."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (or set DEBUG=1 for development).")
    SECRET_KEY = "dev-only-insecure-secret-key-change-me"

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular_sidecar",  # Swagger UI files for /docs, served offline
    "django_tasks",
    "django_tasks_db",
    "metadata_app",
    "apikeys_app",
    "core_app",
    "webhooks_app",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files (GraphiQL, Swagger UI) under any WSGI server, without a CDN.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside one writer; the busy timeout makes concurrent writers wait
    # instead of failing at once with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
if os.environ.get("STATIC_ROOT"):  # only for deployments that run collectstatic
    STATIC_ROOT = os.environ["STATIC_ROOT"]
STATICFILES_DIRS = [BASE_DIR / "static"]
# Without a collectstatic step, serve straight from the app and project static folders.
WHITENOISE_USE_FINDERS = True
# In development and tests, look files up per request instead of indexing every static file
# each time a handler starts (each test client starts one).
WHITENOISE_AUTOREFRESH = env_bool("WHITENOISE_AUTOREFRESH", DEBUG)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apikeys_app.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["config.rest.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["config.rest.StrictJSONParser"],
    "EXCEPTION_HANDLER": "config.rest.exception_handler",
    "UNAUTHENTICATED_USER": None,
}

# Product knobs; read at call time through metadata_app.conf / core_app.conf, never at import.
MAX_BATCH_RECORDS = int(os.environ.get("MAX_BATCH_RECORDS", "60"))
MUTATION_MAXIMUM_AFFECTED_RECORDS = int(os.environ.get("MUTATION_MAXIMUM_AFFECTED_RECORDS", "100"))
QUERY_DEFAULT_LIMIT = 60
QUERY_MAX_LIMIT = 200

# Background tasks (webhook deliveries): Django's Tasks API with the database backend; the
# worker is ``manage.py db_worker``, as many processes and machines as wanted.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Webhook knobs; read at call time through webhooks_app.conf, never at import.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", DEBUG)
WEBHOOKS_TIMEOUT = float(os.environ.get("WEBHOOKS_TIMEOUT", "5"))
WEBHOOKS_MAX_ATTEMPTS = int(os.environ.get("WEBHOOKS_MAX_ATTEMPTS", "8"))
WEBHOOKS_RETRY_BASE_DELAY = float(os.environ.get("WEBHOOKS_RETRY_BASE_DELAY", "80"))
WEBHOOKS_RETRY_FACTOR = float(os.environ.get("WEBHOOKS_RETRY_FACTOR", "3"))
WEBHOOKS_RETRY_JITTER = float(os.environ.get("WEBHOOKS_RETRY_JITTER", "0.2"))
WEBHOOKS_FAILING_AFTER = int(os.environ.get("WEBHOOKS_FAILING_AFTER", "5"))
# None: two delivery timeouts plus 5 s (webhooks_app.conf.stale_after).
WEBHOOKS_STALE_AFTER = float(os.environ["WEBHOOKS_STALE_AFTER"]) if os.environ.get("WEBHOOKS_STALE_AFTER") else None
WEBHOOKS_RECOVERY_INTERVAL = float(os.environ.get("WEBHOOKS_RECOVERY_INTERVAL", "5"))
WEBHOOKS_RECONNECT_MAX_DELAY = float(os.environ.get("WEBHOOKS_RECONNECT_MAX_DELAY", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
