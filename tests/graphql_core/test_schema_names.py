"""The synthesized schema speaks Twenty's names (api-reference 2.1-2.3): root fields and types per
object, composite types with their filter/order/input types, a custom object or field queryable on
the next request; introspection without a key, everything else only with one.
"""

from __future__ import annotations

import pytest
from graphql import get_introspection_query

from core_app.graphql.synthesis import build_schema
from core_app.graphql.type_names import defined_type_names, fixed_type_names
from metadata_app.models import ObjectMetadata
from metadata_app.registry import schema_registry
from tests.core.helpers import create_custom_object, create_field, relation_field
from tests.graphql_core.helpers import GraphQL
from tests.metadata.helpers import object_id

QUERY_OPERATIONS = ("{plural}", "{singular}", "{singular}Duplicates", "{plural}GroupBy")
MUTATION_OPERATIONS = (
    "create{Singular}",
    "create{Plural}",
    "update{Singular}",
    "update{Plural}",
    "delete{Singular}",
    "delete{Plural}",
    "destroy{Singular}",
    "destroy{Plural}",
    "restore{Singular}",
    "restore{Plural}",
    "merge{Plural}",
)
ROOTS = "{ __schema { queryType { fields { name } } mutationType { fields { name } } } }"
TYPE = """query($name: String!) { __type(name: $name) {
  kind fields { name args { name } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } inputFields { name }
} }"""
ACTOR_FIELDS = ["source", "workspaceMemberId", "name", "context"]


def operation_names(templates: tuple[str, ...], singular: str, plural: str) -> set[str]:
    """Twenty's operation names of one object (``getResolverName``)."""
    cap = lambda name: name[:1].upper() + name[1:]
    return {t.format(singular=singular, plural=plural, Singular=cap(singular), Plural=cap(plural)) for t in templates}


def roots(gql: GraphQL) -> tuple[set[str], set[str]]:
    """Names of the Query and Mutation root fields."""
    schema = gql.data(ROOTS)["__schema"]
    return {f["name"] for f in schema["queryType"]["fields"]}, {f["name"] for f in schema["mutationType"]["fields"]}


def type_of(gql: GraphQL, name: str) -> dict:
    """``__type(name)`` with field names, arguments and (wrapped) types."""
    return gql.data(TYPE, {"name": name})["__type"]


def field_names(gql: GraphQL, name: str) -> list[str]:
    """Output field names of type ``name``, in schema order."""
    return [field["name"] for field in type_of(gql, name)["fields"]]


def input_names(gql: GraphQL, name: str) -> list[str]:
    """Input field names of input type ``name``, in schema order."""
    return [field["name"] for field in type_of(gql, name)["inputFields"]]


def named(type_ref: dict) -> str:
    """The named type under NON_NULL/LIST wrappers."""
    while type_ref["name"] is None:
        type_ref = type_ref["ofType"]
    return type_ref["name"]


# --- root fields ----------------------------------------------------------------------------------


def test_root_fields_are_exactly_twentys_operation_names_of_every_object(api, gql):
    # given
    status, body = api.get("/rest/metadata/objects")
    assert status == 200
    objects = [(o["nameSingular"], o["namePlural"]) for o in body["data"]["objects"]]
    # when
    queries, mutations = roots(gql)
    # then
    # plus ours: the event feed (a reserved name, so no object can take it) and ``search`` (api-reference §13)
    assert queries == {n for s, p in objects for n in operation_names(QUERY_OPERATIONS, s, p)} | {"events", "search"}
    assert mutations == {n for s, p in objects for n in operation_names(MUTATION_OPERATIONS, s, p)}


def test_people_and_companies_have_their_query_and_mutation_names(gql):
    queries, mutations = roots(gql)
    assert {
        "people",
        "person",
        "personDuplicates",
        "peopleGroupBy",
        "companies",
        "company",
        "companyDuplicates",
        "companiesGroupBy",
    } <= queries
    assert {
        "createPerson",
        "createPeople",
        "updatePerson",
        "updatePeople",
        "deletePerson",
        "deletePeople",
        "destroyPerson",
        "destroyPeople",
        "restorePerson",
        "restorePeople",
        "mergePeople",
        "createCompany",
        "createCompanies",
        "updateCompany",
        "updateCompanies",
        "deleteCompany",
        "deleteCompanies",
        "destroyCompany",
        "destroyCompanies",
        "restoreCompany",
        "restoreCompanies",
        "mergeCompanies",
    } <= mutations


def test_root_fields_take_twentys_arguments(gql):
    # when
    schema = gql.data(
        "{ __schema { queryType { fields { name args { name } } } mutationType { fields { name args { name } } } } }"
    )
    fields = {
        f["name"]: [a["name"] for a in f["args"]]
        for root in ("queryType", "mutationType")
        for f in schema["__schema"][root]["fields"]
    }
    # then
    assert {
        name: fields[name]
        for name in (
            "people",
            "person",
            "personDuplicates",
            "createPerson",
            "createPeople",
            "updatePerson",
            "updatePeople",
            "deletePerson",
            "deletePeople",
            "destroyPerson",
            "destroyPeople",
            "restorePerson",
            "restorePeople",
            "mergePeople",
        )
    } == {
        "people": ["filter", "orderBy", "first", "last", "after", "before", "offset"],
        "person": ["filter"],
        "personDuplicates": ["ids", "data"],
        "createPerson": ["data", "upsert"],
        "createPeople": ["data", "upsert"],
        "updatePerson": ["id", "data"],
        "updatePeople": ["filter", "data"],
        "deletePerson": ["id"],
        "deletePeople": ["filter"],
        "destroyPerson": ["id"],
        "destroyPeople": ["filter"],
        "restorePerson": ["id"],
        "restorePeople": ["filter"],
        "mergePeople": ["ids", "conflictPriorityIndex", "dryRun"],
    }


# --- object types ---------------------------------------------------------------------------------


def test_person_type_has_every_rest_field_plus_its_relations_and_search_vector(api, gql):
    # given: the keys REST returns for a person (depth 0) and the relations of person
    status, body = api.post("/rest/people", {"name": {"firstName": "Ada"}})
    assert status == 201
    rest_keys = set(body["data"]["createPerson"])
    # when
    fields = field_names(gql, "Person")
    # then: searchVector is a field to select, never a key of REST's default answer
    assert "searchVector" not in rest_keys
    assert set(fields) == rest_keys | {
        "company",
        "pointOfContactForOpportunities",
        "noteTargets",
        "taskTargets",
        "attachments",
        "timelineActivities",
        "searchVector",
    }


def test_many_to_one_relations_are_objects_and_one_to_many_relations_are_connections_with_arguments(gql):
    # when
    person = {f["name"]: f for f in type_of(gql, "Person")["fields"]}
    company = {f["name"]: f for f in type_of(gql, "Company")["fields"]}
    # then
    assert (person["company"]["type"]["kind"], named(person["company"]["type"]), person["company"]["args"]) == (
        "OBJECT",
        "Company",
        [],
    )
    assert named(person["companyId"]["type"]) == "UUID"
    assert named(company["people"]["type"]) == "PersonConnection"
    assert [a["name"] for a in company["people"]["args"]] == ["filter", "orderBy", "first", "last", "after", "before"]


def test_connection_edge_and_page_info_types_have_twentys_shape(gql):
    # when
    connection = {f["name"]: named(f["type"]) for f in type_of(gql, "PersonConnection")["fields"]}
    # then
    assert {k: connection[k] for k in ("edges", "pageInfo", "totalCount")} == {
        "edges": "PersonEdge",
        "pageInfo": "PageInfo",
        "totalCount": "Int",
    }
    assert field_names(gql, "PersonEdge") == ["node", "cursor"]
    assert field_names(gql, "PageInfo") == ["hasNextPage", "hasPreviousPage", "startCursor", "endCursor"]


def test_connections_carry_the_aggregate_fields_of_each_field_type(gql):
    # when
    person = {f["name"]: named(f["type"]) for f in type_of(gql, "PersonConnection")["fields"]}
    company = {f["name"]: named(f["type"]) for f in type_of(gql, "CompanyConnection")["fields"]}
    # then
    assert {
        k: person[k]
        for k in (
            "countEmptyJobTitle",
            "countNotEmptyJobTitle",
            "countUniqueValuesJobTitle",
            "percentageEmptyJobTitle",
            "percentageNotEmptyJobTitle",
            "countEmptyEmails",
            "countEmptyCompanyId",
            "minCreatedAt",
            "maxCreatedAt",
        )
    } == {
        "countEmptyJobTitle": "Int",
        "countNotEmptyJobTitle": "Int",
        "countUniqueValuesJobTitle": "Int",
        "percentageEmptyJobTitle": "Float",
        "percentageNotEmptyJobTitle": "Float",
        "countEmptyEmails": "Int",
        "countEmptyCompanyId": "Int",
        "minCreatedAt": "DateTime",
        "maxCreatedAt": "DateTime",
    }
    assert {
        k: company[k]
        for k in (
            "minEmployees",
            "maxEmployees",
            "avgEmployees",
            "sumEmployees",
            "countTrueIdealCustomerProfile",
            "countFalseIdealCustomerProfile",
            "minAnnualRecurringRevenueAmountMicros",
            "maxAnnualRecurringRevenueAmountMicros",
            "avgAnnualRecurringRevenueAmountMicros",
            "sumAnnualRecurringRevenueAmountMicros",
        )
    } == {
        "minEmployees": "Float",
        "maxEmployees": "Float",
        "avgEmployees": "Float",
        "sumEmployees": "Float",
        "countTrueIdealCustomerProfile": "Int",
        "countFalseIdealCustomerProfile": "Int",
        "minAnnualRecurringRevenueAmountMicros": "Float",
        "maxAnnualRecurringRevenueAmountMicros": "Float",
        "avgAnnualRecurringRevenueAmountMicros": "Float",
        "sumAnnualRecurringRevenueAmountMicros": "Float",
    }
    assert "sumJobTitle" not in person and "countTrueEmployees" not in company


def test_filter_order_and_write_inputs_have_twentys_names_and_fields(gql):
    # when
    filters = input_names(gql, "PersonFilterInput")
    order = input_names(gql, "PersonOrderByInput")
    create = input_names(gql, "PersonCreateInput")
    update = input_names(gql, "PersonUpdateInput")
    # then
    assert filters[:3] == ["and", "or", "not"]
    assert {"id", "name", "emails", "jobTitle", "companyId", "createdAt", "deletedAt", "position"} <= set(filters)
    # api-reference §11.2: the relations (to-one and to-many) and the quantifiers
    assert {"company", "pointOfContactForOpportunities", "_some", "_none", "_every"} <= set(filters)
    assert {"id", "name", "emails", "jobTitle", "createdAt", "position"} <= set(order)
    # §11.4: the join column and the to-one relation sort; a to-many relation does not
    assert {"company", "companyId"} <= set(order) and "pointOfContactForOpportunities" not in set(order)
    assert {"id", "name", "emails", "jobTitle", "companyId", "position"} <= set(create)
    assert not {
        "createdAt",
        "updatedAt",
        "deletedAt",
        "createdBy",
        "updatedBy",
        "pointOfContactForOpportunities",
    } & set(create)
    assert "company" in create  # CompanyRelationInput (api-reference §12)
    assert set(update) == set(create) - {"id"}


@pytest.mark.parametrize(
    "base, sub_fields",
    [
        pytest.param("FullName", ["firstName", "lastName"], id="FULL_NAME"),
        pytest.param("Emails", ["primaryEmail", "additionalEmails"], id="EMAILS"),
        pytest.param("Links", ["primaryLinkUrl", "primaryLinkLabel", "secondaryLinks"], id="LINKS"),
        pytest.param(
            "Phones",
            ["primaryPhoneNumber", "primaryPhoneCountryCode", "primaryPhoneCallingCode", "additionalPhones"],
            id="PHONES",
        ),
        pytest.param("Currency", ["amountMicros", "currencyCode"], id="CURRENCY"),
        pytest.param(
            "Address",
            [
                "addressStreet1",
                "addressStreet2",
                "addressCity",
                "addressPostcode",
                "addressState",
                "addressCountry",
                "addressLat",
                "addressLng",
            ],
            id="ADDRESS",
        ),
        pytest.param("Actor", ACTOR_FIELDS, id="ACTOR"),
        pytest.param("RichTextV2", ["blocknote", "markdown"], id="RICH_TEXT_V2"),
    ],
)
def test_composite_types_have_output_filter_order_and_input_types(gql, base, sub_fields):
    assert field_names(gql, base) == sub_fields
    assert input_names(gql, f"{base}Filter") == sub_fields
    assert set(input_names(gql, f"{base}OrderByInput")) <= set(sub_fields)
    if base != "Actor":  # the server fills createdBy/updatedBy: no input type references Actor's
        assert input_names(gql, f"{base}CreateInput") == sub_fields
        assert input_names(gql, f"{base}UpdateInput") == sub_fields


def test_select_fields_are_enums_with_their_options(gql):
    # when
    enum = gql.data('{ __type(name: "OpportunityStageEnum") { kind enumValues { name } } }')["__type"]
    # then
    assert enum == {
        "kind": "ENUM",
        "enumValues": [
            {"name": "NEW"},
            {"name": "SCREENING"},
            {"name": "MEETING"},
            {"name": "PROPOSAL"},
            {"name": "CUSTOMER"},
        ],
    }


# --- schema follows the metadata --------------------------------------------------------------------


def test_a_custom_object_created_a_second_ago_is_queryable_under_twentys_names(api, gql):
    # given: the schema was built before the object existed
    queries_before, _ = roots(gql)
    # when
    create_custom_object(api, "gadget", "gadgets")
    queries, mutations = roots(gql)
    # then
    assert not {"gadgets", "gadget"} & queries_before
    assert operation_names(QUERY_OPERATIONS, "gadget", "gadgets") <= queries
    assert operation_names(MUTATION_OPERATIONS, "gadget", "gadgets") <= mutations
    assert {
        t: bool(type_of(gql, t))
        for t in (
            "Gadget",
            "GadgetConnection",
            "GadgetEdge",
            "GadgetFilterInput",
            "GadgetOrderByInput",
            "GadgetCreateInput",
            "GadgetUpdateInput",
        )
    } == dict.fromkeys(
        (
            "Gadget",
            "GadgetConnection",
            "GadgetEdge",
            "GadgetFilterInput",
            "GadgetOrderByInput",
            "GadgetCreateInput",
            "GadgetUpdateInput",
        ),
        True,
    )
    created = gql.data('mutation { createGadget(data: {name: "sprocket"}) { id name } }')["createGadget"]
    assert gql.data("{ gadgets { totalCount edges { node { id name } } } }") == {
        "gadgets": {"totalCount": 1, "edges": [{"node": created}]}
    }


def test_a_field_added_a_second_ago_is_writable_filterable_and_aggregated_on_the_next_request(api, gql):
    # given
    object_id = create_custom_object(api, "gadget", "gadgets")
    gql.data('mutation { createGadget(data: {name: "before"}) { id } }')
    # when
    create_field(api, object_id, "weight", "NUMBER")
    created = gql.data('mutation { createGadget(data: {name: "heavy", weight: 12.5}) { name weight } }')
    found = gql.data(
        "{ gadgets(filter: {weight: {gt: 10}}) { edges { node { name weight } } sumWeight countEmptyWeight } }"
    )
    # then
    assert created == {"createGadget": {"name": "heavy", "weight": 12.5}}
    assert found == {
        "gadgets": {"edges": [{"node": {"name": "heavy", "weight": 12.5}}], "sumWeight": 12.5, "countEmptyWeight": 0}
    }


# --- authentication ---------------------------------------------------------------------------------


def test_introspection_without_a_key_answers_with_the_bootstrap_schema(anonymous):
    assert anonymous.post("/graphql", {"query": ROOTS}) == (
        200,
        {"data": {"__schema": {"queryType": {"fields": [{"name": "_empty"}]}, "mutationType": None}}},
    )


def test_the_full_introspection_query_of_client_generators_answers_with_and_without_a_key(gql, anonymous):
    # when
    with_key = gql(get_introspection_query())
    without_key = anonymous.post("/graphql", {"query": get_introspection_query()})
    # then
    assert with_key[0] == 200 and "errors" not in with_key[1]
    assert without_key[0] == 200 and "errors" not in without_key[1]
    assert "Person" in {t["name"] for t in with_key[1]["data"]["__schema"]["types"]}
    assert "Person" not in {t["name"] for t in without_key[1]["data"]["__schema"]["types"]}


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("{ people { totalCount } }", id="query"),
        pytest.param("{ __typename people { totalCount } }", id="introspection_mixed_with_a_query"),
        pytest.param("mutation { createPerson(data: {}) { id } }", id="mutation"),
    ],
)
def test_anything_but_introspection_without_a_key_is_unauthenticated(anonymous, query):
    # HTTP 200 with the error in the body, as Twenty and /metadata answer.
    message = "Missing Authorization header. Send 'Authorization: Bearer <API key>'."
    assert anonymous.post("/graphql", {"query": query}) == (
        200,
        {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED", "userFriendlyMessage": message}}]},
    )


def test_an_unknown_key_is_unauthenticated(db, anonymous):
    # given
    anonymous.token = "crm_0123456789abcdef_notthesecret"
    # when / then
    assert anonymous.post("/graphql", {"query": "{ people { totalCount } }"}) == (
        200,
        {
            "errors": [
                {
                    "message": "Unknown API key.",
                    "extensions": {"code": "UNAUTHENTICATED", "userFriendlyMessage": "Unknown API key."},
                }
            ]
        },
    )


# --- names that would clash -----------------------------------------------------------------------


def test_every_type_of_a_workspace_schema_is_fixed_or_defined_by_its_data_model(api, workspace):
    # given: besides the standard objects, an option field, a unique link and a relation
    rocket = create_custom_object(api, "rocket", "rockets")
    create_field(api, rocket, "stage", "SELECT", options=[{"value": "DRAFT", "label": "Draft", "position": 0}])
    create_field(api, rocket, "site", "LINKS", isUnique=True)
    relation_field(api, rocket, "maker", object_id(workspace, "company"), "rockets")
    snapshot = schema_registry.current(workspace.pk)
    # when
    built = set(build_schema(snapshot).graphql_schema.type_map)
    # then: the clash check knows every name the schema holds (so it cannot miss a clash)
    assert built - fixed_type_names() - set(defined_type_names(snapshot)) == set()
    assert {"RocketStageEnum", "RocketStageEnumFilter", "RocketSiteWhereInput", "Boolean"} <= built


@pytest.mark.parametrize(
    "singular, message",
    [
        (
            "boolean",
            'The name "boolean" is not available: object "boolean" would define the GraphQL type "Boolean", '
            "a type of the API itself",
        ),
        (
            "linksFilter",
            'The name "linksFilter" is not available: object "linksFilter" would define the GraphQL type '
            '"LinksFilter", a type of the API itself',
        ),
        (
            "personFilterInput",
            'Names clash in the GraphQL API: object "person" and object "personFilterInput" would both define the '
            'type "PersonFilterInput"; choose another name',
        ),
    ],
)
def test_an_object_whose_graphql_types_would_clash_is_refused_and_graphql_keeps_working(api, gql, singular, message):
    # given
    objects = api.get("/rest/metadata/objects")[1]["totalCount"]
    # when
    status, body = api.post(
        "/rest/metadata/objects",
        {"nameSingular": singular, "namePlural": f"{singular}s", "labelSingular": "T", "labelPlural": "Ts"},
    )
    # then
    assert (status, body) == (400, {"statusCode": 400, "error": "BadRequestException", "messages": [message]})
    assert api.get("/rest/metadata/objects")[1]["totalCount"] == objects
    assert gql.data("{ companies(first: 1) { totalCount } }") == {"companies": {"totalCount": 0}}


def test_an_object_whose_list_would_take_another_objects_query_field_is_refused(api, gql):
    # when: its plural is person's duplicates query
    status, body = api.post(
        "/rest/metadata/objects",
        {
            "nameSingular": "personDuplicate",
            "namePlural": "personDuplicates",
            "labelSingular": "T",
            "labelPlural": "Ts",
        },
    )
    # then
    assert (status, body["messages"]) == (
        400,
        [
            'Names clash in the GraphQL API: object "person" and object "personDuplicate" would both define the '
            'query field "personDuplicates"; choose another name'
        ],
    )
    # and personDuplicates is still person's duplicates query
    answer = gql("{ personDuplicates(ids: []) { totalCount } }")[1]
    assert answer["errors"][0]["message"] == "'ids' must be a non-empty array of at most 60 items"


def test_a_field_whose_aggregates_would_take_another_fields_is_refused(api, gql):
    # given: a CURRENCY price, whose sum is sumPriceAmountMicros
    moon = create_custom_object(api, "moon", "moons")
    create_field(api, moon, "price", "CURRENCY")
    # when
    status, body = api.post(
        "/rest/metadata/fields", {"objectMetadataId": moon, "type": "NUMBER", "name": "priceAmountMicros", "label": "P"}
    )
    # then
    assert (status, body["messages"]) == (
        400,
        [
            'Names clash in the GraphQL API: field "price" and field "priceAmountMicros" of object "moon" would '
            'both define the aggregate "avgPriceAmountMicros"; choose another name'
        ],
    )
    assert gql.data("{ moons { sumPriceAmountMicros } }") == {"moons": {"sumPriceAmountMicros": None}}


def test_an_object_named_like_an_option_fields_enum_is_refused(api, gql):
    # given
    planet = create_custom_object(api, "planet", "planets")
    create_field(api, planet, "kind", "SELECT", options=[{"value": "GAS", "label": "Gas", "position": 0}])
    # when
    status, body = api.post(
        "/rest/metadata/objects",
        {"nameSingular": "planetKindEnum", "namePlural": "planetKindEnums", "labelSingular": "T", "labelPlural": "Ts"},
    )
    # then
    assert (status, body) == (
        400,
        {
            "statusCode": 400,
            "error": "BadRequestException",
            "messages": [
                'Names clash in the GraphQL API: field "kind" of object "planet" and object "planetKindEnum" would '
                'both define the type "PlanetKindEnum"; choose another name'
            ],
        },
    )
    assert gql.data("{ planets { totalCount } }") == {"planets": {"totalCount": 0}}


def test_renaming_an_object_onto_a_graphql_type_is_refused_on_metadata_graphql(api, gql):
    # given
    rocket = create_custom_object(api, "rocket", "rockets")
    # when
    status, answer = api.post(
        "/metadata",
        {
            "query": "mutation($id: UUID!) { updateOneObject(input: {id: $id, update: "
            '{nameSingular: "float", namePlural: "floats"}}) { id } }',
            "variables": {"id": rocket},
        },
    )
    # then
    assert status == 200
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert answer["errors"][0]["message"] == (
        'The name "float" is not available: object "float" would define the GraphQL type "Float", a type of the API itself'
    )
    assert gql.data("{ rockets { totalCount } }") == {"rockets": {"totalCount": 0}}


def test_a_clash_made_before_the_check_is_a_409_naming_it_and_rest_keeps_working(api, gql, workspace):
    # given: an object named like a GraphQL scalar, written past the metadata services (saving it
    # moves the workspace's metadata version, as any change does)
    ObjectMetadata.objects.create(
        workspace=workspace, name_singular="float", name_plural="floats", label_singular="F", label_plural="Fs"
    )
    # when
    status, body = gql("{ companies(first: 1) { totalCount } }")
    # then
    message = (
        'This workspace\'s data model cannot be served over GraphQL: The name "float" is not available: object '
        '"float" would define the GraphQL type "Float", a type of the API itself. Rename or delete it through the '
        "metadata API; REST keeps working meanwhile."
    )
    assert status == 409
    assert body["errors"][0]["message"] == message
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert api.get("/rest/companies")[0] == 200
