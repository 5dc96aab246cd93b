"""Seed Admin and Member in every existing workspace, with Admin as its default role (api-reference 14.2)."""

from django.db import migrations

ADMIN = {
    "label": "Admin",
    "description": "Admin role",
    "icon": "IconUserCog",
    "standard": "admin",
    "is_editable": False,
    "can_update_all_settings": True,
}
MEMBER = {
    "label": "Member",
    "description": "Member role",
    "icon": "IconUser",
    "standard": "member",
    "is_editable": True,
    "can_update_all_settings": False,
}
ALL_RECORDS = {
    "can_read_all_object_records": True,
    "can_update_all_object_records": True,
    "can_soft_delete_all_object_records": True,
    "can_destroy_all_object_records": True,
}


def seed(apps, schema_editor):
    Workspace = apps.get_model("metadata_app", "Workspace")
    Role = apps.get_model("roles_app", "Role")
    for workspace in Workspace.objects.filter(default_role__isnull=True):
        admin = Role.objects.filter(workspace=workspace, standard="admin").first()
        if admin is None:
            admin = Role.objects.create(workspace=workspace, **ADMIN, **ALL_RECORDS)
        if not Role.objects.filter(workspace=workspace, standard="member").exists():
            Role.objects.create(workspace=workspace, **MEMBER, **ALL_RECORDS)
        Workspace.objects.filter(pk=workspace.pk).update(default_role=admin)


class Migration(migrations.Migration):
    dependencies = [
        ("roles_app", "0001_initial"),
        ("metadata_app", "0003_workspace_settings"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
