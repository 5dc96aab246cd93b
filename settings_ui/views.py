"""Settings → API & Webhooks: the page where staff manage a workspace's API keys and webhooks.

Staff log in through the admin's login (``staff_member_required``). Every change goes through
the services the REST API uses (``apikeys_app.services``, ``webhooks_app.services``), so the
page applies the same rules and shows the same messages. A new key's token and a new webhook's
secret are shown once, in the answer to the creation: never stored, never redirected through a
URL or a message cookie.

The pages span two apps (keys and webhooks) and belong to neither, so they are an app of their
own; each of those apps keeps its own models, services and REST views. URLs: ``settings_ui.urls``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from api_common.errors import ApiError
from apikeys_app import services as key_services
from apikeys_app.models import ApiKey
from guards_app import policies
from metadata_app.models import Workspace
from webhooks_app import services as webhook_services

__all__ = [
    "api_settings",
    "create_key",
    "create_webhook",
    "delete_webhook",
    "redeliver",
    "revoke_key",
    "save_rate_limit",
    "test_webhook",
    "webhook_detail",
]

#: Deliveries listed on a webhook's page.
DELIVERY_LOG_SIZE = 50


def chosen_workspace(request: HttpRequest) -> Workspace:
    """The workspace named by ``?workspace=`` (or the form field), else the oldest one."""
    raw = request.POST.get("workspace") or request.GET.get("workspace")
    workspaces = Workspace.objects.order_by("created_at")
    if raw:
        try:
            workspace = workspaces.filter(pk=uuid.UUID(raw)).first()
        except ValueError:
            workspace = None
        if workspace is None:
            raise Http404(f"No workspace {raw}")
        return workspace
    workspace = workspaces.first()
    if workspace is None:
        raise Http404("No workspace yet: create one with manage.py create_workspace")
    return workspace


def page_url(workspace: Workspace, name: str = "settings-api", *args: Any) -> str:
    """The URL of a settings page of ``workspace``."""
    return f"{reverse(name, args=args)}?workspace={workspace.pk}"


def errors_of(error: ValidationError) -> list[str]:
    """The messages of a service's ``ValidationError``."""
    return list(error.messages)


def overview(request: HttpRequest, workspace: Workspace, status: int = 200, **extra: Any) -> HttpResponse:
    """The keys and webhooks of ``workspace``, plus ``extra`` (a new token or secret, form errors)."""
    context = {
        "workspace": workspace,
        "workspaces": Workspace.objects.order_by("created_at"),
        "api_keys": ApiKey.objects.filter(workspace=workspace, deleted_at__isnull=True).order_by("-created_at"),
        "webhooks": webhook_services.live_webhooks(workspace).order_by("-created_at"),
        "rate_limit": policies.effective_rate_limit(workspace.pk),
        "now": timezone.now(),
        **extra,
    }
    return render(request, "settings/api_webhooks.html", context, status=status)


@require_GET
@staff_member_required
def api_settings(request: HttpRequest) -> HttpResponse:
    """The overview page."""
    return overview(request, chosen_workspace(request))


@require_POST
@staff_member_required
def create_key(request: HttpRequest) -> HttpResponse:
    """Create an API key; its token is shown in this answer only."""
    workspace = chosen_workspace(request)
    data = {"name": request.POST.get("name", ""), "expiresAt": request.POST.get("expires_at") or None}
    try:
        api_key, token = key_services.create_api_key(workspace, data)
    except ValidationError as error:
        return overview(request, workspace, status=400, key_errors=errors_of(error), key_form=request.POST)
    return overview(request, workspace, new_key=api_key, new_token=token)


@require_POST
@staff_member_required
def revoke_key(request: HttpRequest, key_id: uuid.UUID) -> HttpResponse:
    """Revoke an API key now."""
    workspace = chosen_workspace(request)
    api_key = key_services.revoke_api_key(workspace, key_id)
    messages.success(request, f"API key “{api_key.name}” is revoked: its token stops working now.")
    return HttpResponseRedirect(page_url(workspace))


@require_POST
@staff_member_required
def save_rate_limit(request: HttpRequest) -> HttpResponse:
    """Set the workspace's rate limit per API key, or (``reset``) go back to the defaults."""
    workspace = chosen_workspace(request)
    if request.POST.get("reset"):
        policies.clear_rate_limit(workspace.pk)
        messages.success(request, "Rate limit reset to the defaults.")
        return HttpResponseRedirect(page_url(workspace))
    try:
        policy = policies.set_rate_limit(workspace.pk, request.POST.get("requests", ""), request.POST.get("window", ""))
    except ValidationError as error:
        return overview(request, workspace, status=400, limit_errors=errors_of(error), limit_form=request.POST)
    messages.success(request, f"Rate limit saved: {policy}, for each API key, from the next request on.")
    return HttpResponseRedirect(page_url(workspace))


def webhook_data(request: HttpRequest) -> dict[str, Any]:
    """The service input from the webhook form (operations typed comma- or line-separated)."""
    raw_operations = request.POST.get("operations", "").replace("\n", ",")
    data: dict[str, Any] = {
        "targetUrl": request.POST.get("target_url", ""),
        "operations": [op.strip() for op in raw_operations.split(",") if op.strip()] or ["*.*"],
        "description": request.POST.get("description") or None,
    }
    if request.POST.get("secret"):
        data["secret"] = request.POST["secret"]
    if "filter" in request.POST:
        data["filter"] = request.POST["filter"].strip() or None
    if "fields" in request.POST:
        data["fields"] = [name.strip() for name in request.POST["fields"].split(",") if name.strip()]
    return data


@require_POST
@staff_member_required
def create_webhook(request: HttpRequest) -> HttpResponse:
    """Create a webhook; its secret is shown in this answer only."""
    workspace = chosen_workspace(request)
    try:
        webhook = webhook_services.create_webhook(workspace, webhook_data(request))
    except ValidationError as error:
        return overview(request, workspace, status=400, webhook_errors=errors_of(error), webhook_form=request.POST)
    return overview(request, workspace, new_webhook=webhook)


def webhook_page(
    request: HttpRequest, workspace: Workspace, webhook_id: uuid.UUID, status: int = 200, **extra: Any
) -> HttpResponse:
    """One webhook: its settings, a test call and its delivery log."""
    webhook = webhook_services.get_webhook(workspace, webhook_id)
    deliveries = webhook_services.deliveries_of(workspace, webhook.pk).order_by("-id")[:DELIVERY_LOG_SIZE]
    context = {
        "workspace": workspace,
        "webhook": webhook,
        "operations": ", ".join(webhook.operations),
        "fields": ", ".join(webhook.fields or ()),
        "deliveries": deliveries,
        "log_size": DELIVERY_LOG_SIZE,
        **extra,
    }
    return render(request, "settings/webhook.html", context, status=status)


@staff_member_required
def webhook_detail(request: HttpRequest, webhook_id: uuid.UUID) -> HttpResponse:
    """GET: the webhook's page; POST: save its settings."""
    workspace = chosen_workspace(request)
    if request.method == "POST":
        try:
            webhook_services.update_webhook(workspace, webhook_id, webhook_data(request))
        except ValidationError as error:
            return webhook_page(
                request, workspace, webhook_id, status=400, form_errors=errors_of(error), form=request.POST
            )
        messages.success(request, "Webhook saved.")
        return HttpResponseRedirect(page_url(workspace, "settings-webhook", webhook_id))
    if request.method != "GET":
        return HttpResponse(status=405)
    return webhook_page(request, workspace, webhook_id)


@require_POST
@staff_member_required
def delete_webhook(request: HttpRequest, webhook_id: uuid.UUID) -> HttpResponse:
    """Delete a webhook (its pending deliveries are cancelled)."""
    workspace = chosen_workspace(request)
    webhook = webhook_services.delete_webhook(workspace, webhook_id)
    messages.success(request, f"Webhook to {webhook.target_url} deleted.")
    return HttpResponseRedirect(page_url(workspace))


@require_POST
@staff_member_required
def test_webhook(request: HttpRequest, webhook_id: uuid.UUID) -> HttpResponse:
    """Send a test event now and show what the receiver answered."""
    workspace = chosen_workspace(request)
    outcome = webhook_services.send_test_event(webhook_services.get_webhook(workspace, webhook_id))
    return webhook_page(request, workspace, webhook_id, test_outcome=outcome)


def utc_instant(value: str) -> str | None:
    """A ``datetime-local`` input read as UTC (an ISO 8601 date-time with its zone passes unchanged)."""
    value = value.strip()
    if not value:
        return None
    return value if value.endswith("Z") or "+" in value[10:] else f"{value}Z"


@require_POST
@staff_member_required
def replay(request: HttpRequest, webhook_id: uuid.UUID) -> HttpResponse:
    """Queue again the events of a time range (UTC) for this webhook."""
    workspace = chosen_workspace(request)
    bounds = {key: utc_instant(request.POST.get(key, "")) for key in ("since", "until")}
    try:
        replayed = webhook_services.replay(workspace, webhook_id, {k: v for k, v in bounds.items() if v})
    except (ValidationError, ApiError) as error:
        problems = errors_of(error) if isinstance(error, ValidationError) else error.messages
        return webhook_page(
            request, workspace, webhook_id, status=400, replay_errors=problems, replay_form=request.POST
        )
    messages.success(request, f"{replayed.count} event{'s' if replayed.count != 1 else ''} queued again.")
    return HttpResponseRedirect(page_url(workspace, "settings-webhook", webhook_id))


@require_POST
@staff_member_required
def redeliver(request: HttpRequest, webhook_id: str, delivery_id: uuid.UUID) -> HttpResponse:
    """Queue one delivery again."""
    workspace = chosen_workspace(request)
    webhook_services.redeliver(workspace, webhook_id, delivery_id)
    messages.success(request, "Delivery queued again.")
    return HttpResponseRedirect(page_url(workspace, "settings-webhook", webhook_id))
