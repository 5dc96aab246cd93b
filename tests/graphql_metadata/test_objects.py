"""``objects`` and ``object``: connections ordered by id, paging both ways, filters, nested fields."""

from __future__ import annotations

import pytest

from metadata_app.graphql.paging import MAX_PAGE_SIZE, PageRequest
from metadata_app.models import FieldMetadata, ObjectMetadata
from tests.graphql_metadata.helpers import error_of, field_id, object_id

PAGE = """
query Objects($paging: CursorPaging!, $filter: ObjectFilter!) {
  objects(paging: $paging, filter: $filter) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id nameSingular } }
  }
}
"""


def object_ids(workspace, **filters) -> list[str]:
    """Ids of the workspace's objects matching ``filters``, in id order."""
    return [
        str(pk)
        for pk in ObjectMetadata.objects.filter(workspace=workspace, **filters)
        .order_by("pk")
        .values_list("pk", flat=True)
    ]


def page(gql, paging: dict, filter: dict | None = None) -> dict:
    """``objects`` with ``paging`` and ``filter``."""
    return gql.data(PAGE, {"paging": paging, "filter": filter or {}})["objects"]


def ids_of(connection: dict) -> list[str]:
    """Node ids of a connection's edges."""
    return [edge["node"]["id"] for edge in connection["edges"]]


def create_custom_object(api, singular: str, plural: str) -> str:
    """Create a custom object through REST; return its id."""
    status, body = api.post(
        "/rest/metadata/objects",
        {
            "nameSingular": singular,
            "namePlural": plural,
            "labelSingular": singular.title(),
            "labelPlural": plural.title(),
        },
    )
    assert status == 201, body
    return body["data"]["createOneObject"]["id"]


def test_objects_lists_every_object_by_id_with_cursors(gql, workspace):
    # when
    objects = page(gql, {})
    # then
    ids = object_ids(workspace)
    assert ids_of(objects) == ids and objects["totalCount"] == len(ids) == 10
    assert objects["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": objects["edges"][0]["cursor"],
        "endCursor": objects["edges"][-1]["cursor"],
    }
    assert len({edge["cursor"] for edge in objects["edges"]}) == 10


def test_paging_forwards_with_first_and_after(gql, workspace):
    # given
    ids = object_ids(workspace)
    # when
    first = page(gql, {"first": 3})
    second = page(gql, {"first": 3, "after": first["pageInfo"]["endCursor"]})
    third = page(gql, {"first": 4, "after": second["pageInfo"]["endCursor"]})
    # then
    assert [ids_of(first), ids_of(second), ids_of(third)] == [ids[0:3], ids[3:6], ids[6:10]]
    assert [(p["pageInfo"]["hasPreviousPage"], p["pageInfo"]["hasNextPage"]) for p in (first, second, third)] == [
        (False, True),
        (True, True),
        (True, False),
    ]
    assert {p["totalCount"] for p in (first, second, third)} == {10}


def test_paging_backwards_with_last_and_before(gql, workspace):
    # given
    ids = object_ids(workspace)
    # when
    last = page(gql, {"last": 3})
    previous = page(gql, {"last": 3, "before": last["pageInfo"]["startCursor"]})
    first = page(gql, {"last": 4, "before": previous["pageInfo"]["startCursor"]})
    # then
    assert [ids_of(last), ids_of(previous), ids_of(first)] == [ids[7:10], ids[4:7], ids[0:4]]
    assert [(p["pageInfo"]["hasPreviousPage"], p["pageInfo"]["hasNextPage"]) for p in (last, previous, first)] == [
        (True, False),
        (True, True),
        (False, True),
    ]


def test_before_alone_pages_backwards_by_ten(gql, workspace):
    # given
    ids = object_ids(workspace)
    end = page(gql, {"first": 8})["edges"][-1]["cursor"]
    # when
    before = page(gql, {"before": end})
    # then
    assert ids_of(before) == ids[:7]
    assert before["pageInfo"]["hasNextPage"] is True and before["pageInfo"]["hasPreviousPage"] is False


def test_page_size_defaults_to_ten_and_is_capped_at_a_thousand():
    # when / then
    assert PageRequest.parse({}).size == 10
    assert PageRequest.parse({"first": 5000}).size == MAX_PAGE_SIZE == 1000
    assert PageRequest.parse({"last": 5000}).size == 1000


@pytest.mark.parametrize(
    ("paging", "message"),
    [
        pytest.param({"after": "nope"}, "Invalid cursor: nope", id="cursor_not_ours"),
        pytest.param(
            {"first": 1, "last": 1}, "paging.first and paging.last cannot be used together", id="first_and_last"
        ),
        pytest.param({"first": -1}, "paging.first must be zero or more, got -1", id="negative_first"),
    ],
)
def test_bad_paging_is_bad_user_input(gql, paging, message):
    # when
    status, body = gql.post(PAGE, {"paging": paging, "filter": {}})
    # then
    assert status == 200 and body["data"] is None
    assert error_of(body) == {
        "message": message,
        "path": ["objects"],
        "extensions": {"code": "BAD_USER_INPUT", "userFriendlyMessage": message},
    }


def test_filter_is_custom_and_is_active(api, gql, workspace):
    # given
    rocket = create_custom_object(api, "rocket", "rockets")
    planet = create_custom_object(api, "planet", "planets")
    status, _ = api.patch(f"/rest/metadata/objects/{planet}", {"isActive": False})
    assert status == 200
    # when
    custom = page(gql, {}, {"isCustom": {"is": True}})
    inactive = page(gql, {}, {"isActive": {"is": False}})
    custom_and_active = page(gql, {}, {"isCustom": {"is": True}, "isActive": {"isNot": False}})
    standard = page(gql, {}, {"isCustom": {"is": False}})
    # then
    assert ids_of(custom) == sorted([rocket, planet]) and custom["totalCount"] == 2
    assert ids_of(inactive) == [planet]
    assert ids_of(custom_and_active) == [rocket]
    assert ids_of(standard) == object_ids(workspace, is_custom=False) and standard["totalCount"] == 10


def test_filter_id_in_eq_neq_not_in(gql, workspace):
    # given
    person, company = object_id(workspace, "person"), object_id(workspace, "company")
    # when
    chosen = page(gql, {}, {"id": {"in": [person, company]}})
    one = page(gql, {}, {"id": {"eq": person}})
    others = page(gql, {}, {"id": {"neq": person}})
    rest = page(gql, {}, {"id": {"notIn": [person, company]}})
    # then
    assert ids_of(chosen) == sorted([person, company])
    assert ids_of(one) == [person]
    assert ids_of(others) == [i for i in object_ids(workspace) if i != person]
    assert ids_of(rest) == [i for i in object_ids(workspace) if i not in (person, company)]


def test_filter_and_or(gql, workspace):
    # given
    person = object_id(workspace, "person")
    system = object_ids(workspace, is_system=True)
    # when
    either = page(gql, {}, {"or": [{"isSystem": {"is": True}}, {"id": {"eq": person}}]})
    both = page(gql, {}, {"and": [{"isSystem": {"is": True}}, {"id": {"eq": person}}]})
    none = page(gql, {}, {"or": []})
    # then
    assert len(system) == 5
    assert ids_of(either) == sorted([*system, person])
    assert ids_of(both) == [] and both["totalCount"] == 0
    assert ids_of(none) == []


def test_object_by_id_with_fields_connection_and_fields_list(gql, workspace):
    # given
    person = object_id(workspace, "person")
    field_ids = [
        str(pk) for pk in FieldMetadata.objects.filter(object_id=person).order_by("pk").values_list("pk", flat=True)
    ]
    system_ids = [
        str(pk)
        for pk in FieldMetadata.objects.filter(object_id=person, is_system=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    ]
    # when
    data = gql.data(
        """
      query ($id: UUID!) {
        object(id: $id) {
          id nameSingular namePlural labelSingular isCustom isSystem isRemote
          firstFive: fields(paging: {first: 5}) { totalCount pageInfo { hasNextPage hasPreviousPage } edges { node { id } } }
          system: fields(paging: {first: 100}, filter: {isSystem: {is: true}}) { totalCount edges { node { id isSystem } } }
          fieldsList { id objectMetadataId }
        }
      }""",
        {"id": person},
    )
    # then
    obj = data["object"]
    assert {
        k: obj[k] for k in ("id", "nameSingular", "namePlural", "labelSingular", "isCustom", "isSystem", "isRemote")
    } == {
        "id": person,
        "nameSingular": "person",
        "namePlural": "people",
        "labelSingular": "Person",
        "isCustom": False,
        "isSystem": False,
        "isRemote": False,
    }
    assert [f["id"] for f in obj["fieldsList"]] == field_ids and len(field_ids) == 21
    assert {f["objectMetadataId"] for f in obj["fieldsList"]} == {person}
    assert [e["node"]["id"] for e in obj["firstFive"]["edges"]] == field_ids[:5]
    assert obj["firstFive"]["totalCount"] == 21
    assert obj["firstFive"]["pageInfo"] == {"hasNextPage": True, "hasPreviousPage": False}
    assert [e["node"]["id"] for e in obj["system"]["edges"]] == system_ids and obj["system"]["totalCount"] == len(
        system_ids
    )


def test_object_values_equal_the_rest_answer(api, gql, workspace):
    # given
    company = object_id(workspace, "company")
    status, rest = api.get(f"/rest/metadata/objects/{company}")
    assert status == 200
    keys = [k for k in rest["data"]["object"] if k != "fields"]
    # when
    data = gql.data("query ($id: UUID!) { object(id: $id) { %s } }" % " ".join(keys), {"id": company})
    # then
    assert data["object"] == {k: rest["data"]["object"][k] for k in keys}


def test_unknown_object_is_not_found(gql):
    # when
    status, body = gql.post('{ object(id: "00000000-0000-4000-8000-000000000000") { id } }')
    # then
    message = "Object 00000000-0000-4000-8000-000000000000 not found"
    assert (status, body["data"]) == (200, None)
    assert error_of(body) == {
        "message": message,
        "path": ["object"],
        "extensions": {"code": "NOT_FOUND", "userFriendlyMessage": message},
    }


SEARCH_FIELDS_QUERY = """
query ($id: UUID!) {
  object(id: $id) { searchFieldMetadataList { id fieldMetadataId tsVectorFieldMetadataId position } }
}"""


def test_search_field_metadata_list_names_the_search_fields_in_order(api, gql, workspace):
    # given: person's search fields are Twenty's (name, emails, jobTitle, phones, in creation order); city becomes one
    person = object_id(workspace, "person")
    names = ("name", "emails", "jobTitle", "phones", "city")
    ids = {name: field_id(workspace, "person", name) for name in names}
    before = gql.data(SEARCH_FIELDS_QUERY, {"id": person})["object"]["searchFieldMetadataList"]
    # when
    status, _ = api.patch(f"/rest/metadata/fields/{ids['city']}", {"isSearchable": True})
    after = gql.data(SEARCH_FIELDS_QUERY, {"id": person})["object"]["searchFieldMetadataList"]
    # then: one entry per search field, in creation order, all on the object's one search index
    assert status == 200
    assert [(f["fieldMetadataId"], f["position"]) for f in before] == [(ids[n], i) for i, n in enumerate(names[:4])]
    assert [f["fieldMetadataId"] for f in after] == [ids[n] for n in names]
    assert after[:4] == before
    assert len({f["tsVectorFieldMetadataId"] for f in after}) == 1
    assert len({f["id"] for f in after}) == 5 and not {f["id"] for f in after} & set(ids.values())
