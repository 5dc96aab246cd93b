"""App config of core_app: the record store, the query engine and the record APIs."""

from django.apps import AppConfig


class CoreAppConfig(AppConfig):
    """Connects the receivers through which the record store takes part in data-model changes."""

    name = "core_app"
    verbose_name = "Records"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core_app import receivers  # noqa: F401  (registers receivers)
        from core_app.services import timeline  # noqa: F401  (writes the timeline in each writing transaction)
        from core_app.store import sqlite_functions  # noqa: F401  (SQL functions of SQLite connections)
