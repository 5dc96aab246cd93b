"""Django settings, read from the environment.

Environment variables:

- ``DATABASE_URL``: database to use (default: ``sqlite:///<project>/db.sqlite3``).
- ``CONN_MAX_AGE``: seconds a PostgreSQL connection is kept (default 60); health checks
  (``CONN_HEALTH_CHECKS``) are on, so a dropped connection is replaced before a request uses it
  (``config/database``: a poll of the socket, a ``SELECT 1`` only when it has something to read).
- ``SECRET_KEY``: required unless ``DEBUG`` is on, where a development default is used.
- ``API_KEY_PEPPER``: key of the HMAC under which API-key secrets are stored (default: empty,
  meaning ``SECRET_KEY``); changing it invalidates every API key.
- ``DEBUG``: ``1``/``true`` turns debug mode on (default off).
- ``ALLOWED_HOSTS``: comma-separated host names (default ``127.0.0.1,localhost``).
- ``MAX_BATCH_RECORDS``: records per batch create (default 60).
- ``MUTATION_MAXIMUM_AFFECTED_RECORDS``: records per update/delete/restore by filter (default 100).
- ``TIMELINE_MERGE_WINDOW_SECONDS``: updates merged into one timeline activity (default 600).
- ``MAX_REQUEST_BODY_BYTES``: largest request body in bytes (default 10485760, 10 MiB); larger
  bodies are answered 413 before they are read, on every endpoint.
- ``MAX_FIELD_VALUE_BYTES`` (default 262144, 256 KiB) and ``MAX_RECORD_BYTES`` (default 1048576,
  1 MiB): largest JSON of one field value and of one record; larger ones are a 400 naming the field.
- ``MAX_FILTER_CONDITIONS`` (default 100), ``MAX_FILTER_VALUES`` (default 500, per ``in`` list),
  ``MAX_SORT_KEYS`` (default 10): the size of one request's filter and ordering; more is a 400.
- ``SEARCH_MAX_INPUT_LENGTH`` (default 200): characters of a search input (api-reference 13); more is a 400.
- ``MAX_RELATION_FILTER_DEPTH`` (default 2): relation hops one filter path may take
  (``company.accountOwner.name``, api-reference §11.3); more is a 400.
- ``DATABASE_STATEMENT_TIMEOUT``: milliseconds a PostgreSQL statement of the server or the webhook
  worker may run before it is cancelled (default 10000); the request answers 503.
- ``DATABASE_PREPARED_STATEMENTS`` (default 1): PostgreSQL prepares the few statements the store
  marks (a write's chained statement, a create's checks); 0 prepares none (a transaction-mode pooler).
- ``MAX_JSON_DEPTH``: levels of arrays and objects a JSON body or GraphQL ``variables`` may nest
  (default 128); deeper JSON is a 400 before it is parsed.
- ``GRAPHQL_MAX_DEPTH`` (default 8), ``GRAPHQL_MAX_ROOT_RESOLVERS`` (default 20),
  ``GRAPHQL_MAX_FIELDS`` (default 2000): limits on GraphQL documents, on both endpoints.
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
- ``TRASH_PURGE_INTERVAL`` (seconds, default 86400; 0: off): how often the task worker destroys
  records trashed longer ago than their workspace's ``trashRetentionDays``;
  ``TRASH_PURGE_BATCH_SIZE`` (default 100): records destroyed per transaction.
- ``EVENTS_RETENTION_DAYS`` (days, default 30): what the event feed (``GET /rest/events``) keeps and
  replay reaches; ``prune_webhook_events`` never deletes younger events.

- ``RATE_LIMIT_ENABLED`` (default on), ``RATE_LIMIT_REQUESTS`` (default 100) per
  ``RATE_LIMIT_WINDOW`` seconds (default 60): each API key's token bucket, unless its workspace
  sets its own; ``RATE_LIMIT_FAILED_AUTH`` (default 10) per ``RATE_LIMIT_FAILED_AUTH_WINDOW``
  (default 60): failed authentications per client address; ``RATE_LIMIT_PROXY_COUNT`` (default
  0): proxies in front that append to ``X-Forwarded-For``.
- ``REDIS_URL`` (default empty: the database): where the rate-limit buckets live;
  ``RATE_LIMIT_REDIS_PREFIX`` (default ``crm:rl:``) prefixes their keys. With it set, each server
  process also keeps the API keys it read while Redis' generation says nothing they depend on
  changed (``apikeys_app.key_cache``); ``KEY_CACHE_SECONDS`` (default 30; 0: off) bounds how long.
- ``IDEMPOTENCY_KEY_TTL`` (seconds, default 86400): how long a write's answer is kept for its
  ``Idempotency-Key``; ``GUARDS_PURGE_INTERVAL`` (seconds, default 3600): how often the task
  worker purges expired keys.

Read by ``dev.py serve`` (the production server), not by Django: ``HOST`` (default
``127.0.0.1:8000``), ``WEB_WORKERS`` (default: one per core) and ``NGINX_MAX_BODY`` (default ``20m``).
"""

import os
import sys
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

# Key of the HMAC under which API-key secrets are stored (apikeys_app.tokens reads it at each
# use); empty means SECRET_KEY. Set it to rotate SECRET_KEY without invalidating API keys.
# Changing the pepper itself invalidates every API key.
API_KEY_PEPPER = os.environ.get("API_KEY_PEPPER", "")

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
    "roles_app",
    "metadata_app",
    "apikeys_app",
    "core_app",
    "webhooks_app",
    "transfers_app",
    "guards_app",
    "settings_ui",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads a body: refuses bodies over MAX_REQUEST_BODY_BYTES with 413.
    "api_common.edge.RequestEdgeMiddleware",
    # RateLimit-* headers on every answer of a rate-limited request (guards_app.ratelimit).
    "guards_app.middleware.RateLimitHeadersMiddleware",
    # Serves collected static files (GraphiQL, Swagger UI) under any WSGI server, without a CDN.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
#: The middleware of API requests (``/rest/``, ``/graphql``, ``/metadata``; ``config/wsgi.py``):
#: MIDDLEWARE without what only browser pages use. API views use no session, CSRF token, user or
#: message, so their answers are the same byte for byte, for about 0.1 ms less per request.
API_MIDDLEWARE = [
    name
    for name in MIDDLEWARE
    if name
    not in {
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
    }
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
        # A kept connection the server dropped (a restart while idle) is replaced at the start of
        # the next request instead of failing it.
        conn_health_checks=True,
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
else:
    # Django's PostgreSQL backend, with a health check that polls the socket instead of sending
    # SELECT 1 before every request (config/database/base.py).
    DATABASES["default"]["ENGINE"] = "config.database"
    DATABASES["default"].setdefault("OPTIONS", {})
    # Parameters travel apart from the SQL (no client-side quoting of every value). Statements are
    # planned for their own parameters (force_custom_plan, below, prepared or not), so a plan never
    # depends on which tenant ran the statement first. Most are not prepared (Django's default,
    # which keeps transaction poolers working): for a read, preparing saves only the parse, at most
    # 5-10 % of PostgreSQL's CPU per request, within the noise of an A/B on this machine.
    DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
    # Only the statements the store marks are prepared (core_app.store.sql.execute: parsed once
    # per connection, still planned per execution); psycopg never prepares one by itself (a
    # threshold no statement reaches). DATABASE_PREPARED_STATEMENTS=0 prepares none, for a
    # transaction-mode pooler that does not keep prepared statements.
    if os.environ.get("DATABASE_PREPARED_STATEMENTS", "1") != "0":
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 2**31 - 1)
    # A statement that runs longer than DATABASE_STATEMENT_TIMEOUT (milliseconds) is cancelled and
    # answered 503: one request cannot hold a worker and a database backend for minutes. Management
    # commands that legitimately run long statements (migrate, bench_seed, imports...) have none;
    # the server and the webhook worker do.
    _command = sys.argv[1] if len(sys.argv) > 1 and Path(sys.argv[0]).name == "manage.py" else None
    STATEMENT_TIMEOUT_MS = (
        int(os.environ.get("DATABASE_STATEMENT_TIMEOUT", "10000"))
        if _command in (None, "runserver", "db_worker", "webhook_worker")
        else 0
    )
    # No JIT: the store's statements are short and probe indexes per row, and their estimated
    # cost (subplans times estimated rows) passes jit_above_cost long before compiling pays; at
    # 1M people a relation filter's count spent 227 ms of its 780 compiling (EXPLAIN ANALYZE).
    DATABASES["default"]["OPTIONS"].setdefault(
        "options", f"-c plan_cache_mode=force_custom_plan -c statement_timeout={STATEMENT_TIMEOUT_MS} -c jit=off"
    )
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
    # A view's ``permission_flag`` / ``write_permission_flag`` is checked against the key's role.
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "roles_app.checks.RoleFlagPermission",
    ],
    "DEFAULT_RENDERER_CLASSES": ["api_common.rest.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api_common.rest.StrictJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api_common.rest.JSONFirstNegotiation",
    "EXCEPTION_HANDLER": "api_common.rest.exception_handler",
    # Run by every DRF view and, through api_common.throttling, by the GraphQL endpoints.
    "DEFAULT_THROTTLE_CLASSES": ["guards_app.ratelimit.ApiKeyRateThrottle"],
    "UNAUTHENTICATED_USER": None,
}
# Redis work that reads the API keys' generation in its own command (apikeys_app.key_cache.Rider):
# the rate limit's take, so that a request with a kept key makes one round trip to Redis, not two.
API_KEY_CHECK_RIDER = "guards_app.ratelimit.take_with_generation"

# Product knobs; read at call time through metadata_app.conf / core_app.conf, never at import.
MAX_BATCH_RECORDS = int(os.environ.get("MAX_BATCH_RECORDS", "60"))
MUTATION_MAXIMUM_AFFECTED_RECORDS = int(os.environ.get("MUTATION_MAXIMUM_AFFECTED_RECORDS", "100"))
# api-reference §16.2: an update by the same actor of the same record within this many seconds of
# its latest activity is merged into that activity.
TIMELINE_MERGE_WINDOW_SECONDS = int(os.environ.get("TIMELINE_MERGE_WINDOW_SECONDS", "600"))
QUERY_DEFAULT_LIMIT = 60
QUERY_MAX_LIMIT = 200

# Largest request body, in bytes; over it, 413 before the body is read (api_common.edge). 10 MiB
# holds a full batch (MAX_BATCH_RECORDS records) of large records many times over, while one
# worker holding a body and its parsed form stays around 100 MB at worst.
MAX_REQUEST_BODY_BYTES = int(os.environ.get("MAX_REQUEST_BODY_BYTES", str(10 * 1024 * 1024)))
# Django's own cap on request.body (2.5 MB by default) would be a second, lower and silent limit
# for the GraphQL endpoints (a 400 page); the edge middleware enforces the one limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES

# What one request may make the store read or write (see core_app.query and core_app.services):
# a field value and a whole record (bytes of JSON; a record is read whole by every filter on an
# unindexed field), conditions of a filter, values of one in/containsAny list, and sort keys.
MAX_FIELD_VALUE_BYTES = int(os.environ.get("MAX_FIELD_VALUE_BYTES", str(256 * 1024)))
MAX_RECORD_BYTES = int(os.environ.get("MAX_RECORD_BYTES", str(1024 * 1024)))
MAX_FILTER_CONDITIONS = int(os.environ.get("MAX_FILTER_CONDITIONS", "100"))
MAX_FILTER_VALUES = int(os.environ.get("MAX_FILTER_VALUES", "500"))
MAX_SORT_KEYS = int(os.environ.get("MAX_SORT_KEYS", "10"))
# Characters of one search input: each word is one range of the token index per searched object.
SEARCH_MAX_INPUT_LENGTH = int(os.environ.get("SEARCH_MAX_INPUT_LENGTH", "200"))
# A search word's range with more index rows than this is broad: the object is then walked in id
# order, for at most SEARCH_WALK_BUDGET records, before the full ranking (core_app/services/search.py).
SEARCH_BROAD_RANGE_ROWS = int(os.environ.get("SEARCH_BROAD_RANGE_ROWS", "2000"))
SEARCH_WALK_BUDGET = int(os.environ.get("SEARCH_WALK_BUDGET", "5000"))
# Relation hops on one filter path: each hop is one more semi-join (api-reference §11.3).
MAX_RELATION_FILTER_DEPTH = int(os.environ.get("MAX_RELATION_FILTER_DEPTH", "2"))

# Levels of arrays and objects a JSON body or GraphQL variables may nest; read through api_common.conf.
# 128 leaves room for the deepest filter the query engine takes (50 levels of and/or/not, two
# JSON levels each, inside the body) and keeps every recursive walk far from Python's limit.
MAX_JSON_DEPTH = int(os.environ.get("MAX_JSON_DEPTH", "128"))

# GraphQL document limits, the same on /graphql and /metadata; read through api_common.conf.
GRAPHQL_MAX_DEPTH = int(os.environ.get("GRAPHQL_MAX_DEPTH", "8"))
GRAPHQL_MAX_ROOT_RESOLVERS = int(os.environ.get("GRAPHQL_MAX_ROOT_RESOLVERS", "20"))
GRAPHQL_MAX_FIELDS = int(os.environ.get("GRAPHQL_MAX_FIELDS", "2000"))

# Rate limits (guards_app.ratelimit; read at call time through guards_app.conf): a token bucket per
# API key of RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW seconds unless its workspace sets its own
# (admin, settings page), and per client address RATE_LIMIT_FAILED_AUTH failed authentications per
# RATE_LIMIT_FAILED_AUTH_WINDOW seconds. Buckets live in Redis when REDIS_URL is set, else in the database.
RATE_LIMIT_ENABLED = env_bool("RATE_LIMIT_ENABLED", True)
RATE_LIMIT_REQUESTS = int(os.environ.get("RATE_LIMIT_REQUESTS", "100"))
RATE_LIMIT_WINDOW = int(os.environ.get("RATE_LIMIT_WINDOW", "60"))
RATE_LIMIT_FAILED_AUTH = int(os.environ.get("RATE_LIMIT_FAILED_AUTH", "10"))
RATE_LIMIT_FAILED_AUTH_WINDOW = int(os.environ.get("RATE_LIMIT_FAILED_AUTH_WINDOW", "60"))
RATE_LIMIT_PROXY_COUNT = int(os.environ.get("RATE_LIMIT_PROXY_COUNT", "0"))
RATE_LIMIT_REDIS_PREFIX = os.environ.get("RATE_LIMIT_REDIS_PREFIX", "crm:rl:")
REDIS_URL = os.environ.get("REDIS_URL", "")
KEY_CACHE_SECONDS = float(os.environ.get("KEY_CACHE_SECONDS", "30"))

# Idempotency keys (guards_app.idempotency): answers kept this many seconds; purged by the task
# worker every GUARDS_PURGE_INTERVAL seconds.
IDEMPOTENCY_KEY_TTL = int(os.environ.get("IDEMPOTENCY_KEY_TTL", str(24 * 3600)))
GUARDS_PURGE_INTERVAL = int(os.environ.get("GUARDS_PURGE_INTERVAL", "3600"))

# Background tasks (webhook deliveries): Django's Tasks API with the database backend; the
# worker is ``manage.py webhook_worker``, as many processes and machines as wanted.
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

# Trash retention (core_app.services.trash, core_app.tasks): how often the task worker purges
# records trashed longer ago than their workspace's trashRetentionDays (seconds, 0: never on its
# own; ``manage.py purge_trash`` still does), and how many records each transaction destroys.
TRASH_PURGE_INTERVAL = float(os.environ.get("TRASH_PURGE_INTERVAL", "86400"))
TRASH_PURGE_BATCH_SIZE = int(os.environ.get("TRASH_PURGE_BATCH_SIZE", "100"))

# Imports and exports (transfers_app; read at call time through transfers_app.conf). An import file
# may be up to IMPORT_MAX_BYTES (its route's own body limit, above MAX_REQUEST_BODY_BYTES); rows
# are written IMPORT_BATCH_ROWS per transaction, IMPORT_BATCHES_PER_RUN batches per worker task.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(100 * 1024 * 1024)))
IMPORT_BATCH_ROWS = int(os.environ.get("IMPORT_BATCH_ROWS", "500"))
IMPORT_BATCHES_PER_RUN = int(os.environ.get("IMPORT_BATCHES_PER_RUN", "20"))
IMPORT_CHUNK_BYTES = int(os.environ.get("IMPORT_CHUNK_BYTES", str(1024 * 1024)))
IMPORT_STALE_AFTER = int(os.environ.get("IMPORT_STALE_AFTER", "300"))
IMPORT_MAX_ROW_ERRORS = int(os.environ.get("IMPORT_MAX_ROW_ERRORS", "10000"))
EXPORT_PAGE_SIZE = int(os.environ.get("EXPORT_PAGE_SIZE", "2000"))

# The event feed (webhooks_app.feed): days of events it shows and replay reaches back to.
EVENTS_RETENTION_DAYS = float(os.environ.get("EVENTS_RETENTION_DAYS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
