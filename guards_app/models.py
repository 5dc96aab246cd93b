"""What the guards store: each workspace's rate-limit policy, token buckets (when no Redis is
configured) and the answers of writes sent with an ``Idempotency-Key``."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

__all__ = ["IdempotencyKey", "RateBucket", "RateLimitPolicy"]

#: Longest window a policy may set: a day.
MAX_WINDOW_SECONDS = 24 * 3600


class RateLimitPolicy(models.Model):
    """A workspace's limit for each of its API keys: ``requests`` per ``window_seconds``.

    Each key has a token bucket of ``requests`` tokens that refills at ``requests / window_seconds``
    per second; a request takes one token. A workspace without a policy has the defaults
    (``RATE_LIMIT_REQUESTS`` per ``RATE_LIMIT_WINDOW``). Saving or deleting a policy touches the
    workspace's ``updated_at`` in the same transaction, which is how every process learns that its
    cached copy is stale (``guards_app.ratelimit.policy_for``).
    """

    # A string reference keeps this app free of imports from the metadata app.
    workspace = models.OneToOneField(
        "metadata_app.Workspace", on_delete=models.CASCADE, primary_key=True, related_name="rate_limit_policy"
    )
    requests = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="Requests each API key may make per window (the bucket's size)."
    )
    window_seconds = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_WINDOW_SECONDS)],
        help_text="Seconds in which an emptied bucket refills completely.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "rate limit policy"
        verbose_name_plural = "rate limit policies"

    def __str__(self) -> str:
        return f"{self.requests} requests per {self.window_seconds} s"


class RateBucket(models.Model):
    """One token bucket of the database backend (no ``REDIS_URL``), updated by one statement per request.

    ``name`` is ``key:<API key id>`` or ``auth:<client address>``. ``stamp`` is the time of the last
    update in milliseconds since the epoch; ``rate`` is in tokens per millisecond. Not tenant
    data: an unlogged table on PostgreSQL (a crash only refills the buckets).
    """

    name = models.CharField(max_length=200, primary_key=True)
    tokens = models.FloatField()
    stamp = models.BigIntegerField()
    capacity = models.FloatField()
    rate = models.FloatField()
    allowed = models.BooleanField()

    def __str__(self) -> str:
        return self.name


class IdempotencyKey(models.Model):
    """The answer to a write sent with an ``Idempotency-Key``, kept until ``expires_at``.

    Written in the same transaction as the write it answers, so it exists exactly when the write
    was committed. ``fingerprint`` identifies the request (key, method, path, body); ``headers``
    are the answer's own (``Content-Type``, ``ETag``) and ``body`` its exact bytes.
    """

    pk = models.CompositePrimaryKey("workspace_id", "key")
    workspace_id = models.UUIDField()
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    headers = models.JSONField(default=dict)
    body = models.BinaryField()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = "idempotency key"
        indexes = [models.Index(fields=["expires_at"], name="idempotency_expiry")]

    def __str__(self) -> str:
        return self.key
