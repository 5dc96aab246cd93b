"""The schema registry: versions bump on every change, and a change made anywhere is seen next time."""

from __future__ import annotations

import pytest

from metadata_app.models import FieldMetadata, ObjectMetadata, Workspace
from metadata_app.registry import SchemaRegistry, schema_registry
from metadata_app.services.fields import create_field as create_field_service
from metadata_app.services.objects import update_object
from metadata_app.signals import bump_metadata_version
from tests.metadata.helpers import create_field, create_object, field_id, object_id, version_of

OBJECTS = "/rest/metadata/objects"
FIELDS = "/rest/metadata/fields"


def create_rocket(api, workspace):
    create_object(api)


def update_person(api, workspace):
    api.patch(f"{OBJECTS}/{object_id(workspace, 'person')}", {"labelPlural": "Humans"})


def delete_custom_object(api, workspace):
    # Deactivated by a queryset update (no signal, no version bump): the DELETE is the change measured.
    ObjectMetadata.objects.filter(workspace=workspace, name_singular="rocket").update(is_active=False)
    assert api.delete(f"{OBJECTS}/{object_id(workspace, 'rocket')}")[0] == 200


def add_text_field(api, workspace):
    create_field(api, object_id(workspace, "person"), "nickname")


def add_relation(api, workspace):
    create_field(
        api,
        object_id(workspace, "person"),
        "employer",
        type="RELATION",
        relationCreationPayload={
            "targetObjectMetadataId": object_id(workspace, "company"),
            "targetFieldLabel": "Staff",
            "type": "MANY_TO_ONE",
        },
    )


def update_field(api, workspace):
    api.patch(f"{FIELDS}/{field_id(workspace, 'person', 'jobTitle')}", {"label": "Role"})


def delete_field(api, workspace):
    # Deactivated by a queryset update (no signal, no version bump): the DELETE is the change measured.
    FieldMetadata.objects.filter(workspace=workspace, object__name_singular="rocket", name="code").update(
        is_active=False
    )
    assert api.delete(f"{FIELDS}/{field_id(workspace, 'rocket', 'code')}")[0] == 200


def admin_style_save(api, workspace):
    field = FieldMetadata.objects.get(workspace=workspace, object__name_singular="person", name="city")
    field.label = "Town"
    field.save()


def admin_style_delete(api, workspace):
    FieldMetadata.objects.get(workspace=workspace, object__name_singular="rocket", name="code").delete()


CHANGES = [
    create_rocket,
    update_person,
    delete_custom_object,
    add_text_field,
    add_relation,
    update_field,
    delete_field,
    admin_style_save,
    admin_style_delete,
]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__ for c in CHANGES])
def test_every_metadata_change_bumps_the_workspace_version(api, workspace, other_workspace, change):
    # given: a custom object with a custom field, for the changes that delete them
    if change is not create_rocket:
        rocket = create_object(api)
        create_field(api, rocket["id"], "code")
    before, other_before = version_of(workspace), version_of(other_workspace)
    # when
    change(api, workspace)
    # then
    assert version_of(workspace) > before
    assert version_of(other_workspace) == other_before


@pytest.mark.parametrize(
    "path, body",
    [
        (OBJECTS, {"nameSingular": "Rocket", "namePlural": "rockets", "labelSingular": "R", "labelPlural": "Rs"}),
        (OBJECTS, {"nameSingular": "position", "namePlural": "positions", "labelSingular": "P", "labelPlural": "Ps"}),
        (FIELDS, {"type": "TEXT", "name": "city", "label": "City"}),
    ],
    ids=["bad-object-name", "taken-by-note-target", "taken-field-name"],
)
def test_a_refused_change_leaves_the_version_and_the_model_unchanged(api, workspace, path, body):
    # given
    before = version_of(workspace)
    objects, fields = ObjectMetadata.objects.count(), FieldMetadata.objects.count()
    if path == FIELDS:
        body = {**body, "objectMetadataId": object_id(workspace, "person")}
    # when
    status, _ = api.post(path, body)
    # then
    assert status == 400
    assert version_of(workspace) == before
    assert (ObjectMetadata.objects.count(), FieldMetadata.objects.count()) == (objects, fields)


def test_a_raw_update_with_a_version_bump_is_seen_by_the_next_api_call(api, workspace):
    # given: the cache is warm
    person = object_id(workspace, "person")
    assert schema_registry.current(workspace.pk).by_singular["person"].label_singular == "Person"
    # when: another process (or the admin) changes the row without going through this process
    ObjectMetadata.objects.filter(pk=person).update(label_singular="Human")
    bump_metadata_version(workspace.pk)
    # then
    status, body = api.get(f"{OBJECTS}/{person}")
    assert (status, body["data"]["object"]["labelSingular"]) == (200, "Human")
    assert schema_registry.current(workspace.pk).by_singular["person"].label_singular == "Human"


def test_a_raw_update_without_a_version_bump_is_not_seen_by_a_warm_cache(workspace):
    # this is why every write path bumps the version: the cache trusts it
    schema_registry.current(workspace.pk)
    ObjectMetadata.objects.filter(workspace=workspace, name_singular="person").update(label_singular="Human")
    assert schema_registry.current(workspace.pk).by_singular["person"].label_singular == "Person"


def test_a_service_call_is_seen_by_the_next_snapshot_without_clearing_the_cache(workspace):
    # given
    warm = schema_registry.snapshot(Workspace.objects.get(pk=workspace.pk))
    assert warm.by_singular["person"].field("nickname") is None
    # when
    create_field_service(
        workspace,
        {"objectMetadataId": object_id(workspace, "person"), "type": "TEXT", "name": "nickname", "label": "Nickname"},
    )
    # then
    fresh = schema_registry.snapshot(Workspace.objects.get(pk=workspace.pk))
    assert fresh.version > warm.version
    assert fresh.by_singular["person"].field("nickname").storage_key == "nickname"


def test_a_change_made_by_another_process_is_seen_by_this_one(workspace):
    # given: two registries stand for two worker processes; this one is warm
    this_process, other_process = SchemaRegistry(), SchemaRegistry()
    this_process.current(workspace.pk)
    other_process.current(workspace.pk)
    # when: the other process changes the model
    update_object(workspace, object_id(workspace, "company"), {"labelPlural": "Accounts"})
    # then
    assert this_process.current(workspace.pk).by_singular["company"].label_plural == "Accounts"


def test_an_admin_style_orm_save_is_seen_by_the_next_snapshot(workspace):
    schema_registry.current(workspace.pk)
    field = FieldMetadata.objects.get(workspace=workspace, object__name_singular="person", name="city")
    field.is_active = False
    field.save()
    assert schema_registry.current(workspace.pk).by_singular["person"].field("city") is None


def test_the_snapshot_is_cached_per_version(workspace):
    first = schema_registry.current(workspace.pk)
    again = schema_registry.current(workspace.pk)
    bump_metadata_version(workspace.pk)
    after = schema_registry.current(workspace.pk)
    assert again is first
    assert after is not first
    assert (first.version + 1, after.version) == (after.version, version_of(workspace))


def test_memos_are_built_once_per_snapshot(workspace):
    # given
    builds = []

    def build():
        builds.append(1)
        return len(builds)

    # when
    first = schema_registry.memo(schema_registry.current(workspace.pk), "thing", build)
    same = schema_registry.memo(schema_registry.current(workspace.pk), "thing", build)
    bump_metadata_version(workspace.pk)
    rebuilt = schema_registry.memo(schema_registry.current(workspace.pk), "thing", build)
    # then
    assert (first, same, rebuilt) == (1, 1, 2)


def test_snapshots_of_two_workspaces_are_separate(workspace, other_workspace, api):
    create_object(api)
    assert "rockets" in schema_registry.current(workspace.pk).by_plural
    assert "rockets" not in schema_registry.current(other_workspace.pk).by_plural


def test_a_deactivated_object_and_the_relations_to_it_leave_the_snapshot(api, workspace):
    # given
    company = object_id(workspace, "company")
    # when
    api.patch(f"{OBJECTS}/{company}", {"isActive": False})
    # then
    snapshot = schema_registry.current(workspace.pk)
    assert "companies" not in snapshot.by_plural
    assert snapshot.by_singular["person"].field("company") is None
    assert snapshot.by_singular["noteTarget"].field("company") is None
    assert snapshot.by_singular["person"].field("jobTitle") is not None
