"""App config of roles_app: roles, their object, field and settings permissions, and the checks."""

from django.apps import AppConfig


class RolesAppConfig(AppConfig):
    """Roles of a workspace and the permissions compiled from them, memoised per role version."""

    name = "roles_app"
    verbose_name = "Roles"
    default_auto_field = "django.db.models.BigAutoField"
