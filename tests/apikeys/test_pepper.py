"""``API_KEY_PEPPER``: the key of the HMAC under which API-key secrets are stored.

Set, it is read from the environment and used instead of ``SECRET_KEY``, so ``SECRET_KEY`` can
change without touching a token; changing the pepper itself invalidates every token.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import subprocess
import sys
from pathlib import Path

from django.test import override_settings

from apikeys_app.services import create_api_key
from tests.seeding import fast_client

ROOT = Path(__file__).resolve().parent.parent.parent
UNKNOWN = {"statusCode": 401, "error": "UnauthorizedException", "messages": ["Unknown API key."]}


def digest_in_a_new_process(**environment: str) -> str:
    """The stored digest of the secret ``s3cret``, computed by a fresh process started with ``environment``."""
    code = (
        "import django; django.setup(); "
        "from django.conf import settings; from apikeys_app.tokens import digest; print(digest('s3cret'))"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        **environment,
    }
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_the_pepper_set_in_the_environment_keys_the_digest_whatever_the_secret_key():
    # when
    first = digest_in_a_new_process(API_KEY_PEPPER="pepper", SECRET_KEY="first secret key")
    second = digest_in_a_new_process(API_KEY_PEPPER="pepper", SECRET_KEY="second secret key")
    # then
    assert first == second == hmac.new(b"pepper", b"s3cret", hashlib.sha256).hexdigest()


def test_without_a_pepper_the_secret_key_keys_the_digest():
    # when
    digest = digest_in_a_new_process(SECRET_KEY="only secret key")
    # then
    assert digest == hmac.new(b"only secret key", b"s3cret", hashlib.sha256).hexdigest()


def test_with_a_pepper_tokens_survive_a_new_secret_key(workspace):
    # given
    with override_settings(API_KEY_PEPPER="pepper", SECRET_KEY="first secret key"):
        _, token = create_api_key(workspace, {"name": "long-lived"})
    # when
    with override_settings(API_KEY_PEPPER="pepper", SECRET_KEY="second secret key"):
        status, body = fast_client(token).get("/rest/metadata/apiKeys")
    # then
    assert (status, body["totalCount"]) == (200, 1)


def test_changing_the_pepper_invalidates_every_token(workspace):
    # given
    with override_settings(API_KEY_PEPPER="old pepper"):
        _, token = create_api_key(workspace, {"name": "before rotation"})
    # when
    with override_settings(API_KEY_PEPPER="new pepper"):
        answer = fast_client(token).get("/rest/metadata/apiKeys")
    # then
    assert answer == (401, UNKNOWN)
