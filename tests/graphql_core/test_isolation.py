"""A key of workspace A never sees, counts, updates, deletes, restores, merges or links to the records
of workspace B through ``POST /graphql``: B's records answer NOT_FOUND (or are simply absent), and a
join id of B's is a join id of no record.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.graphql_core.helpers import GraphQL, user_error

PERSON_FIELDS = "id name { firstName } jobTitle deletedAt companyId"
CREATE = f"mutation($data: PersonCreateInput!) {{ createPerson(data: $data) {{ {PERSON_FIELDS} }} }}"


@pytest.fixture
def theirs(other_gql) -> dict[str, Any]:
    """Workspace B's records: a company, two people of it (one trashed), an opportunity."""
    company = other_gql.data('mutation { createCompany(data: {name: "Globex", employees: 500}) { id } }')[
        "createCompany"
    ]
    people = other_gql.data(
        "mutation($data: [PersonCreateInput!]!) { createPeople(data: $data) { id } }",
        {
            "data": [
                {
                    "name": {"firstName": "Hank"},
                    "jobTitle": "Villain",
                    "emails": {"primaryEmail": "hank@globex.com"},
                    "companyId": company["id"],
                },
                {"name": {"firstName": "Frank"}, "jobTitle": "Villain", "companyId": company["id"]},
            ]
        },
    )["createPeople"]
    other_gql.data(f'mutation {{ deletePerson(id: "{people[1]["id"]}") {{ id }} }}')
    return {"company": company["id"], "person": people[0]["id"], "trashed": people[1]["id"]}


@pytest.fixture
def mine(gql) -> dict[str, Any]:
    """Workspace A's records: one company and one person."""
    company = gql.data('mutation { createCompany(data: {name: "Acme", employees: 5}) { id } }')["createCompany"]
    person = gql.data(
        CREATE, {"data": {"name": {"firstName": "Ada"}, "jobTitle": "Engineer", "companyId": company["id"]}}
    )
    return {"company": company["id"], "person": person["createPerson"]["id"]}


def their_state(other_gql: GraphQL) -> dict[str, Any]:
    """What workspace B holds, read with B's own key."""
    return other_gql.data(
        f"{{ people(filter: {{or: [{{deletedAt: {{is: NULL}}}}, {{deletedAt: {{is: NOT_NULL}}}}]}}, "
        f"orderBy: [{{name: {{firstName: AscNullsFirst}}}}]) {{ totalCount edges {{ node {{ {PERSON_FIELDS} }} }} }} "
        "companies { totalCount sumEmployees } }"
    )


def not_found(gql: GraphQL, query: str, record_id: str) -> None:
    """``query`` is answered NOT_FOUND for ``record_id`` in people."""
    error = gql.error(query)
    assert error["extensions"] == user_error(f"Record {record_id} not found in people", "NOT_FOUND")


def test_lists_counts_and_aggregates_only_cover_the_callers_workspace(gql, other_gql, theirs, mine):
    # when
    found = gql.data(
        '{ people(filter: {jobTitle: {in: ["Villain", "Engineer"]}}) { totalCount countEmptyCompanyId '
        "edges { node { id } } } companies { totalCount sumEmployees maxEmployees } "
        "trash: people(filter: {deletedAt: {is: NOT_NULL}}) { totalCount } }"
    )
    # then
    assert found == {
        "people": {"totalCount": 1, "countEmptyCompanyId": 0, "edges": [{"node": {"id": mine["person"]}}]},
        "companies": {"totalCount": 1, "sumEmployees": 5.0, "maxEmployees": 5.0},
        "trash": {"totalCount": 0},
    }


def test_filtering_on_a_foreign_id_or_join_id_finds_nothing(gql, theirs, mine):
    assert gql.data(
        f'{{ a: people(filter: {{id: {{eq: "{theirs["person"]}"}}}}) {{ totalCount }} '
        f'b: people(filter: {{companyId: {{eq: "{theirs["company"]}"}}}}) {{ totalCount }} }}'
    ) == {"a": {"totalCount": 0}, "b": {"totalCount": 0}}


def test_find_one_of_a_foreign_record_is_not_found(gql, theirs):
    error = gql.error(f'{{ person(filter: {{id: {{eq: "{theirs["person"]}"}}}}) {{ id }} }}')
    assert error["extensions"] == user_error("Record not found in people", "NOT_FOUND")


def test_nested_relations_never_reach_into_another_workspace(gql, theirs, mine):
    # when
    company = gql.data(
        f'{{ company(filter: {{id: {{eq: "{mine["company"]}"}}}}) {{ people {{ totalCount edges '
        "{ node { company { name people { totalCount } } } } } } }"
    )
    # then
    assert company == {
        "company": {
            "people": {"totalCount": 1, "edges": [{"node": {"company": {"name": "Acme", "people": {"totalCount": 1}}}}]}
        }
    }


def test_duplicates_of_a_foreign_record_are_not_looked_up(gql, theirs):
    error = gql.error(f'{{ personDuplicates(ids: ["{theirs["person"]}"]) {{ totalCount }} }}')
    assert error["extensions"] == user_error(f"Record {theirs['person']} not found in people", "NOT_FOUND")


@pytest.mark.parametrize(
    "operation",
    [
        pytest.param('updatePerson(id: "{id}", data: {{jobTitle: "Hacked"}})', id="update"),
        pytest.param('deletePerson(id: "{id}")', id="soft_delete"),
        pytest.param('destroyPerson(id: "{id}")', id="destroy"),
    ],
)
def test_writing_a_foreign_record_by_id_is_not_found_and_changes_nothing(gql, other_gql, theirs, operation):
    # given
    before = their_state(other_gql)
    # when
    not_found(gql, "mutation { " + operation.format(id=theirs["person"]) + " { id } }", theirs["person"])
    # then
    assert their_state(other_gql) == before


def test_restoring_a_foreign_trashed_record_is_not_found_and_changes_nothing(gql, other_gql, theirs):
    before = their_state(other_gql)
    not_found(gql, f'mutation {{ restorePerson(id: "{theirs["trashed"]}") {{ id }} }}', theirs["trashed"])
    assert their_state(other_gql) == before


@pytest.mark.parametrize(
    "operation",
    [
        pytest.param('updatePeople(filter: {filter}, data: {{jobTitle: "Hacked"}})', id="update_many"),
        pytest.param("deletePeople(filter: {filter})", id="soft_delete_many"),
        pytest.param("destroyPeople(filter: {filter})", id="destroy_many"),
        pytest.param("restorePeople(filter: {filter})", id="restore_many"),
    ],
)
def test_mass_writes_only_touch_the_callers_records(gql, other_gql, theirs, mine, operation):
    # given: a filter that matches records of both workspaces
    before = their_state(other_gql)
    both_workspaces = (
        '{jobTitle: {in: ["Villain", "Engineer"]}, deletedAt: {is: NOT_NULL}}'
        if operation.startswith("restore")
        else '{jobTitle: {in: ["Villain", "Engineer"]}}'
    )
    # when
    touched = gql.data("mutation { " + operation.format(filter=both_workspaces) + " { id } }")
    # then
    (records,) = touched.values()
    assert [r["id"] for r in records] == ([] if operation.startswith("restore") else [mine["person"]])
    assert their_state(other_gql) == before


def test_merging_with_a_foreign_record_is_not_found_and_changes_nothing(gql, other_gql, theirs, mine):
    before = their_state(other_gql)
    not_found(
        gql,
        f'mutation {{ mergePeople(ids: ["{mine["person"]}", "{theirs["person"]}"], conflictPriorityIndex: 0) '
        "{ id } }",
        theirs["person"],
    )
    assert their_state(other_gql) == before
    assert gql.data("{ people { totalCount } }") == {"people": {"totalCount": 1}}


def test_linking_to_a_foreign_record_is_refused_on_create_and_update(gql, theirs, mine):
    # when
    on_create = gql.error(CREATE, {"data": {"name": {"firstName": "Eve"}, "companyId": theirs["company"]}})
    on_update = gql.error(
        f'mutation {{ updatePerson(id: "{mine["person"]}", data: {{companyId: "{theirs["company"]}"}}) {{ id }} }}'
    )
    # then
    message = f"Field 'companyId': no company record has id '{theirs['company']}'"
    assert (on_create["extensions"], on_update["extensions"]) == (user_error(message), user_error(message))


def test_upsert_on_a_primary_email_held_in_another_workspace_creates_a_record_here(gql, other_gql, theirs):
    # given
    before = their_state(other_gql)
    # when
    created = gql.data(
        f"mutation($data: PersonCreateInput!) {{ createPerson(data: $data, upsert: true) {{ {PERSON_FIELDS} }} }}",
        {"data": {"emails": {"primaryEmail": "hank@globex.com"}, "jobTitle": "Hero"}},
    )["createPerson"]
    # then
    assert created["id"] != theirs["person"] and created["jobTitle"] == "Hero"
    assert their_state(other_gql) == before


def test_creating_with_the_id_of_a_foreign_record_succeeds_without_touching_it(gql, other_gql, theirs):
    # given: ids are unique per workspace, so an id another workspace holds reveals nothing
    before = their_state(other_gql)
    # when
    created = gql.data(CREATE, {"data": {"id": theirs["person"], "name": {"firstName": "Eve"}}})
    # then
    assert created == {
        "createPerson": {
            "id": theirs["person"],
            "name": {"firstName": "Eve"},
            "jobTitle": "",
            "deletedAt": None,
            "companyId": None,
        }
    }
    assert their_state(other_gql) == before
