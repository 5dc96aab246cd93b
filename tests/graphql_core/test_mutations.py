"""Writing through ``POST /graphql`` (api-reference 2.1, 2.2, 2.6, 2.7, 2.10): every mutation,
upsert, the batch limit, merge and duplicates, and the errors with ``extensions.code`` and the
record service's ``messages``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.core.helpers import INSTANT, UUID
from tests.graphql_core.helpers import PERSON, GraphQL, firsts, user_error

MISSING_ID = "0d4389ef-ea9c-4ae8-ada1-1cddc440fb56"
CREATE_PERSON = f"mutation($data: PersonCreateInput!, $upsert: Boolean) {{ createPerson(data: $data, upsert: $upsert) {{ {PERSON} }} }}"
CREATE_PEOPLE = f"mutation($data: [PersonCreateInput!]!, $upsert: Boolean) {{ createPeople(data: $data, upsert: $upsert) {{ {PERSON} }} }}"
LIVE = (
    "{ people(orderBy: [{name: {firstName: AscNullsFirst}}]) { totalCount edges { node { id name { firstName } } } } }"
)
TRASH = "{ people(filter: {deletedAt: {is: NOT_NULL}}) { edges { node { id } } } }"


def ada(**extra: Any) -> dict[str, Any]:
    """Create input of Ada Lovelace."""
    return {"name": {"firstName": "Ada", "lastName": "Lovelace"}, "emails": {"primaryEmail": "ada@acme.com"}, **extra}


def create(gql: GraphQL, first: str, **extra: Any) -> dict[str, Any]:
    """Create a person called ``first`` through ``createPerson``."""
    return gql.data(CREATE_PERSON, {"data": {"name": {"firstName": first}, **extra}})["createPerson"]


def live(gql: GraphQL) -> list[str]:
    """First names of the live people."""
    return firsts(gql.data(LIVE)["people"])


def trash(gql: GraphQL) -> list[str]:
    """Ids of the soft-deleted people."""
    return [edge["node"]["id"] for edge in gql.data(TRASH)["people"]["edges"]]


# --- create -------------------------------------------------------------------------------------------


def test_create_person_returns_the_record_exactly_as_rest_reads_it(api, gql):
    # when
    created = gql.data(CREATE_PERSON, {"data": ada(jobTitle="Engineer", city="London")})["createPerson"]
    # then
    assert created == api.get(f"/rest/people/{created['id']}")[1]["data"]["person"]
    assert (created["id"], created["createdAt"], created["createdBy"]) == (
        UUID,
        INSTANT,
        {"source": "API", "workspaceMemberId": None, "name": "test key", "context": {}},
    )
    assert (created["name"], created["jobTitle"], created["companyId"]) == (
        {"firstName": "Ada", "lastName": "Lovelace"},
        "Engineer",
        None,
    )


def test_create_people_creates_every_record_in_the_given_order(gql):
    # when
    created = gql.data(CREATE_PEOPLE, {"data": [{"name": {"firstName": "Zoe"}}, {"name": {"firstName": "Ada"}}]})
    # then
    assert [p["name"]["firstName"] for p in created["createPeople"]] == ["Zoe", "Ada"]
    assert live(gql) == ["Ada", "Zoe"]


def test_create_person_with_a_join_id_links_the_company(gql):
    # given
    company = gql.data('mutation { createCompany(data: {name: "Acme"}) { id } }')["createCompany"]
    # when
    person = gql.data(
        "mutation($data: PersonCreateInput!) { createPerson(data: $data) { companyId company { name } } }",
        {"data": {"name": {"firstName": "Ada"}, "companyId": company["id"]}},
    )["createPerson"]
    # then
    assert person == {"companyId": company["id"], "company": {"name": "Acme"}}


def test_upsert_updates_the_record_holding_the_primary_email_and_creates_the_others(gql):
    # given
    existing = gql.data(CREATE_PERSON, {"data": ada(jobTitle="Engineer")})["createPerson"]
    # when
    upserted = gql.data(
        CREATE_PEOPLE,
        {
            "upsert": True,
            "data": [
                {"emails": {"primaryEmail": "ADA@acme.com"}, "jobTitle": "Countess"},
                {"name": {"firstName": "Grace"}, "emails": {"primaryEmail": "grace@navy.mil"}},
            ],
        },
    )["createPeople"]
    # then: matched case-insensitively; the values not given are kept, createdBy is not overwritten
    assert [(p["id"], p["name"]["firstName"], p["jobTitle"], p["emails"]["primaryEmail"]) for p in upserted] == [
        (existing["id"], "Ada", "Countess", "ADA@acme.com"),
        (UUID, "Grace", "", "grace@navy.mil"),
    ]
    assert upserted[1]["id"] != existing["id"]
    assert upserted[0]["createdAt"] == existing["createdAt"]
    assert live(gql) == ["Ada", "Grace"]


def test_upsert_of_one_record_restores_a_soft_deleted_match(gql):
    # given
    existing = gql.data(CREATE_PERSON, {"data": ada()})["createPerson"]
    gql.data(f'mutation {{ deletePerson(id: "{existing["id"]}") {{ id }} }}')
    # when
    upserted = gql.data(CREATE_PERSON, {"upsert": True, "data": ada(jobTitle="Countess")})["createPerson"]
    # then
    assert (upserted["id"], upserted["deletedAt"], upserted["jobTitle"]) == (existing["id"], None, "Countess")
    assert (live(gql), trash(gql)) == (["Ada"], [])


def test_without_upsert_a_taken_primary_email_is_refused_with_rests_message(api, gql):
    # given
    existing = gql.data(CREATE_PERSON, {"data": ada()})["createPerson"]
    message = f"Duplicate value for unique field 'emails.primaryEmail': 'ada@acme.com' is already used by record {existing['id']}"
    # when
    status, body = gql(CREATE_PERSON, {"data": ada()})
    # then
    assert (status, body) == (
        200,
        {
            "data": None,
            "errors": [
                {
                    "message": message,
                    "locations": [{"line": 1, "column": 57}],
                    "path": ["createPerson"],
                    "extensions": user_error(message),
                }
            ],
        },
    )
    assert api.post("/rest/people", ada())[1]["messages"] == [message]


def test_a_batch_of_60_records_is_written(gql):
    created = gql.data(CREATE_PEOPLE, {"data": [{"name": {"firstName": f"P{i:02}"}} for i in range(60)]})
    assert len(created["createPeople"]) == 60
    assert gql.data("{ people { totalCount } }") == {"people": {"totalCount": 60}}


def test_a_batch_of_61_records_is_refused_with_rests_message_and_nothing_is_written(api, gql):
    # given
    bodies = [{"name": {"firstName": f"P{i:02}"}} for i in range(61)]
    # when
    error = gql.error(CREATE_PEOPLE, {"data": bodies})
    # then
    message = "Too many records: at most 60 per request, got 61"
    assert (error["message"], error["path"], error["extensions"]) == (message, ["createPeople"], user_error(message))
    assert api.post("/rest/batch/people", bodies) == (
        400,
        {"statusCode": 400, "error": "BadRequestException", "messages": [message]},
    )
    assert gql.data("{ people { totalCount } }") == {"people": {"totalCount": 0}}


def test_an_empty_batch_is_refused(gql):
    assert gql.error(CREATE_PEOPLE, {"data": []})["extensions"] == user_error("Input must not be empty")


# --- update -------------------------------------------------------------------------------------------


def test_update_person_changes_the_given_values_and_keeps_the_others(gql):
    # given
    person = gql.data(CREATE_PERSON, {"data": ada(jobTitle="Engineer")})["createPerson"]
    # when
    updated = gql.data(
        "mutation($id: UUID!, $data: PersonUpdateInput!) { updatePerson(id: $id, data: $data) "
        "{ id name { firstName lastName } jobTitle emails { primaryEmail } city } }",
        {"id": person["id"], "data": {"name": {"lastName": "Byron"}, "city": "London"}},
    )
    # then: composites merge sub-field by sub-field
    assert updated == {
        "updatePerson": {
            "id": person["id"],
            "name": {"firstName": "Ada", "lastName": "Byron"},
            "jobTitle": "Engineer",
            "emails": {"primaryEmail": "ada@acme.com"},
            "city": "London",
        }
    }


def test_update_person_of_an_unknown_id_is_not_found(gql):
    error = gql.error(f'mutation {{ updatePerson(id: "{MISSING_ID}", data: {{city: "Paris"}}) {{ id }} }}')
    assert error["extensions"] == user_error(f"Record {MISSING_ID} not found in people", "NOT_FOUND")


def test_update_people_applies_the_patch_to_every_matching_record_only(gql):
    # given
    for name, job in (("Ada", "Engineer"), ("Alan", "Engineer"), ("Grace", "Admiral")):
        create(gql, name, jobTitle=job)
    # when
    updated = gql.data(
        'mutation { updatePeople(filter: {jobTitle: {eq: "Engineer"}}, data: {city: "London"}) '
        "{ name { firstName } city } }"
    )
    # then
    assert sorted((p["name"]["firstName"], p["city"]) for p in updated["updatePeople"]) == [
        ("Ada", "London"),
        ("Alan", "London"),
    ]
    assert gql.data('{ people(filter: {city: {eq: "London"}}) { totalCount } }') == {"people": {"totalCount": 2}}


def test_update_people_without_a_filter_is_refused(gql):
    create(gql, "Ada")
    error = gql.error('mutation { updatePeople(filter: {}, data: {city: "London"}) { id } }')
    assert error["extensions"] == user_error(
        "Filters are mandatory for bulk update operations. Please provide at least "
        "one filter to prevent accidental update of all records."
    )


# --- delete (soft), restore, destroy --------------------------------------------------------------------


def test_delete_person_moves_it_to_the_trash(gql):
    # given
    person = create(gql, "Ada")
    # when
    deleted = gql.data(f'mutation {{ deletePerson(id: "{person["id"]}") {{ id deletedAt }} }}')["deletePerson"]
    # then
    assert deleted == {"id": person["id"], "deletedAt": INSTANT}
    assert (live(gql), trash(gql)) == ([], [person["id"]])
    assert (
        gql.error(f'{{ person(filter: {{id: {{eq: "{person["id"]}"}}}}) {{ id }} }}')["extensions"]["code"]
        == "NOT_FOUND"
    )


def test_delete_people_soft_deletes_the_matching_records(gql):
    # given
    ada_, alan = create(gql, "Ada", city="London"), create(gql, "Alan", city="London")
    create(gql, "Grace")
    # when
    deleted = gql.data('mutation { deletePeople(filter: {city: {eq: "London"}}) { id deletedAt } }')["deletePeople"]
    # then
    assert sorted(deleted, key=lambda p: p["id"]) == sorted(
        [{"id": ada_["id"], "deletedAt": INSTANT}, {"id": alan["id"], "deletedAt": INSTANT}], key=lambda p: p["id"]
    )
    assert (live(gql), sorted(trash(gql))) == (["Grace"], sorted([ada_["id"], alan["id"]]))


def test_delete_person_of_a_record_already_in_the_trash_is_not_found(gql):
    person = create(gql, "Ada")
    gql.data(f'mutation {{ deletePerson(id: "{person["id"]}") {{ id }} }}')
    error = gql.error(f'mutation {{ deletePerson(id: "{person["id"]}") {{ id }} }}')
    assert error["extensions"] == user_error(f"Record {person['id']} not found in people", "NOT_FOUND")


def test_restore_person_takes_it_out_of_the_trash(gql):
    # given
    person = create(gql, "Ada")
    gql.data(f'mutation {{ deletePerson(id: "{person["id"]}") {{ id }} }}')
    # when
    restored = gql.data(f'mutation {{ restorePerson(id: "{person["id"]}") {{ id deletedAt name {{ firstName }} }} }}')
    # then
    assert restored == {"restorePerson": {"id": person["id"], "deletedAt": None, "name": {"firstName": "Ada"}}}
    assert (live(gql), trash(gql)) == (["Ada"], [])


def test_restore_people_restores_only_the_trashed_records_matching_the_filter(gql):
    # given
    people = {
        name: create(gql, name, city=city) for name, city in (("Ada", "London"), ("Alan", "London"), ("Grace", ""))
    }
    gql.data('mutation { deletePeople(filter: {name: {firstName: {in: ["Ada", "Grace"]}}}) { id } }')
    # when
    restored = gql.data('mutation { restorePeople(filter: {city: {eq: "London"}}) { id deletedAt } }')
    # then
    assert restored == {"restorePeople": [{"id": people["Ada"]["id"], "deletedAt": None}]}
    assert (live(gql), trash(gql)) == (["Ada", "Alan"], [people["Grace"]["id"]])


def test_destroy_person_deletes_for_good_even_from_the_trash(api, gql):
    # given
    kept, trashed = create(gql, "Ada"), create(gql, "Grace")
    gql.data(f'mutation {{ deletePerson(id: "{trashed["id"]}") {{ id }} }}')
    # when
    first = gql.data(f'mutation {{ destroyPerson(id: "{kept["id"]}") {{ id }} }}')
    second = gql.data(f'mutation {{ destroyPerson(id: "{trashed["id"]}") {{ id }} }}')
    # then
    assert (first, second) == ({"destroyPerson": {"id": kept["id"]}}, {"destroyPerson": {"id": trashed["id"]}})
    assert (live(gql), trash(gql)) == ([], [])
    assert api.get(f"/rest/people/{kept['id']}")[0] == 404


def test_destroy_people_clears_the_links_of_related_records(gql):
    # given
    company = gql.data('mutation { createCompany(data: {name: "Acme"}) { id } }')["createCompany"]
    person = create(gql, "Ada", companyId=company["id"])
    # when
    destroyed = gql.data('mutation { destroyCompanies(filter: {name: {eq: "Acme"}}) { id } }')
    # then
    assert destroyed == {"destroyCompanies": [{"id": company["id"]}]}
    assert gql.data(f'{{ person(filter: {{id: {{eq: "{person["id"]}"}}}}) {{ companyId company {{ id }} }} }}') == {
        "person": {"companyId": None, "company": None}
    }


def test_mass_operations_without_a_filter_are_refused(gql):
    create(gql, "Ada")
    errors = [
        gql.error(f"mutation {{ {op}(filter: {{}}) {{ id }} }}")["extensions"]["messages"]
        for op in ("deletePeople", "destroyPeople", "restorePeople")
    ]
    assert errors == [
        [
            f"Filters are mandatory for bulk {verb} operations. Please provide at least one filter to "
            f"prevent accidental {noun} of all records."
        ]
        for verb, noun in (("delete", "deletion"), ("destroy", "destruction"), ("restore", "restoration"))
    ]


# --- merge and duplicates --------------------------------------------------------------------------------

MERGE = """mutation($ids: [UUID!]!, $index: Int!, $dryRun: Boolean) {
  mergePeople(ids: $ids, conflictPriorityIndex: $index, dryRun: $dryRun) {
    id name { firstName lastName } jobTitle city emails { primaryEmail additionalEmails }
    pointOfContactForOpportunities { edges { node { name } } }
  }
}"""


def merge_pair(gql: GraphQL) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two records of Ada to merge; the second has an opportunity."""
    first = gql.data(CREATE_PERSON, {"data": ada(jobTitle="Engineer")})["createPerson"]
    second = create(gql, "Ada", city="London", emails={"primaryEmail": "countess@lovelace.org"})
    gql.data(
        "mutation($data: OpportunityCreateInput!) { createOpportunity(data: $data) { id } }",
        {"data": {"name": "Engine", "pointOfContactId": second["id"]}},
    )
    return first, second


def test_merge_dry_run_returns_the_merged_record_and_writes_nothing(gql):
    # given
    first, second = merge_pair(gql)
    # when
    merged = gql.data(MERGE, {"ids": [first["id"], second["id"]], "index": 1, "dryRun": True})["mergePeople"]
    # then: the record at conflictPriorityIndex wins; its empty values come from the other (a
    # composite value as a whole: the winner's name is not empty)
    assert merged == {
        "id": second["id"],
        "name": {"firstName": "Ada", "lastName": ""},
        "jobTitle": "Engineer",
        "city": "London",
        "emails": {"primaryEmail": "countess@lovelace.org", "additionalEmails": ["ada@acme.com"]},
        "pointOfContactForOpportunities": {"edges": [{"node": {"name": "Engine"}}]},
    }
    assert gql.data("{ people { totalCount } }") == {"people": {"totalCount": 2}}


def test_merge_keeps_one_record_relinks_the_others_relations_and_moves_them_to_the_trash(gql):
    # given
    first, second = merge_pair(gql)
    # when
    merged = gql.data(MERGE, {"ids": [first["id"], second["id"]], "index": 0})["mergePeople"]
    # then
    assert merged == {
        "id": first["id"],
        "name": {"firstName": "Ada", "lastName": "Lovelace"},
        "jobTitle": "Engineer",
        "city": "London",
        "emails": {"primaryEmail": "ada@acme.com", "additionalEmails": ["countess@lovelace.org"]},
        "pointOfContactForOpportunities": {"edges": [{"node": {"name": "Engine"}}]},
    }
    assert gql.data("{ people { edges { node { id } } } }") == {"people": {"edges": [{"node": {"id": first["id"]}}]}}
    # As Twenty's merge: the other record is soft-deleted, whole (the kept record took none of its unique values)
    trashed = gql.data(
        "{ people(filter: {deletedAt: {is: NOT_NULL}}) { edges { node { id city emails { primaryEmail } } } } }"
    )
    assert trashed == {
        "people": {
            "edges": [
                {"node": {"id": second["id"], "city": "London", "emails": {"primaryEmail": "countess@lovelace.org"}}}
            ]
        }
    }


def test_a_unique_value_the_kept_record_takes_leaves_the_trashed_one(gql):
    # given: the kept record has no email; the other one has
    kept = create(gql, "Ada", city="Paris")
    other = create(gql, "Ada", jobTitle="Countess", emails={"primaryEmail": "ada@lovelace.org"})
    # when
    merged = gql.data(MERGE, {"ids": [kept["id"], other["id"]], "index": 0})["mergePeople"]
    # then: the kept record holds the email; the trashed one keeps its other values, not the email
    assert (merged["emails"], merged["jobTitle"]) == (
        {"primaryEmail": "ada@lovelace.org", "additionalEmails": None},
        "Countess",
    )
    trashed = gql.data(
        "{ people(filter: {deletedAt: {is: NOT_NULL}}) { edges { node { id jobTitle emails { primaryEmail } } } } }"
    )
    assert trashed == {
        "people": {"edges": [{"node": {"id": other["id"], "jobTitle": "Countess", "emails": {"primaryEmail": ""}}}]}
    }
    # and the email is the kept record's: another record cannot take it, the trashed one can come back without it
    refused = gql.error(
        CREATE_PERSON, {"data": {"name": {"firstName": "Eve"}, "emails": {"primaryEmail": "ADA@lovelace.org"}}}
    )
    assert refused["message"] == (
        f"Duplicate value for unique field 'emails.primaryEmail': 'ada@lovelace.org' is already used by record {kept['id']}"
    )
    restored = gql.data(
        f'mutation {{ restorePerson(id: "{other["id"]}") {{ id deletedAt emails {{ primaryEmail }} }} }}'
    )
    assert restored == {"restorePerson": {"id": other["id"], "deletedAt": None, "emails": {"primaryEmail": ""}}}


def test_merge_keeps_every_phone_number_and_list_item_on_both_apis(gql, api):
    # given: two pairs of records with a phone number each, and MULTI_SELECT / ARRAY values
    person = next(
        o for o in api.get("/rest/metadata/objects", limit=100)[1]["data"]["objects"] if o["nameSingular"] == "person"
    )
    for body in (
        {
            "type": "MULTI_SELECT",
            "name": "skills",
            "label": "Skills",
            "options": [{"label": v, "value": v} for v in "ABC"],
        },
        {"type": "ARRAY", "name": "aliases", "label": "Aliases"},
    ):
        assert api.post("/rest/metadata/fields", {"objectMetadataId": person["id"], **body})[0] == 201

    def pair() -> list[str]:
        bodies = [
            {
                "phones": {
                    "primaryPhoneNumber": "111",
                    "primaryPhoneCallingCode": "+33",
                    "primaryPhoneCountryCode": "FR",
                },
                "skills": ["A", "B"],
                "aliases": ["x"],
            },
            {
                "phones": {
                    "primaryPhoneNumber": "222",
                    "primaryPhoneCallingCode": "+44",
                    "primaryPhoneCountryCode": "GB",
                    "additionalPhones": [
                        {"number": "111", "callingCode": "+33", "countryCode": "FR"},
                        {"number": "333", "callingCode": "+1", "countryCode": "US"},
                    ],
                },
                "skills": ["C", "A"],
                "aliases": ["y", "x"],
            },
        ]
        return [
            api.post("/rest/people", {"name": {"firstName": "Ada"}, **body})[1]["data"]["createPerson"]["id"]
            for body in bodies
        ]

    # when
    rest = api.patch("/rest/people/merge", {"ids": pair(), "conflictPriorityIndex": 0})[1]["data"]["mergePerson"]
    graphql = gql.data(
        "mutation($ids: [UUID!]!) { mergePeople(ids: $ids, conflictPriorityIndex: 0) { phones { primaryPhoneNumber primaryPhoneCallingCode additionalPhones } skills aliases } }",
        {"ids": pair()},
    )["mergePeople"]
    # then: the kept record's number stays primary; the other's joins the extras with its codes, no repeats
    expected = {
        "phones": {
            "primaryPhoneNumber": "111",
            "primaryPhoneCallingCode": "+33",
            "additionalPhones": [
                {"number": "222", "countryCode": "GB", "callingCode": "+44"},
                {"number": "333", "callingCode": "+1", "countryCode": "US"},
            ],
        },
        "skills": ["A", "B", "C"],
        "aliases": ["x", "y"],
    }
    assert graphql == expected
    assert {key: rest[key] for key in ("skills", "aliases")} == {key: expected[key] for key in ("skills", "aliases")}
    assert rest["phones"] == {**expected["phones"], "primaryPhoneCountryCode": "FR"}


def test_merge_of_a_single_record_is_refused(gql):
    person = create(gql, "Ada")
    error = gql.error(MERGE, {"ids": [person["id"]], "index": 0})
    assert error["extensions"] == user_error("'ids' must be an array of 2 to 9 record ids")


def test_person_duplicates_lists_the_records_with_the_same_name_or_email(gql):
    # given
    original = gql.data(CREATE_PERSON, {"data": ada()})["createPerson"]
    twin = gql.data(CREATE_PERSON, {"data": {"name": {"firstName": "ADA", "lastName": "lovelace"}}})["createPerson"]
    create(gql, "Grace")
    # when
    found = gql.data(
        "query($ids: [UUID]) { personDuplicates(ids: $ids) { totalCount edges { node { id } } } }",
        {"ids": [original["id"]]},
    )
    # then
    assert found == {"personDuplicates": [{"totalCount": 1, "edges": [{"node": {"id": twin["id"]}}]}]}


# --- errors -----------------------------------------------------------------------------------------------


def test_an_unknown_field_in_variables_is_refused_before_execution(gql):
    # when
    status, body = gql(CREATE_PERSON, {"data": {"name": {"firstName": "Ada"}, "nickname": "Countess"}})
    # then
    message = (
        'Variable \'$data\' got invalid value {"name": {"firstName": "Ada"}, "nickname": "Countess"}; '
        "Field 'nickname' is not defined by type 'PersonCreateInput'. Did you mean 'name'?"
    )
    assert (status, body) == (
        400,
        {
            "errors": [
                {
                    "message": message,
                    "locations": [{"line": 1, "column": 10}],
                    "extensions": {"code": "BAD_USER_INPUT", "userFriendlyMessage": message},
                }
            ]
        },
    )
    assert live(gql) == []


def test_an_unknown_field_written_inline_is_refused_before_execution(gql):
    status, body = gql('mutation { createPerson(data: {nickname: "Countess"}) { id } }')
    assert status == 400
    assert [e["message"] for e in body["errors"]] == [
        "Field 'nickname' is not defined by type 'PersonCreateInput'. Did you mean 'name'?"
    ]
    assert live(gql) == []


@pytest.mark.parametrize(
    "query, variables, message",
    [
        pytest.param(
            "mutation($data: OpportunityCreateInput!) { createOpportunity(data: $data) { id } }",
            {"data": {"stage": "WON"}},
            "Variable '$data' got invalid value \"WON\" at 'data.stage'; Value 'WON' does not exist in "
            "'OpportunityStageEnum' enum.",
            id="in_variables",
        ),
        pytest.param(
            "mutation { createOpportunity(data: {stage: WON}) { id } }",
            None,
            "Value 'WON' does not exist in 'OpportunityStageEnum' enum.",
            id="inline",
        ),
    ],
)
def test_an_invalid_select_value_is_refused_by_its_enum(gql, query, variables, message):
    status, body = gql(query, variables)
    assert status == 400
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [(message, "BAD_USER_INPUT")]


def test_an_invalid_email_is_refused_with_rests_message(api, gql):
    # when
    error = gql.error(CREATE_PERSON, {"data": {"emails": {"primaryEmail": "ada-at-acme"}}})
    # then
    message = "Invalid value for field 'emails.primaryEmail': expected an email address, got \"ada-at-acme\""
    assert error["extensions"] == user_error(message)
    assert api.post("/rest/people", {"emails": {"primaryEmail": "ada-at-acme"}})[1]["messages"] == [message]


def test_every_problem_of_a_batch_is_reported_at_once(gql):
    # when
    error = gql.error(
        CREATE_PEOPLE, {"data": [{"emails": {"primaryEmail": "nope"}}, {"emails": {"primaryEmail": "nada"}}]}
    )
    # then
    messages = [
        "Record 0: Invalid value for field 'emails.primaryEmail': expected an email address, got \"nope\"",
        "Record 1: Invalid value for field 'emails.primaryEmail': expected an email address, got \"nada\"",
    ]
    assert error["extensions"] == user_error("; ".join(messages), messages=messages)


def test_a_join_id_of_no_record_is_refused(gql):
    error = gql.error(CREATE_PERSON, {"data": {"companyId": MISSING_ID}})
    assert error["extensions"] == user_error(f"Field 'companyId': no company record has id '{MISSING_ID}'")


def test_a_company_with_a_taken_domain_is_refused_whatever_the_case(gql):
    company = gql.data(
        'mutation { createCompany(data: {name: "Acme", domainName: {primaryLinkUrl: "acme.com"}}) { id } }'
    )
    error = gql.error(
        'mutation { createCompany(data: {name: "Acme 2", domainName: {primaryLinkUrl: "ACME.com"}}) { id } }'
    )
    assert error["extensions"] == user_error(
        "Duplicate value for unique field 'domainName.primaryLinkUrl': 'acme.com' "
        f"is already used by record {company['createCompany']['id']}"
    )


def test_a_nul_character_in_the_variables_is_refused_before_execution(gql):
    # when
    status, body = gql(
        "mutation($d: PersonCreateInput!) { createPerson(data: $d) { id } }", {"d": {"jobTitle": "CEO\u0000"}}
    )
    # then
    message = "Text must not contain NUL characters (\\u0000)."
    assert (status, body) == (
        400,
        {"errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT", "userFriendlyMessage": message}}]},
    )


def test_a_body_that_is_not_json_is_a_400_saying_so(api):
    # when
    response = Client().post(
        "/graphql", data="not json", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {api.token}"
    )
    # then
    message = "POST body sent invalid JSON."
    assert response.status_code == 400
    assert json.loads(response.content) == {
        "errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT", "userFriendlyMessage": message}}]
    }


@pytest.mark.parametrize("endpoint", ["/graphql", "/metadata"])
def test_a_nul_character_in_the_query_text_is_refused_by_both_endpoints(api, endpoint):
    # when: the GraphQL escape \u0000 inside a string literal
    response = Client().post(
        endpoint,
        data=json.dumps({"query": '{ __typename a: __typename } # "\\u0000"'}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    # then
    message = "Text must not contain NUL characters (\\u0000)."
    assert response.status_code == 400
    assert json.loads(response.content) == {
        "errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT", "userFriendlyMessage": message}}]
    }
