"""``fields`` and ``field``: filters (``objectMetadataId``), relation blocks, parity with REST, query counts."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from metadata_app.models import FieldMetadata
from tests.graphql_metadata.helpers import error_of, field_id, object_id

FIELD_KEYS = (
    "id type name label description icon isCustom isActive isSystem isNullable isUnique isLabelSyncedWithName "
    "defaultValue options settings objectMetadataId createdAt updatedAt"
)
RELATION = """relation {
  type
  sourceObjectMetadata { id nameSingular namePlural }
  targetObjectMetadata { id nameSingular namePlural }
  sourceFieldMetadata { id name }
  targetFieldMetadata { id name }
}"""


def test_fields_default_to_a_page_of_ten_of_all_objects(gql, workspace):
    # when
    data = gql.data("{ fields { totalCount pageInfo { hasNextPage hasPreviousPage } edges { node { id } } } }")
    # then
    ids = [
        str(pk) for pk in FieldMetadata.objects.filter(workspace=workspace).order_by("pk").values_list("pk", flat=True)
    ]
    assert data["fields"]["totalCount"] == len(ids) == 160
    assert [e["node"]["id"] for e in data["fields"]["edges"]] == ids[:10]
    assert data["fields"]["pageInfo"] == {"hasNextPage": True, "hasPreviousPage": False}


def test_fields_filtered_by_object_metadata_id(gql, workspace):
    # given
    company = object_id(workspace, "company")
    expected = [
        str(pk) for pk in FieldMetadata.objects.filter(object_id=company).order_by("pk").values_list("pk", flat=True)
    ]
    # when
    data = gql.data(
        "query ($o: UUID!) { fields(paging: {first: 100}, filter: {objectMetadataId: {eq: $o}}) "
        "{ totalCount edges { node { id objectMetadataId object { nameSingular } } } } }",
        {"o": company},
    )
    # then
    nodes = [e["node"] for e in data["fields"]["edges"]]
    assert [n["id"] for n in nodes] == expected and data["fields"]["totalCount"] == len(expected) == 22
    assert {(n["objectMetadataId"], n["object"]["nameSingular"]) for n in nodes} == {(company, "company")}


def test_fields_filtered_by_object_and_flags(gql, workspace):
    # given
    person = object_id(workspace, "person")
    expected = [
        str(pk)
        for pk in FieldMetadata.objects.filter(object_id=person, is_system=False, type="RELATION")
        .order_by("pk")
        .values_list("pk", flat=True)
    ]
    relation_ids = {
        field_id(workspace, "person", name)
        for name in ("company", "noteTargets", "taskTargets", "attachments", "pointOfContactForOpportunities")
    }
    # when
    data = gql.data(
        "query ($o: UUID!, $ids: [UUID!]) { fields(paging: {first: 100}, filter: {and: [{objectMetadataId: {in: [$o]}}, "
        "{isSystem: {is: false}}, {id: {in: $ids}}]}) { edges { node { id } } } }",
        {"o": person, "ids": sorted(relation_ids)},
    )
    # then
    assert [e["node"]["id"] for e in data["fields"]["edges"]] == expected == sorted(relation_ids)


def test_field_values_and_relation_equal_the_rest_answer(api, gql, workspace):
    # given
    company_field = field_id(workspace, "person", "company")
    status, rest = api.get(f"/rest/metadata/fields/{company_field}")
    assert status == 200
    # when
    data = gql.data("query ($id: UUID!) { field(id: $id) { %s %s } }" % (FIELD_KEYS, RELATION), {"id": company_field})
    # then
    assert data["field"] == {key: rest["data"]["field"][key] for key in data["field"]}
    assert data["field"]["relation"] == {
        "type": "MANY_TO_ONE",
        "sourceObjectMetadata": {
            "id": object_id(workspace, "person"),
            "nameSingular": "person",
            "namePlural": "people",
        },
        "targetObjectMetadata": {
            "id": object_id(workspace, "company"),
            "nameSingular": "company",
            "namePlural": "companies",
        },
        "sourceFieldMetadata": {"id": company_field, "name": "company"},
        "targetFieldMetadata": {"id": field_id(workspace, "company", "people"), "name": "people"},
    }


def test_default_value_reads_as_in_rest(api, gql, workspace):
    # given
    name_field = field_id(workspace, "company", "name")
    status, rest = api.get(f"/rest/metadata/fields/{name_field}")
    # when
    data = gql.data("query ($id: UUID!) { field(id: $id) { type defaultValue relation { type } } }", {"id": name_field})
    # then
    assert status == 200
    assert data["field"] == {"type": "TEXT", "defaultValue": rest["data"]["field"]["defaultValue"], "relation": None}


def test_unknown_field_is_not_found(gql):
    # when
    status, body = gql.post('{ field(id: "00000000-0000-4000-8000-000000000000") { id } }')
    # then
    message = "Field 00000000-0000-4000-8000-000000000000 not found"
    assert (status, body["data"]) == (200, None)
    assert error_of(body) == {
        "message": message,
        "path": ["field"],
        "extensions": {"code": "NOT_FOUND", "userFriendlyMessage": message},
    }


NESTED = (
    """
query ($first: Int!) {
  objects(paging: {first: $first}) {
    totalCount
    edges { node {
      id
      fields(paging: {first: 1000}) { totalCount edges { node { id name object { id } %s } } }
      fieldsList { id }
    } }
  }
}
"""
    % RELATION
)
DEEPER = NESTED.replace(
    "targetObjectMetadata { id nameSingular namePlural }", "targetObjectMetadata { id fieldsList { id } }"
)


def count_queries(gql, query: str, variables: dict) -> tuple[int, dict]:
    """Number of SQL queries one request costs, and its data."""
    with CaptureQueriesContext(connection) as queries:
        data = gql.data(query, variables)
    return len(queries), data


def test_nested_fields_cost_the_same_queries_for_one_object_and_all(gql):
    # given: the key's last-used time is written by the first request only
    gql.data("{ currentWorkspace { id } }")
    # when
    one, one_data = count_queries(gql, NESTED, {"first": 1})
    every, every_data = count_queries(gql, NESTED, {"first": 1000})
    # then: key, count, page, fields of the page (relations are wired in memory)
    assert len(one_data["objects"]["edges"]) == 1 and len(every_data["objects"]["edges"]) == 10
    assert sum(len(e["node"]["fieldsList"]) for e in every_data["objects"]["edges"]) == 160
    assert one == every == 4


def test_each_level_of_nesting_costs_at_most_one_query(gql, settings):
    # given: DEEPER nests 9 levels, one more than the default GRAPHQL_MAX_DEPTH
    settings.GRAPHQL_MAX_DEPTH = 9
    gql.data("{ currentWorkspace { id } }")
    # when
    one, _ = count_queries(gql, DEEPER, {"first": 1})
    every, data = count_queries(gql, DEEPER, {"first": 1000})
    # then: one object needs one more query for the fields of its relation targets; with every
    # object on the page, the targets are objects of the page whose fields are already loaded
    assert (one, every) == (5, 4)
    targets = [
        e["node"]["relation"]["targetObjectMetadata"]
        for o in data["objects"]["edges"]
        for e in o["node"]["fields"]["edges"]
        if e["node"]["relation"]
    ]
    assert targets and all(t["fieldsList"] for t in targets)


def test_fields_with_their_objects_cost_the_same_queries_for_one_and_many(gql):
    # given
    gql.data("{ currentWorkspace { id } }")
    query = (
        "query ($first: Int!) { fields(paging: {first: $first}) { edges { node { id %s object { id fieldsList { id } } } } } }"
        % RELATION
    )
    # when
    one, _ = count_queries(gql, query, {"first": 1})
    many, data = count_queries(gql, query, {"first": 1000})
    # then: key, count, page, fields of every object met
    assert len(data["fields"]["edges"]) == 160
    assert one == many == 4
