"""Admin smoke tests: every write goes through the services, so the admin keeps the API's rules."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from metadata_app.models import FieldMetadata, ObjectMetadata, Workspace
from tests.metadata.helpers import STANDARD_NAMES, field_id, object_id
from tests.seeding import fast_client


@pytest.fixture
def admin_client(db) -> Client:
    # No password: hashing one takes a second; force_login needs none.
    user = User.objects.create_superuser("admin", "admin@example.com", None)
    client = fast_client(None).client
    client.force_login(user)
    return client


def form_errors(response) -> list[str]:
    """The non-field errors of the admin form on a re-displayed page."""
    return list(response.context["adminform"].form.non_field_errors())


@pytest.mark.parametrize(
    "path",
    [
        "/admin/metadata_app/workspace/",
        "/admin/metadata_app/objectmetadata/",
        "/admin/metadata_app/fieldmetadata/",
        "/admin/apikeys_app/apikey/",
        "/admin/metadata_app/objectmetadata/add/",
        "/admin/metadata_app/fieldmetadata/add/",
        "/admin/apikeys_app/apikey/add/",
        "/admin/metadata_app/workspace/add/",
    ],
)
def test_admin_pages_render(admin_client, workspace, path):
    assert admin_client.get(path).status_code == 200


def test_change_pages_render(admin_client, workspace):
    person = object_id(workspace, "person")
    assert admin_client.get(f"/admin/metadata_app/objectmetadata/{person}/change/").status_code == 200
    assert (
        admin_client.get(
            f"/admin/metadata_app/fieldmetadata/{field_id(workspace, 'person', 'city')}/change/"
        ).status_code
        == 200
    )
    assert admin_client.get(f"/admin/metadata_app/workspace/{workspace.pk}/change/").status_code == 200


def test_admin_creates_a_seeded_workspace(admin_client):
    # when
    response = admin_client.post("/admin/metadata_app/workspace/add/", {"display_name": "Initech"})
    # then
    assert (response.status_code, response["Location"]) == (302, "/admin/metadata_app/workspace/")
    workspace = Workspace.objects.get(display_name="Initech")
    names = sorted(ObjectMetadata.objects.filter(workspace=workspace).values_list("name_singular", flat=True))
    assert names == STANDARD_NAMES


def test_admin_renames_a_workspace(admin_client, workspace):
    response = admin_client.post(f"/admin/metadata_app/workspace/{workspace.pk}/change/", {"display_name": "Acme Corp"})
    assert response.status_code == 302
    assert Workspace.objects.get(pk=workspace.pk).display_name == "Acme Corp"


def object_form(workspace, **overrides) -> dict:
    data = {
        "workspace": str(workspace.pk),
        "name_singular": "rocket",
        "name_plural": "rockets",
        "label_singular": "Rocket",
        "label_plural": "Rockets",
        "description": "",
        "icon": "",
        "is_active": "on",
        "fields-TOTAL_FORMS": "0",
        "fields-INITIAL_FORMS": "0",
    }
    return {**data, **overrides}


def test_admin_creates_a_custom_object_with_its_default_fields(admin_client, workspace):
    response = admin_client.post("/admin/metadata_app/objectmetadata/add/", object_form(workspace))
    assert response.status_code == 302
    rocket = ObjectMetadata.objects.get(workspace=workspace, name_singular="rocket")
    assert FieldMetadata.objects.filter(object=rocket, name="name").exists()
    assert FieldMetadata.objects.filter(object__name_singular="noteTarget", workspace=workspace, name="rocket").exists()


@pytest.mark.parametrize(
    "overrides, message",
    [
        (
            {"name_singular": "Rocket"},
            'nameSingular "Rocket" is invalid: it must start with a lower-case letter and '
            'contain only letters and digits (camelCase), e.g. "myObject"',
        ),
        ({"name_plural": "rocket"}, "The singular and plural name cannot be the same for an object"),
        ({"name_singular": "workspace", "name_plural": "workspaceItems"}, 'The name "workspace" is not available'),
        (
            {"name_singular": "person", "name_plural": "persons"},
            'The name "person" is already used by object "person" (people)',
        ),
    ],
    ids=["syntax", "singular-is-plural", "reserved", "taken"],
)
def test_admin_object_form_shows_the_service_message(admin_client, workspace, overrides, message):
    # when
    response = admin_client.post("/admin/metadata_app/objectmetadata/add/", object_form(workspace, **overrides))
    # then
    assert response.status_code == 200
    assert form_errors(response) == [message]
    assert not ObjectMetadata.objects.filter(
        workspace=workspace, name_plural=overrides.get("name_plural", "rockets"), is_custom=True
    ).exists()


def test_admin_changes_an_object_through_the_service(admin_client, workspace):
    # given
    company = object_id(workspace, "company")
    # when
    response = admin_client.post(
        f"/admin/metadata_app/objectmetadata/{company}/change/",
        object_form(
            workspace,
            name_singular="company",
            name_plural="companies",
            label_singular="Account",
            label_plural="Accounts",
        ),
    )
    # then
    assert response.status_code == 302
    company_row = ObjectMetadata.objects.get(pk=company)
    assert (company_row.label_singular, company_row.label_plural, company_row.name_singular) == (
        "Account",
        "Accounts",
        "company",
    )


def test_admin_refuses_to_rename_a_standard_object(admin_client, workspace):
    person = object_id(workspace, "person")
    response = admin_client.post(
        f"/admin/metadata_app/objectmetadata/{person}/change/",
        object_form(
            workspace,
            name_singular="human",
            name_plural="humans",
            label_singular="Person",
            label_plural="People",
        ),
    )
    assert response.status_code == 200
    assert form_errors(response) == ['Standard object "person" cannot be renamed']


def test_admin_refuses_to_delete_a_standard_object(admin_client, workspace):
    person = object_id(workspace, "person")
    response = admin_client.post(f"/admin/metadata_app/objectmetadata/{person}/delete/", {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert ObjectMetadata.objects.filter(pk=person).exists()
    assert 'Standard object "person" cannot be deleted; deactivate it instead (isActive: false)' in [
        str(m) for m in response.context["messages"]
    ]


def field_form(workspace, **overrides) -> dict:
    data = {
        "object": object_id(workspace, "person"),
        "type": "TEXT",
        "name": "nickname",
        "label": "Nickname",
        "description": "",
        "is_active": "on",
        "is_nullable": "on",
        "options": "",
        "settings": "",
        "default_value": "",
    }
    return {**data, **overrides}


def test_admin_creates_a_field_through_the_service(admin_client, workspace):
    response = admin_client.post(
        "/admin/metadata_app/fieldmetadata/add/", field_form(workspace, default_value='"anon"')
    )
    assert response.status_code == 302
    field = FieldMetadata.objects.get(workspace=workspace, name="nickname")
    assert (field.storage_key, field.default_value, field.is_custom) == ("nickname", "anon", True)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"name": "jobTitle"}, 'Field "jobTitle" already exists on object "person"'),
        ({"name": "companyId"}, 'Field "companyId" already exists on object "person"'),
        ({"default_value": "12"}, "defaultValue is invalid: expected a string, got 12"),
        (
            {"type": "RAW_JSON", "default_value": "NaN"},
            "defaultValue is invalid: expected JSON, got a non-finite number (NaN and Infinity are not JSON)",
        ),
    ],
    ids=["taken", "join-name", "bad-default", "nan-default"],
)
def test_admin_field_form_shows_the_service_message(admin_client, workspace, overrides, message):
    response = admin_client.post("/admin/metadata_app/fieldmetadata/add/", field_form(workspace, **overrides))
    assert response.status_code == 200
    assert form_errors(response) == [message]


def test_admin_refuses_to_delete_a_standard_field(admin_client, workspace):
    city = field_id(workspace, "person", "city")
    response = admin_client.post(f"/admin/metadata_app/fieldmetadata/{city}/delete/", {"post": "yes"}, follow=True)
    assert FieldMetadata.objects.filter(pk=city).exists()
    assert 'Standard field "city" cannot be deleted; deactivate it instead (isActive: false)' in [
        str(m) for m in response.context["messages"]
    ]
