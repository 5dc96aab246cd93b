"""The name rules of api-reference 3.5, each answered with its own 400 message."""

from __future__ import annotations

import pytest

from metadata_app.models import FieldMetadata, ObjectMetadata
from tests.metadata.helpers import create_field, create_object, error, field_id, object_id

OBJECTS = "/rest/metadata/objects"
FIELDS = "/rest/metadata/fields"


def post_object(api, singular: str, plural: str):
    """POST an object with the given names and plain labels."""
    return api.post(
        OBJECTS, {"nameSingular": singular, "namePlural": plural, "labelSingular": "Thing", "labelPlural": "Things"}
    )


def post_field(api, object_metadata_id: str, name: str, type: str = "TEXT", **extra):
    """POST a field with the given name."""
    return api.post(
        FIELDS, {"objectMetadataId": object_metadata_id, "type": type, "name": name, "label": "Thing", **extra}
    )


def invalid_name(what: str, name: str) -> str:
    return (
        f'{what} "{name}" is invalid: it must start with a lower-case letter and contain only letters and '
        'digits (camelCase), e.g. "myObject"'
    )


BAD_NAMES = ["Rocket", "1rocket", "rocket_ship", "rocket-ship", "rocket ship", "rockét", "_rocket"]
BAD_NAME_IDS = ["upper-case-start", "digit-start", "underscore", "hyphen", "space", "accent", "leading-underscore"]


# --- syntax and length --------------------------------------------------------------------------


@pytest.mark.parametrize("name", BAD_NAMES, ids=BAD_NAME_IDS)
def test_object_singular_name_must_be_camel_case(api, workspace, name):
    status, body = post_object(api, name, "rockets")
    assert (status, body) == (400, error(400, invalid_name("nameSingular", name)))
    assert not ObjectMetadata.objects.filter(workspace=workspace, name_plural="rockets").exists()


@pytest.mark.parametrize("name", BAD_NAMES, ids=BAD_NAME_IDS)
def test_object_plural_name_must_be_camel_case(api, name):
    status, body = post_object(api, "rocket", name)
    assert (status, body) == (400, error(400, invalid_name("namePlural", name)))


@pytest.mark.parametrize("name", BAD_NAMES, ids=BAD_NAME_IDS)
def test_field_name_must_be_camel_case(api, workspace, name):
    status, body = post_field(api, object_id(workspace, "person"), name)
    assert (status, body) == (400, error(400, invalid_name("name", name)))


def test_object_names_of_63_characters_are_accepted(api):
    # given
    singular, plural = "a" + "b" * 62, "c" + "d" * 62
    # when
    status, body = post_object(api, singular, plural)
    # then
    assert status == 201
    assert (body["data"]["createOneObject"]["nameSingular"], body["data"]["createOneObject"]["namePlural"]) == (
        singular,
        plural,
    )


@pytest.mark.parametrize("what", ["nameSingular", "namePlural"])
def test_object_name_of_64_characters_is_refused(api, what):
    long_name = "a" * 64
    names = {"nameSingular": "rocket", "namePlural": "rockets", what: long_name}
    status, body = post_object(api, names["nameSingular"], names["namePlural"])
    assert (status, body) == (400, error(400, f'{what} "{long_name}" is too long: 64 characters, at most 63'))


def test_field_name_of_63_characters_is_accepted_and_64_refused(api, workspace):
    person = object_id(workspace, "person")
    ok = post_field(api, person, "f" * 63)
    too_long = post_field(api, person, "g" * 64)
    assert (ok[0], ok[1]["data"]["createOneField"]["name"]) == (201, "f" * 63)
    assert too_long == (400, error(400, f'name "{"g" * 64}" is too long: 64 characters, at most 63'))


@pytest.mark.parametrize("value", [None, 42, ""], ids=["null", "number", "empty"])
def test_field_name_must_be_a_non_empty_string(api, workspace, value):
    status, body = post_field(api, object_id(workspace, "person"), value)
    assert (status, body) == (400, error(400, "name is required and must be a string"))


# --- reserved words -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "singular, plural, reserved",
    [
        ("workspace", "workspaceItems", "workspace"),
        ("user", "userItems", "user"),
        ("billingSubscriptionItem", "billingSubscriptionItemList", "billingSubscriptionItem"),
        ("approvedAccessDomain", "approvedAccessDomainList", "approvedAccessDomain"),
        ("pageLayoutWidget", "pageLayoutWidgetList", "pageLayoutWidget"),
        ("rocket", "roles", "roles"),
        ("rocket", "featureFlags", "featureFlags"),
        ("event", "happenings", "event"),
        ("field", "meadows", "field"),
        ("link", "chains", "link"),
        ("type", "kinds", "type"),
        ("object", "things", "object"),
        ("relation", "relatives", "relation"),
        ("currency", "monies", "currency"),
        ("money", "currencies", "currencies"),
        ("fullName", "fullNames", "fullNames"),
        ("address", "places", "address"),
        ("place", "addresses", "addresses"),
        ("index", "indices", "index"),
        ("aggregate", "aggregates", "aggregate"),
        ("plan", "schemes", "plan"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_reserved_object_name_is_refused(api, singular, plural, reserved):
    status, body = post_object(api, singular, plural)
    assert (status, body) == (400, error(400, f'The name "{reserved}" is not available'))


# --- singular, plural and other objects ---------------------------------------------------------


def test_singular_equal_to_plural_is_refused(api):
    status, body = post_object(api, "sheep", "sheep")
    assert (status, body) == (400, error(400, "The singular and plural name cannot be the same for an object"))


@pytest.mark.parametrize(
    "singular, plural, clashing",
    [
        ("person", "persons", "person"),
        ("people", "peoples", "people"),
        ("human", "person", "person"),
        ("human", "people", "people"),
    ],
    ids=["singular-vs-singular", "singular-vs-plural", "plural-vs-singular", "plural-vs-plural"],
)
def test_name_used_by_another_object_is_refused(api, singular, plural, clashing):
    status, body = post_object(api, singular, plural)
    assert (status, body) == (400, error(400, f'The name "{clashing}" is already used by object "person" (people)'))


def test_renaming_a_custom_object_to_another_objects_name_is_refused(api):
    rocket = create_object(api)
    status, body = api.patch(f"{OBJECTS}/{rocket['id']}", {"namePlural": "companies"})
    assert (status, body) == (400, error(400, 'The name "companies" is already used by object "company" (companies)'))


def test_renaming_a_custom_object_follows_the_syntax_rules(api):
    rocket = create_object(api)
    status, body = api.patch(f"{OBJECTS}/{rocket['id']}", {"nameSingular": "Rocket"})
    assert (status, body) == (400, error(400, invalid_name("nameSingular", "Rocket")))


@pytest.mark.parametrize(
    "singular, taken",
    [("position", "position"), ("createdBy", "createdBy"), ("personId", "personId"), ("note", None)],
    ids=["system-field", "actor-field", "join-name", "object-name"],
)
def test_singular_taken_by_a_note_target_field_is_refused(api, workspace, singular, taken):
    # a new object gets a field named after its singular on noteTarget and taskTarget
    status, body = post_object(api, singular, f"{singular}List")
    if taken is None:
        expected = f'The name "{singular}" is already used by object "note" (notes)'
    else:
        expected = f'The name "{singular}" is not available: object "noteTarget" already has a field "{taken}"'
    assert (status, body) == (400, error(400, expected))
    assert not ObjectMetadata.objects.filter(workspace=workspace, name_plural=f"{singular}List").exists()


# --- field names on one object ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["jobTitle", "name", "id", "createdAt", "company", "searchVector"])
def test_field_name_already_used_on_the_object_is_refused(api, workspace, name):
    status, body = post_field(api, object_id(workspace, "person"), name)
    assert (status, body) == (400, error(400, f'Field "{name}" already exists on object "person"'))


def test_same_field_name_on_another_object_is_accepted(api, workspace):
    create_field(api, object_id(workspace, "person"), "nickname")
    status, body = post_field(api, object_id(workspace, "company"), "nickname")
    assert (status, body["data"]["createOneField"]["name"]) == (201, "nickname")


def test_field_named_like_a_join_name_is_refused(api, workspace):
    # person.company is MANY_TO_ONE and owns the join name companyId
    status, body = post_field(api, object_id(workspace, "person"), "companyId")
    assert (status, body) == (400, error(400, 'Field "companyId" already exists on object "person"'))


def test_many_to_one_relation_whose_join_name_is_taken_is_refused(api, workspace):
    # given: a plain field named like the join name the relation would own
    person = object_id(workspace, "person")
    create_field(api, person, "mentorId")
    # when
    status, body = post_field(
        api,
        person,
        "mentor",
        type="RELATION",
        relationCreationPayload={
            "targetObjectMetadataId": object_id(workspace, "company"),
            "targetFieldLabel": "Mentees",
            "type": "MANY_TO_ONE",
        },
    )
    # then
    assert (status, body) == (400, error(400, 'Field "mentorId" already exists on object "person"'))


def test_relation_whose_target_field_name_is_taken_is_refused(api, workspace):
    status, body = post_field(
        api,
        object_id(workspace, "opportunity"),
        "sponsor",
        type="RELATION",
        relationCreationPayload={
            "targetObjectMetadataId": object_id(workspace, "company"),
            "targetFieldLabel": "People",
            "type": "MANY_TO_ONE",
        },
    )
    assert (status, body) == (400, error(400, 'Field "people" already exists on object "company"'))
    assert not FieldMetadata.objects.filter(workspace=workspace, name="sponsor").exists()


def test_renaming_a_field_to_a_name_in_use_is_refused(api, workspace):
    nickname = create_field(api, object_id(workspace, "person"), "nickname")
    status, body = api.patch(f"{FIELDS}/{nickname['id']}", {"name": "city"})
    assert (status, body) == (400, error(400, 'Field "city" already exists on object "person"'))


def test_renaming_a_field_follows_the_syntax_rules(api, workspace):
    nickname = create_field(api, object_id(workspace, "person"), "nickname")
    status, body = api.patch(f"{FIELDS}/{nickname['id']}", {"name": "nick_name"})
    assert (status, body) == (400, error(400, invalid_name("name", "nick_name")))


def test_field_name_not_synced_with_its_label_is_refused(api, workspace):
    status, body = post_field(
        api, object_id(workspace, "person"), "nick", label="Nick name", isLabelSyncedWithName=True
    )
    assert (status, body) == (400, error(400, 'Name is not synced with label. Expected name: "nickName", got nick'))


def test_standard_field_keeps_its_name(api, workspace):
    status, body = api.patch(f"{FIELDS}/{field_id(workspace, 'person', 'jobTitle')}", {"name": "role"})
    assert (status, body) == (400, error(400, 'Standard field "jobTitle" cannot be renamed'))
