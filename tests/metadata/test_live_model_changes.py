"""Changes to a data model that already holds records: storage keys, nullability, uniqueness, options.

Records are written through the record store with ``data`` keyed by storage keys, as the store keeps them.
"""

from __future__ import annotations

import pytest

from core_app.models import Record, UniqueValue
from core_app.store.records import RecordRow
from metadata_app.models import FieldMetadata
from metadata_app.registry import schema_registry
from tests.metadata.helpers import create_field, deactivate_and_delete, error, field_id, object_id
from tests.seeding import store_records

FIELDS = "/rest/metadata/fields"
PRIORITIES = [
    {"label": "Low", "value": "LOW"},
    {"label": "Medium", "value": "MEDIUM"},
    {"label": "High", "value": "HIGH"},
]


def storage_key(field: dict) -> str:
    """The storage key of an API field (not exposed by the API)."""
    return FieldMetadata.objects.get(pk=field["id"]).storage_key


def add_records(workspace, object_name: str, *datas: dict, deleted: bool = False) -> list[RecordRow]:
    """Create records of ``object_name`` with the given ``data`` dicts."""
    return store_records(workspace, object_name, *datas, deleted=deleted)


def data_of(records: list[RecordRow], key: str) -> list:
    """The value under ``key`` of each record, as stored now (missing keys as ``"<missing>"``)."""
    return [stored_data_of(r).get(key, "<missing>") for r in records]


def stored_data_of(record: RecordRow) -> dict:
    """A record's ``data`` as the store holds it now."""
    return Record.objects.get(workspace_id=record.workspace_id, id=record.id).data


# --- new fields on objects with records ------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "extra", "stored"),
    [
        pytest.param("TEXT", {"defaultValue": "'n/a'"}, "n/a", id="text"),
        pytest.param("NUMBER", {"defaultValue": 3, "isNullable": False}, 3, id="non_nullable_number"),
        pytest.param("SELECT", {"defaultValue": "'MEDIUM'", "options": PRIORITIES}, "MEDIUM", id="select"),
        pytest.param(
            "FULL_NAME",
            {"defaultValue": {"firstName": "'Jo'", "lastName": "''"}},
            {"firstName": "Jo", "lastName": ""},
            id="composite",
        ),
    ],
)
def test_a_new_field_with_a_default_gives_it_to_existing_records(api, workspace, type_, extra, stored):
    # given
    records = add_records(workspace, "person", {"jobTitle": "CEO"}, {"jobTitle": "CTO"}, deleted=False)
    # when
    field = create_field(api, object_id(workspace, "person"), "grade", type_, **extra)
    # then: every record holds the default, its other values untouched
    assert data_of(records, storage_key(field)) == [stored, stored]
    assert data_of(records, "jobTitle") == ["CEO", "CTO"]


def test_a_new_field_without_a_default_leaves_existing_records_without_a_value(api, workspace):
    # given
    records = add_records(workspace, "person", {"jobTitle": "CEO"})
    # when
    field = create_field(api, object_id(workspace, "person"), "grade", "NUMBER")
    # then
    assert data_of(records, storage_key(field)) == ["<missing>"]


# --- storage keys -------------------------------------------------------------------------------


def test_renaming_a_custom_field_keeps_its_storage_key_and_data(api, workspace):
    # given
    nickname = create_field(api, object_id(workspace, "person"), "nickname")
    add_records(workspace, "person", {"nickname": "Bob"})
    # when
    status, body = api.patch(f"{FIELDS}/{nickname['id']}", {"name": "alias"})
    # then
    assert (status, body["data"]["updateOneField"]["name"]) == (200, "alias")
    assert storage_key(nickname) == "nickname"
    alias = schema_registry.current(workspace.pk).by_singular["person"].field("alias")
    record = Record.objects.get(workspace_id=workspace.pk, object_id=object_id(workspace, "person"))
    assert alias.field_type.to_api(record.data.get(alias.storage_key), alias) == "Bob"


def test_a_new_field_with_a_deleted_fields_name_gets_a_fresh_storage_key(api, workspace):
    # given: a field with data, then deleted
    person = object_id(workspace, "person")
    first = create_field(api, person, "nickname")
    records = add_records(workspace, "person", {"nickname": "Bob"})
    deactivate_and_delete(api, f"{FIELDS}/{first['id']}")
    # when
    second = create_field(api, person, "nickname")
    second_key = storage_key(second)
    deactivate_and_delete(api, f"{FIELDS}/{second['id']}")
    third = create_field(api, person, "nickname")
    # then
    assert (second_key, storage_key(third)) == ("nickname~2", "nickname~3")
    spec = schema_registry.current(workspace.pk).by_singular["person"].field("nickname")
    assert spec.storage_key == "nickname~3"
    assert data_of(records, spec.storage_key) == ["<missing>"]


def test_a_deactivated_or_deleted_field_disappears_from_the_schema_at_once(api, workspace):
    nickname = create_field(api, object_id(workspace, "person"), "nickname")
    path = f"{FIELDS}/{nickname['id']}"
    schema_registry.current(workspace.pk)  # warm the cache
    api.patch(path, {"isActive": False})
    assert schema_registry.current(workspace.pk).by_singular["person"].field("nickname") is None
    api.patch(path, {"isActive": True})
    assert schema_registry.current(workspace.pk).by_singular["person"].field("nickname").id == nickname["id"]
    deactivate_and_delete(api, path)
    assert schema_registry.current(workspace.pk).by_singular["person"].field("nickname") is None


# --- nullability --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "datas, deleted, message",
    [
        ([{"nickname": "Bob"}, {}], False, "1 record has no value"),
        ([{"nickname": "Bob"}, {}, {"nickname": None}], False, "2 records have no value"),
        ([{"nickname": "Bob"}, {}], True, "1 record has no value"),
    ],
    ids=["one-missing", "missing-and-null", "soft-deleted-records-count"],
)
def test_making_a_field_non_nullable_is_refused_while_records_lack_a_value(api, workspace, datas, deleted, message):
    # given
    nickname = create_field(api, object_id(workspace, "person"), "nickname")
    add_records(workspace, "person", datas[0])
    add_records(workspace, "person", *datas[1:], deleted=deleted)
    # when
    status, body = api.patch(f"{FIELDS}/{nickname['id']}", {"isNullable": False})
    # then
    assert (status, body) == (
        400,
        error(400, f'Cannot make field "nickname" non-nullable: {message}. Give them a value first.'),
    )
    assert FieldMetadata.objects.get(pk=nickname["id"]).is_nullable is True


def test_making_a_field_non_nullable_is_allowed_when_every_record_has_a_value(api, workspace):
    nickname = create_field(api, object_id(workspace, "person"), "nickname")
    add_records(workspace, "person", {"nickname": "Bob"}, {"nickname": ""})
    status, body = api.patch(f"{FIELDS}/{nickname['id']}", {"isNullable": False})
    assert (status, body["data"]["updateOneField"]["isNullable"]) == (200, False)


def test_non_nullable_check_reads_the_storage_key_not_the_name(api, workspace):
    # given: a renamed field whose data sits under its old name, and a recreated one under "~2"
    person = object_id(workspace, "person")
    renamed = create_field(api, person, "nickname")
    api.patch(f"{FIELDS}/{renamed['id']}", {"name": "alias"})
    fresh = create_field(api, person, "nickname")
    add_records(workspace, "person", {"nickname": "Bob", "nickname~2": "B"}, {"nickname": "Al"})
    # when
    renamed_answer = api.patch(f"{FIELDS}/{renamed['id']}", {"isNullable": False})
    fresh_answer = api.patch(f"{FIELDS}/{fresh['id']}", {"isNullable": False})
    # then
    assert renamed_answer[0] == 200
    assert fresh_answer == (
        400,
        error(400, 'Cannot make field "nickname" non-nullable: 1 record has no value. Give them a value first.'),
    )


def test_new_non_nullable_field_needs_a_default_when_records_exist(api, workspace):
    add_records(workspace, "person", {})
    status, body = api.post(
        FIELDS,
        {
            "objectMetadataId": object_id(workspace, "person"),
            "type": "TEXT",
            "name": "nickname",
            "label": "Nickname",
            "isNullable": False,
        },
    )
    assert (status, body) == (
        400,
        error(400, 'A non-nullable field needs a defaultValue: object "person" already has records'),
    )


def test_new_non_nullable_field_with_a_default_is_allowed_when_records_exist(api, workspace):
    add_records(workspace, "person", {})
    field = create_field(api, object_id(workspace, "person"), "nickname", isNullable=False, defaultValue="anon")
    assert (field["isNullable"], field["defaultValue"]) == (False, "'anon'")


def test_changing_the_default_leaves_existing_records_alone(api, workspace):
    nickname = create_field(api, object_id(workspace, "person"), "nickname", defaultValue="anon")
    records = add_records(workspace, "person", {"nickname": "anon"}, {})
    status, _ = api.patch(f"{FIELDS}/{nickname['id']}", {"defaultValue": "someone"})
    assert status == 200
    assert data_of(records, "nickname") == ["anon", "<missing>"]


# --- uniqueness ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, message",
    [
        (["a", "a", "b"], "2 records share 1 value"),
        (["a", "a", "b", "b", "b", "c"], "5 records share 2 values"),
        (["Bob", "BOB"], "2 records share 1 value"),
    ],
    ids=["one-shared-value", "two-shared-values", "case-insensitive"],
)
def test_making_a_field_unique_is_refused_while_values_are_shared(api, workspace, values, message):
    # given
    nickname = create_field(api, object_id(workspace, "person"), "nickname")
    add_records(workspace, "person", *({"nickname": v} for v in values))
    # when
    status, body = api.patch(f"{FIELDS}/{nickname['id']}", {"isUnique": True})
    # then
    assert (status, body) == (
        400,
        error(
            400,
            f'Cannot make field "nickname" unique: {message} with another record. Make their values distinct first.',
        ),
    )
    assert UniqueValue.objects.filter(workspace_id=workspace.pk, field_id=nickname["id"]).count() == 0


def test_making_a_field_unique_registers_every_current_value(api, workspace):
    # given: distinct values, plus records without one
    nickname = create_field(api, object_id(workspace, "person"), "nickname")
    bob, al, _, _ = add_records(workspace, "person", {"nickname": "Bob"}, {"nickname": "Al"}, {"nickname": ""}, {})
    # when
    status, body = api.patch(f"{FIELDS}/{nickname['id']}", {"isUnique": True})
    # then
    assert (status, body["data"]["updateOneField"]["isUnique"]) == (200, True)
    rows = {
        (value, str(record_id), str(object_))
        for value, record_id, object_ in UniqueValue.objects.filter(
            workspace_id=workspace.pk, field_id=nickname["id"]
        ).values_list("value", "record_id", "object_id")
    }
    person = str(FieldMetadata.objects.get(pk=nickname["id"]).object_id)
    assert rows == {("bob", bob.id, person), ("al", al.id, person)}


def test_making_a_composite_field_unique_compares_its_primary_sub_field(api, workspace):
    work = create_field(api, object_id(workspace, "person"), "workEmail", type="EMAILS")
    add_records(
        workspace,
        "person",
        {"workEmail": {"primaryEmail": "Ada@x.co", "additionalEmails": []}},
        {"workEmail": {"primaryEmail": "ada@x.co", "additionalEmails": ["b@x.co"]}},
    )
    status, body = api.patch(f"{FIELDS}/{work['id']}", {"isUnique": True})
    assert (status, body) == (
        400,
        error(
            400,
            'Cannot make field "workEmail" unique: 2 records share 1 value with another record. '
            "Make their values distinct first.",
        ),
    )


def test_making_a_recreated_field_unique_reads_its_own_storage_key(api, workspace):
    # given: the old field's data is shared, the new one's is distinct
    person = object_id(workspace, "person")
    old = create_field(api, person, "nickname")
    deactivate_and_delete(api, f"{FIELDS}/{old['id']}")
    new = create_field(api, person, "nickname")
    add_records(workspace, "person", {"nickname": "x", "nickname~2": "a"}, {"nickname": "x", "nickname~2": "b"})
    # when
    status, _ = api.patch(f"{FIELDS}/{new['id']}", {"isUnique": True})
    # then
    assert status == 200
    assert sorted(
        UniqueValue.objects.filter(workspace_id=workspace.pk, field_id=new["id"]).values_list("value", flat=True)
    ) == ["a", "b"]


def test_making_a_field_non_unique_drops_its_registrations(api, workspace):
    nickname = create_field(api, object_id(workspace, "person"), "nickname")
    add_records(workspace, "person", {"nickname": "Bob"})
    api.patch(f"{FIELDS}/{nickname['id']}", {"isUnique": True})
    status, _ = api.patch(f"{FIELDS}/{nickname['id']}", {"isUnique": False})
    assert status == 200
    assert UniqueValue.objects.filter(workspace_id=workspace.pk, field_id=nickname["id"]).count() == 0


# --- options ------------------------------------------------------------------------------------


@pytest.mark.parametrize("default, replacement", [("LOW", "LOW"), (None, None)], ids=["to-default", "to-null"])
def test_removing_a_select_option_resets_the_records_holding_it(api, workspace, default, replacement):
    # given
    priority = create_field(
        api, object_id(workspace, "task"), "priority", type="SELECT", options=PRIORITIES, defaultValue=default
    )
    records = add_records(workspace, "task", {"priority": "MEDIUM"}, {"priority": "HIGH"}, {"priority": "LOW"}, {})
    # when
    status, body = api.patch(f"{FIELDS}/{priority['id']}", {"options": [PRIORITIES[0], PRIORITIES[2]]})
    # then
    assert status == 200
    assert [o["value"] for o in body["data"]["updateOneField"]["options"]] == ["LOW", "HIGH"]
    assert data_of(records, "priority") == [replacement, "HIGH", "LOW", "<missing>"]


def test_removing_a_select_option_with_a_new_default_uses_the_new_default(api, workspace):
    priority = create_field(
        api, object_id(workspace, "task"), "priority", type="SELECT", options=PRIORITIES, defaultValue="LOW"
    )
    records = add_records(workspace, "task", {"priority": "LOW"}, {"priority": "HIGH"})
    status, body = api.patch(f"{FIELDS}/{priority['id']}", {"options": PRIORITIES[1:], "defaultValue": "'MEDIUM'"})
    assert (status, body["data"]["updateOneField"]["defaultValue"]) == (200, "'MEDIUM'")
    assert data_of(records, "priority") == ["MEDIUM", "HIGH"]


def test_removing_the_default_option_without_a_new_default_is_refused(api, workspace):
    # given: opportunity.stage defaults to NEW
    stage = field_id(workspace, "opportunity", "stage")
    records = add_records(workspace, "opportunity", {"stage": "NEW"})
    # when
    status, body = api.patch(f"{FIELDS}/{stage}", {"options": [{"label": "Screening", "value": "SCREENING"}]})
    # then
    assert (status, body) == (
        400,
        error(
            400,
            'defaultValue is invalid: expected one of SCREENING, got "NEW"; send a new defaultValue (or null) with the change',
        ),
    )
    assert FieldMetadata.objects.get(pk=stage).default_value == "NEW"
    assert data_of(records, "stage") == ["NEW"]


def test_removing_an_option_of_a_non_nullable_select_without_default_is_refused_with_the_count(api, workspace):
    # given
    priority = create_field(
        api, object_id(workspace, "task"), "priority", type="SELECT", options=PRIORITIES, isNullable=False
    )
    records = add_records(workspace, "task", {"priority": "MEDIUM"}, {"priority": "LOW"})
    # when
    status, body = api.patch(f"{FIELDS}/{priority['id']}", {"options": [PRIORITIES[0], PRIORITIES[2]]})
    # then
    assert (status, body) == (
        400,
        error(
            400,
            'Cannot remove options MEDIUM of field "priority": 1 record holds them and the field is non-nullable '
            "without a default among the new options",
        ),
    )
    assert data_of(records, "priority") == ["MEDIUM", "LOW"]


@pytest.mark.parametrize("default", [None, ["A"]], ids=["no-default", "list-default"])
def test_removing_a_multi_select_option_removes_it_from_every_list(api, workspace, default):
    # given
    options = [{"label": "A", "value": "A"}, {"label": "B", "value": "B"}, {"label": "C", "value": "C"}]
    tags = create_field(
        api, object_id(workspace, "company"), "tags", type="MULTI_SELECT", options=options, defaultValue=default
    )
    records = add_records(workspace, "company", {"tags": ["A", "B"]}, {"tags": ["B"]}, {"tags": ["C"]}, {"tags": None})
    # when
    status, _body = api.patch(f"{FIELDS}/{tags['id']}", {"options": [options[0], options[2]]})
    # then
    assert status == 200
    assert data_of(records, "tags") == [["A"], [], ["C"], None]


# --- a NUMBER's dataType ------------------------------------------------------------------------------


def test_a_numbers_data_type_is_refused_while_records_hold_values_it_cannot_take(api, workspace):
    # given: a float field, one record holding 1.5 and one holding 2
    field = create_field(api, object_id(workspace, "person"), "score", "NUMBER")
    add_records(workspace, "person", {storage_key(field): 1.5}, {storage_key(field): 2})
    # when
    status, body = api.patch(f"{FIELDS}/{field['id']}", {"settings": {"dataType": "int"}})
    # then
    assert (status, body) == (
        400,
        error(
            400,
            'Cannot change the dataType of field "score" to int: 1 record holds a value it cannot take (such as 1.5). '
            "Change those values first.",
        ),
    )
    assert (FieldMetadata.objects.get(pk=field["id"]).settings or {}).get("dataType") != "int"


def test_a_numbers_data_type_changes_when_every_value_fits(api, workspace):
    # given
    field = create_field(api, object_id(workspace, "person"), "score", "NUMBER")
    add_records(workspace, "person", {storage_key(field): 1}, {storage_key(field): 2})
    # when
    status, body = api.patch(f"{FIELDS}/{field['id']}", {"settings": {"dataType": "int"}})
    # then
    assert (status, body["data"]["updateOneField"]["settings"]["dataType"]) == (200, "int")
