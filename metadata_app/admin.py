"""Admin for workspaces, objects and fields: every write goes through the metadata services.

Forms call the service in ``clean()``: a rule the service refuses becomes a form error and
nothing is written; a success is what the admin then shows (``save_form`` returns it).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from metadata_app.field_types import FIELD_TYPES
from metadata_app.models import FieldMetadata, ObjectMetadata, Workspace
from metadata_app.services import fields as field_services
from metadata_app.services import objects as object_services
from metadata_app.services.workspaces import create_workspace


class ServiceForm(forms.ModelForm):
    """A model form whose ``clean()`` performs the write through a service (``run_service``)."""

    service_result: Any = None

    def clean(self) -> dict[str, Any]:
        super().clean()  # a ModelForm returns its cleaned_data
        cleaned = self.cleaned_data
        if not self.errors:
            try:
                self.service_result = self.run_service(cleaned)
            except ValidationError as error:
                raise forms.ValidationError(error.messages) from None
        return cleaned

    def run_service(self, cleaned: dict[str, Any]) -> Any:
        raise NotImplementedError

    @property
    def editing(self) -> bool:
        """True on a change form. ``instance.pk`` cannot tell: UUID keys are set on a new instance."""
        return not self.instance._state.adding

    def _post_clean(self) -> None:
        # The service validated; skip the model's own unique checks on a half-filled instance.
        pass


class ServiceAdmin(admin.ModelAdmin):
    """Saves by taking the object the form's service call produced."""

    def save_form(self, request, form, change):
        return form.service_result

    def save_model(self, request, obj, form, change) -> None:
        pass

    def save_related(self, request, form, formsets, change) -> None:
        pass

    def construct_change_message(self, request, form, formsets, add=False):
        # Inlines are read-only and never saved (see save_related), so only the form has changes.
        return super().construct_change_message(request, form, [], add)


class WorkspaceForm(ServiceForm):
    class Meta:
        model = Workspace
        fields = ["display_name"]

    def run_service(self, cleaned):
        if self.editing:
            Workspace.objects.filter(pk=self.instance.pk).update(display_name=cleaned["display_name"])
            return Workspace.objects.get(pk=self.instance.pk)
        return create_workspace(cleaned["display_name"])


@admin.register(Workspace)
class WorkspaceAdmin(ServiceAdmin):
    """Workspaces; a new one is seeded with the standard objects."""

    form = WorkspaceForm
    list_display = ["display_name", "id", "metadata_version", "created_at"]
    readonly_fields = ["id", "metadata_version", "created_at", "updated_at"]
    search_fields = ["display_name"]

    def get_deleted_objects(self, objs, request):
        """Summarise what goes with each workspace instead of listing it row by row.

        Django's confirmation page collects every dependent row, which for a workspace means
        every event (and, through the store, records by the million): the page would load them
        all and its query would exceed PostgreSQL's parameter limit. The deletion itself is
        set-wise (``Workspace.delete``). Deleting a workspace needs only the workspace permission.
        """
        to_delete = [
            f"Workspace: {workspace} (with its {workspace.objects_metadata.count()} objects and their fields, "
            f"{workspace.roles.count()} roles, {workspace.api_keys.count()} API keys, "
            f"{workspace.webhooks.count()} webhooks, and every record, event, delivery and import of it)"
            for workspace in objs
        ]
        perms_needed = set() if self.has_delete_permission(request) else {"workspace"}
        return to_delete, {Workspace._meta.verbose_name_plural: len(to_delete)}, perms_needed, []


class FieldInline(admin.TabularInline):
    """Fields of an object, read-only here; edit them on the field page."""

    model = FieldMetadata
    fk_name = "object"
    readonly_fields = ["name", "type", "label", "is_custom", "is_active", "is_nullable", "is_unique"]
    fields = tuple(readonly_fields)
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ObjectForm(ServiceForm):
    class Meta:
        model = ObjectMetadata
        fields = [
            "workspace",
            "name_singular",
            "name_plural",
            "label_singular",
            "label_plural",
            "description",
            "icon",
            "is_active",
        ]

    def run_service(self, cleaned):
        data = {
            "nameSingular": cleaned["name_singular"],
            "namePlural": cleaned["name_plural"],
            "labelSingular": cleaned["label_singular"],
            "labelPlural": cleaned["label_plural"],
            "description": cleaned.get("description") or None,
            "icon": cleaned.get("icon") or None,
        }
        if self.editing:
            return object_services.update_object(
                self.instance.workspace, self.instance.pk, {**data, "isActive": cleaned["is_active"]}
            )
        return object_services.create_object(cleaned["workspace"], data)


@admin.register(ObjectMetadata)
class ObjectMetadataAdmin(ServiceAdmin):
    """Objects with their fields inline; create, rename, deactivate and delete through the services."""

    form = ObjectForm
    inlines = [FieldInline]
    list_display = ["name_singular", "name_plural", "workspace", "is_custom", "is_active", "is_system"]
    list_filter = ["workspace", "is_custom", "is_active"]
    search_fields = ["name_singular", "name_plural", "label_singular"]

    def get_readonly_fields(self, request, obj=None):
        return ["workspace"] if obj else []

    def delete_model(self, request, obj) -> None:
        try:
            object_services.delete_object(obj.workspace, obj.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class FieldForm(ServiceForm):
    type = forms.ChoiceField(choices=[(t, t) for t in FIELD_TYPES if t not in ("RELATION", "ACTOR", "POSITION")])

    class Meta:
        model = FieldMetadata
        fields = [
            "object",
            "type",
            "name",
            "label",
            "description",
            "is_active",
            "is_nullable",
            "is_unique",
            "options",
            "settings",
            "default_value",
        ]

    def run_service(self, cleaned):
        data = {
            "name": cleaned["name"],
            "label": cleaned["label"],
            "description": cleaned.get("description") or None,
            "isNullable": cleaned["is_nullable"],
            "isUnique": cleaned["is_unique"],
        }
        for key, attr in (("options", "options"), ("settings", "settings"), ("defaultValue", "default_value")):
            if cleaned.get(attr) is not None:
                data[key] = cleaned[attr]
        if self.editing:
            return field_services.update_field(
                self.instance.workspace, self.instance.pk, {**data, "isActive": cleaned["is_active"]}
            )
        obj = cleaned["object"]
        return field_services.create_field(
            obj.workspace, {**data, "type": cleaned["type"], "objectMetadataId": str(obj.pk)}
        )


@admin.register(FieldMetadata)
class FieldMetadataAdmin(ServiceAdmin):
    """Fields; create, change and delete through the services (relations through the API)."""

    form = FieldForm
    list_display = ["name", "object", "type", "is_custom", "is_active", "is_nullable", "is_unique"]
    list_filter = ["type", "is_custom", "is_active", "workspace"]
    search_fields = ["name", "label"]

    def get_readonly_fields(self, request, obj=None):
        return ["object", "type", "storage_key"] if obj else ["storage_key"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["fields"] = [f for f in FieldForm.Meta.fields if f not in ("object", "type")]
        return super().get_form(request, obj, change, **kwargs)

    def delete_model(self, request, obj) -> None:
        try:
            field_services.delete_field(obj.workspace, obj.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
