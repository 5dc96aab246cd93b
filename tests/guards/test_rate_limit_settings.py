"""A workspace's rate limit is set on the staff settings page or in the admin, and applies to the next request."""

from __future__ import annotations

import pytest
from django.test import Client

from guards_app.models import RateLimitPolicy
from tests.guards.conftest import rate_headers

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(django_user_model) -> Client:
    client = Client()
    client.force_login(django_user_model.objects.create_user("ops", "ops@example.com", "pw", is_staff=True))
    return client


def test_the_page_shows_the_defaults(limits, staff, workspace):
    page = staff.get("/settings/api", {"workspace": str(workspace.pk)}).content.decode()
    assert "Each API key may make <strong>3</strong> requests per <strong>60</strong> seconds (the defaults)" in page


def test_a_limit_saved_on_the_page_applies_to_the_next_request(limits, staff, workspace, caller):
    # when
    response = staff.post(
        "/settings/api/rate-limit", {"workspace": str(workspace.pk), "requests": "50", "window": "10"}
    )
    # then
    assert (response.status_code, response["Location"]) == (302, f"/settings/api?workspace={workspace.pk}")
    assert RateLimitPolicy.objects.filter(workspace=workspace).values_list("requests", "window_seconds")[0] == (50, 10)
    assert rate_headers(caller.call("GET", "/rest/companies")[1])["RateLimit-Policy"] == "50;w=10"
    page = staff.get("/settings/api", {"workspace": str(workspace.pk)}).content.decode()
    assert "Each API key may make <strong>50</strong> requests per <strong>10</strong> seconds;" in page


@pytest.mark.parametrize(
    ("requests", "window", "message"),
    [
        pytest.param("0", "60", "Ensure this value is greater than or equal to 1.", id="no_request"),
        pytest.param("10", "90000", "Ensure this value is less than or equal to 86400.", id="window_over_a_day"),
        pytest.param("ten", "60", "Requests must be a whole number", id="not_a_number"),
    ],
)
def test_an_invalid_limit_is_refused_with_its_reason(limits, staff, workspace, requests, window, message):
    response = staff.post(
        "/settings/api/rate-limit", {"workspace": str(workspace.pk), "requests": requests, "window": window}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RateLimitPolicy.objects.exists()


def test_reset_goes_back_to_the_defaults(limits, staff, workspace, caller):
    RateLimitPolicy.objects.create(workspace=workspace, requests=50, window_seconds=10)
    staff.post("/settings/api/rate-limit", {"workspace": str(workspace.pk), "reset": "1"})
    assert not RateLimitPolicy.objects.exists()
    assert rate_headers(caller.call("GET", "/rest/companies")[1])["RateLimit-Policy"] == "3;w=60"


def test_the_admin_edits_policies(limits, django_user_model, workspace, caller):
    # given
    admin = Client()
    admin.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))
    # when
    response = admin.post(
        "/admin/guards_app/ratelimitpolicy/add/",
        {"workspace": str(workspace.pk), "requests": "7", "window_seconds": "70"},
    )
    # then
    assert response.status_code == 302
    assert rate_headers(caller.call("GET", "/rest/companies")[1])["RateLimit-Policy"] == "7;w=70"
    assert admin.get("/admin/guards_app/ratelimitpolicy/").status_code == 200
