"""``/docs`` and its GraphiQL pages render, offline, without ever asking the server for the key."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def browser() -> Client:
    """A plain client, as a browser without any key."""
    return Client()


def test_docs_page_renders_the_key_login_and_offline_assets(browser):
    # when
    response = browser.get("/docs")

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert '<input id="api-key" name="api-key" type="password"' in html
    assert 'var STORAGE_KEY = "crm.apiKey";' in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css" in html
    assert 'data-src="/docs/graphiql/core"' in html and 'data-src="/docs/graphiql/metadata"' in html
    assert "https://" not in html.replace("https://example.com", "")  # no CDN


def test_docs_page_points_at_the_event_feed_replay_imports_and_exports(browser):
    # when
    html = browser.get("/docs").content.decode()

    # then
    for route in (
        "<code>GET /rest/events</code>",
        "<code>POST /rest/metadata/webhooks/{id}/replay</code>",
        "<code>POST /rest/imports/{plural}</code>",
        "<code>GET /rest/exports/{plural}</code>",
    ):
        assert route in html, route


@pytest.mark.parametrize("asset", ["swagger-ui-bundle.js", "swagger-ui.css"])
def test_swagger_ui_is_served_by_the_project(browser, asset):
    # when
    response = browser.get(f"/static/drf_spectacular_sidecar/swagger-ui-dist/{asset}")

    # then
    assert response.status_code == 200
    assert len(b"".join(response.streaming_content) if response.streaming else response.content) > 100_000


@pytest.mark.parametrize("name, endpoint", [("core", "/graphql"), ("metadata", "/metadata")])
def test_graphiql_pages_target_each_endpoint_and_may_be_framed_by_the_docs(browser, name, endpoint):
    # when
    response = browser.get(f"/docs/graphiql/{name}")

    # then
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    html = response.content.decode()
    assert f'var endpoint = "{endpoint}";' in html
    assert 'var storageKey = "crm.apiKey";' in html
    assert '<div id="bar" hidden>' in html


def test_unknown_playground_is_a_404(browser):
    assert browser.get("/docs/graphiql/nope").status_code == 404


def test_docs_page_takes_no_post(browser):
    assert browser.post("/docs").status_code == 405


def test_the_run_command_prints_the_docs_url_beside_the_key(db):
    # given
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()

    # when
    call_command("bootstrap_demo", "--host", "127.0.0.1:8000", stdout=out)

    # then
    lines = out.getvalue().splitlines()
    key_line = next(i for i, line in enumerate(lines) if line.startswith("API key    crm_"))
    assert "Docs       http://127.0.0.1:8000/docs   (paste the API key there)" in lines[key_line:]
