"""App config of metadata_app: workspaces, objects, fields, the field-type table and the registry."""

from django.apps import AppConfig


class MetadataAppConfig(AppConfig):
    """Connects the signal receivers that keep the metadata version current."""

    name = "metadata_app"
    verbose_name = "Data model"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from metadata_app import signals  # noqa: F401  (registers receivers)
