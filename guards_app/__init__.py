"""Request guards: rate limits per API key (and per client address for failed authentication),
and idempotency keys that make a retried write safe.

- ``guards_app.ratelimit``: the DRF throttle every API applies (``REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]``,
  also run by the GraphQL endpoints through ``api_common.throttling``), the per-workspace policy
  and the ``RateLimit-*`` headers;
- ``guards_app.buckets``: the token buckets, in Redis (``REDIS_URL``) or in the database;
- ``guards_app.idempotency``: ``Idempotency-Key`` on record writes (REST and GraphQL mutations);
- ``guards_app.tasks``: the purge of expired idempotency keys and idle buckets, on the task worker.

It imports no app but ``api_common``: the API key, the workspace and the write to guard are handed in.
"""
