"""End to end in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) on a live server.

One journey, as a developer makes it: a wrong key is refused with a clear message; a good key
opens the core reference, where a "try it" list call shows the workspace's records; GraphiQL
runs a query with the key preset; a staff member creates a webhook on the settings page and
sees its delivery log. Every page is saved as a screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from apikeys_app.services import create_api_key
from metadata_app.services.workspaces import create_workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
GRAPHQL_QUERY = """{
  companies(orderBy: [{name: AscNullsFirst}]) {
    totalCount
    edges { node { name employees } }
  }
}"""


@pytest.fixture
def journey(live_server, django_user_model, settings) -> dict[str, str]:
    """A workspace with two companies, its API key and a staff member, committed for the live server.

    Everything that touches the database is done here, before Playwright starts: its sync API
    runs the test in a greenlet, where Django would open (and leave open) another connection.
    """
    settings.ALLOWED_HOSTS = ["*"]
    workspace = create_workspace("Initech")
    _, token = create_api_key(workspace, {"name": "browser test"})
    for name, employees in (("Initech", 120), ("Globex", 3400)):
        response = requests.post(
            f"{live_server.url}/rest/companies",
            json={"name": name, "employees": employees},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert response.status_code == 201, response.text
    django_user_model.objects.create_user("ops", "ops@example.com", "pw-ops-123", is_staff=True)
    return {"url": live_server.url, "token": token}


@pytest.fixture
def browser_page(journey):
    """A fresh page of headless Chromium (1440x900), closed after the test."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.set_default_timeout(20_000)
        yield page
        browser.close()


def shoot(page, artifacts: Path, name: str) -> Path:
    """Save a screenshot of the page as ``test-artifacts/<name>.png``."""
    path = artifacts / f"{name}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    return path


def test_docs_try_it_graphiql_and_settings(journey, browser_page, artifacts):
    from playwright.sync_api import expect

    expect.set_options(timeout=20_000)
    # given: a workspace with two companies, a key, and a staff member (the journey fixture)
    base, token = journey["url"], journey["token"]
    auth = {"Authorization": f"Bearer {token}"}
    page = browser_page
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))

    # when: a wrong key, then the right one
    page.goto(f"{base}/docs")
    page.fill("#api-key", "crm_0123456789abcdef_wrong-secret")
    page.click("#open")

    # then
    expect(page.locator("#login-error")).to_have_text("This API key was refused: Unknown API key.")
    shoot(page, artifacts, "docs-login-refused")

    page.fill("#api-key", token)
    page.click("#open")
    expect(page.locator("#swagger-core .info .title")).to_contain_text("Core API")
    expect(page.locator("#operations-tag-companies")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('crm.apiKey')") == token
    shoot(page, artifacts, "docs-core-reference")

    # when: "try it" on GET /companies
    operation = page.locator("#operations-companies-findManyCompanies")
    operation.locator(".opblock-summary").click()
    operation.locator("button.execute").click()

    # then
    response = operation.locator(".live-responses-table .response .microlight").first
    expect(response).to_contain_text('"Globex"')
    expect(response).to_contain_text('"totalCount": 2')
    operation.locator(".live-responses-table").scroll_into_view_if_needed()
    shoot(page, artifacts, "docs-try-it")

    # when: the core GraphQL playground runs a query with the preset key
    page.click('nav button[data-tab="graphql-core"]')
    frame = page.frame_locator("#panel-graphql-core iframe")
    editor = frame.locator(".graphiql-query-editor .CodeMirror")
    expect(editor).to_be_visible()
    editor.evaluate("(element, query) => element.CodeMirror.setValue(query)", GRAPHQL_QUERY)
    frame.locator(".graphiql-execute-button").click()

    # then
    result = frame.locator(".graphiql-response")
    expect(result).to_contain_text('"totalCount": 2')
    expect(result).to_contain_text('"name": "Initech"')
    shoot(page, artifacts, "graphiql-core")

    # when: a staff member creates a webhook on the settings page
    page.goto(f"{base}/admin/login/?next=/settings/api")
    page.fill("#id_username", "ops")
    page.fill("#id_password", "pw-ops-123")
    page.click("input[type=submit]")
    expect(page.locator("h1")).to_have_text("API & Webhooks")
    page.fill("#webhook-url", "https://hooks.example.com/crm")
    page.fill("#webhook-operations", "company.created, *.deleted")
    page.fill("#webhook-description", "Sync to the data warehouse")
    page.click("#create-webhook button[type=submit]")

    # then
    expect(page.locator("#secret-value")).to_have_text(__import__("re").compile(r"^[0-9a-f]{64}$"))
    expect(page.locator("#webhooks table")).to_contain_text("https://hooks.example.com/crm")
    expect(page.locator("#webhooks table")).to_contain_text("company.created, *.deleted")
    shoot(page, artifacts, "settings-api-webhooks")

    # when: a record change queues a delivery, seen in the webhook's delivery log
    requests.post(f"{base}/rest/companies", json={"name": "Hooli"}, headers=auth, timeout=10).raise_for_status()
    page.click("#webhooks table a.mono")

    # then
    expect(page.locator("#deliveries table")).to_contain_text("company.created")
    shoot(page, artifacts, "settings-webhook-deliveries")
    assert not [url for url in urls if token in url], "the key must never be put in a URL"
