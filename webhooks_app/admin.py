"""Admin for webhooks: a failing marker, the recent delivery log inline, redelivery as an action.

Writes go through ``services`` (the form calls them in ``clean()``), so the admin applies the
same rules as the API; a new webhook's secret is shown once, in a message.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html

from webhooks_app import services
from webhooks_app.models import Delivery, DeliveryAttempt, Webhook

#: Deliveries shown inline on a webhook's page (the full log is the Delivery list).
INLINE_DELIVERIES = 50


class WebhookForm(forms.ModelForm):
    """Creates or updates the webhook through the service; ``operations`` typed comma-separated."""

    operations_text = forms.CharField(
        label="Operations", initial="*.*", help_text="Comma-separated, e.g. person.created, *.deleted"
    )
    new_secret = forms.CharField(
        label="Secret", required=False, help_text="Leave empty to keep it (or to generate one for a new webhook)."
    )

    class Meta:
        model = Webhook
        fields = ["workspace", "target_url", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # ``pk`` is set even on a new webhook (a UUID default); ``adding`` tells them apart.
        if not self.instance._state.adding:
            self.fields["operations_text"].initial = ", ".join(self.instance.operations)
        self.result: Webhook | None = None

    def clean(self) -> dict[str, Any]:
        super().clean()  # a ModelForm returns its cleaned_data
        cleaned = self.cleaned_data
        if self.errors:
            return cleaned
        data: dict[str, Any] = {
            "targetUrl": cleaned["target_url"],
            "operations": [op.strip() for op in cleaned["operations_text"].split(",") if op.strip()],
            "description": cleaned.get("description") or None,
        }
        if cleaned.get("new_secret"):
            data["secret"] = cleaned["new_secret"]
        try:
            if not self.instance._state.adding:
                self.result = services.update_webhook(self.instance.workspace, self.instance.pk, data)
            else:
                self.result = services.create_webhook(cleaned["workspace"], data)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None
        return cleaned

    def _post_clean(self) -> None:
        pass


class RecentDeliveriesFormSet(BaseInlineFormSet):
    """Only the latest ``INLINE_DELIVERIES`` deliveries of the webhook."""

    def get_queryset(self):
        if not hasattr(self, "_recent"):
            queryset = super().get_queryset()
            ids = list(queryset.order_by("-id").values_list("pk", flat=True)[:INLINE_DELIVERIES])
            self._recent = queryset.filter(pk__in=ids).select_related("event").order_by("-id")
        return self._recent


class DeliveryInline(admin.TabularInline):
    """The webhook's recent delivery log (read-only)."""

    model = Delivery
    formset = RecentDeliveriesFormSet
    readonly_fields = [
        "delivery",
        "event_name",
        "status",
        "attempt_count",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    ]
    fields = tuple(readonly_fields)
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name_plural = f"Recent deliveries (latest {INLINE_DELIVERIES})"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="delivery")
    def delivery(self, obj: Delivery) -> str:
        url = reverse("admin:webhooks_app_delivery_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.created_at.strftime("%Y-%m-%d %H:%M:%S"))

    @admin.display(description="event")
    def event_name(self, obj: Delivery) -> str:
        return obj.event.name


class FailingFilter(admin.SimpleListFilter):
    """Webhooks marked failing, or healthy."""

    title = "health"
    parameter_name = "failing"

    def lookups(self, request, model_admin):
        return [("yes", "Failing"), ("no", "Healthy")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(failing_since__isnull=False)
        if self.value() == "no":
            return queryset.filter(failing_since__isnull=True)
        return queryset


def redeliver_all(request, deliveries: list[Delivery]) -> None:
    """Redeliver ``deliveries`` through the service and say how many were queued."""
    for delivery in deliveries:
        services.redeliver(delivery.webhook.workspace, delivery.webhook_id, delivery.pk)
    messages.success(request, f"Queued {len(deliveries)} delivery(ies) again.")


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    """Webhooks with their health and recent deliveries; deletion is a soft delete."""

    form = WebhookForm
    list_display = [
        "target_url",
        "workspace",
        "operations_list",
        "failing",
        "consecutive_failures",
        "created_at",
        "deleted_at",
    ]
    list_filter = [FailingFilter, "workspace"]
    search_fields = ["target_url", "description"]
    readonly_fields = ["failing", "failing_since", "consecutive_failures", "created_at", "updated_at", "deleted_at"]
    inlines = [DeliveryInline]
    actions = ["redeliver_failed"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "workspace"] if obj else self.readonly_fields

    @admin.display(description="operations")
    def operations_list(self, obj: Webhook) -> str:
        return ", ".join(obj.operations)

    @admin.display(description="failing", boolean=True)
    def failing(self, obj: Webhook) -> bool:
        return obj.is_failing

    def save_form(self, request, form, change):
        if not change and form.result is not None:
            messages.warning(request, f"Secret of the webhook (shown once, copy it now): {form.result.secret}")
        return form.result

    def save_model(self, request, obj, form, change) -> None:
        pass

    def save_related(self, request, form, formsets, change) -> None:
        # The service saved the webhook (no ``form.save_m2m``); the read-only inline saves nothing.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj) -> None:
        services.delete_webhook(obj.workspace, obj.pk)

    def delete_queryset(self, request, queryset) -> None:
        for webhook in queryset.filter(deleted_at__isnull=True):
            services.delete_webhook(webhook.workspace, webhook.pk)

    @admin.action(description="Redeliver the failed deliveries of selected webhooks")
    def redeliver_failed(self, request, queryset) -> None:
        failed = Delivery.objects.filter(
            webhook__in=queryset.filter(deleted_at__isnull=True), status=Delivery.Status.FAILED
        )
        redeliver_all(request, list(failed.select_related("webhook__workspace")))


class AttemptInline(admin.TabularInline):
    """Every attempt of a delivery."""

    model = DeliveryAttempt
    readonly_fields = ["number", "attempted_at", "duration_ms", "status_code", "succeeded", "error", "response_excerpt"]
    fields = tuple(readonly_fields)
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The full delivery log, read-only, with redelivery."""

    list_display = [
        "id",
        "event_name",
        "webhook",
        "status",
        "attempt_count",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "webhook__workspace"]
    list_select_related = ["event", "webhook"]
    readonly_fields = [
        "webhook",
        "event",
        "event_name",
        "status",
        "attempt_count",
        "round_attempts",
        "last_status_code",
        "next_attempt_at",
        "task_id",
        "created_at",
        "updated_at",
        "delivered_at",
    ]
    fields = tuple(readonly_fields)
    inlines = [AttemptInline]
    actions = ["redeliver"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="event")
    def event_name(self, obj: Delivery) -> str:
        return obj.event.name

    @admin.action(description="Redeliver selected deliveries")
    def redeliver(self, request, queryset) -> None:
        live = queryset.filter(webhook__deleted_at__isnull=True).select_related("webhook__workspace")
        redeliver_all(request, list(live))
