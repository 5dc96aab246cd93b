"""Admin for API keys: creation shows the token once; revocation is an action."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from apikeys_app import services
from apikeys_app.models import ApiKey


class ApiKeyForm(forms.ModelForm):
    """Creates the key through the service; the token is kept for the one message that shows it."""

    class Meta:
        model = ApiKey
        fields = ["workspace", "name", "expires_at"]

    def clean(self):
        super().clean()  # a ModelForm returns its cleaned_data
        cleaned = self.cleaned_data
        if self.errors:
            return cleaned
        data = {
            "name": cleaned["name"],
            "expiresAt": cleaned["expires_at"].isoformat() if cleaned.get("expires_at") else None,
        }
        try:
            # Not ``instance.pk``: the UUID key is already set on a new instance.
            if not self.instance._state.adding:
                self.result, self.token = services.update_api_key(self.instance.workspace, self.instance.pk, data), None
            else:
                self.result, self.token = services.create_api_key(cleaned["workspace"], data)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None
        return cleaned

    def _post_clean(self) -> None:
        pass


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """API keys with status and last use; tokens are never displayed after creation."""

    form = ApiKeyForm
    list_display = ["name", "workspace", "status", "last4", "expires_at", "revoked_at", "last_used_at", "created_at"]
    list_filter = ["workspace"]
    readonly_fields = ["last4", "revoked_at", "last_used_at", "deleted_at", "created_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "workspace"] if obj else self.readonly_fields

    def save_form(self, request, form, change):
        if form.token:
            messages.warning(request, f"Token for “{form.result.name}” (shown once, copy it now): {form.token}")
        return form.result

    def save_model(self, request, obj, form, change) -> None:
        pass

    def save_related(self, request, form, formsets, change) -> None:
        # The service saved the key in clean(); the form itself never saves, so it has no save_m2m.
        pass

    @admin.action(description="Revoke selected API keys")
    def revoke(self, request, queryset) -> None:
        for api_key in queryset:
            services.revoke_api_key(api_key.workspace, api_key.pk)
        messages.success(request, f"Revoked {queryset.count()} key(s).")

    def delete_model(self, request, obj) -> None:
        services.delete_api_key(obj.workspace, obj.pk)

    def delete_queryset(self, request, queryset) -> None:
        for api_key in queryset:
            services.delete_api_key(api_key.workspace, api_key.pk)
