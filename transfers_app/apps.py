"""App config of transfers_app: import jobs (CSV, NDJSON) and streamed exports of records."""

from django.apps import AppConfig


class TransfersAppConfig(AppConfig):
    """Import jobs run on the task worker; exports stream from the query engine."""

    name = "transfers_app"
    verbose_name = "Imports and exports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core_app.openapi import register_paths
        from transfers_app import receivers  # noqa: F401  (deletes a deleted workspace's imports)
        from transfers_app.openapi import import_paths, import_rights, job_paths

        register_paths(import_paths, import_rights, job_paths)
