"""Path errors of api-reference 1.1 and the error body of 1.7 on every core route: unknown
object, "Did you mean", invalid UUID, too many segments, wrong method, missing key.
"""

from __future__ import annotations

import pytest

from tests.core.conftest import client_for
from tests.core.helpers import MISSING_ID, PATH_EXAMPLES, bad_request, create_custom_object, error

#: Every core route, as (method, path, query params), with "{plural}" and "{id}" to fill in.
ROUTES = [
    pytest.param("get", "/rest/{plural}", {}, id="find_many"),
    pytest.param("get", "/rest/{plural}/{id}", {}, id="find_one"),
    pytest.param("post", "/rest/{plural}", {}, id="create_one"),
    pytest.param("post", "/rest/{plural}", {"upsert": "true"}, id="upsert_one"),
    pytest.param("post", "/rest/batch/{plural}", {}, id="create_many"),
    pytest.param("patch", "/rest/{plural}/{id}", {}, id="update_one"),
    pytest.param("put", "/rest/{plural}/{id}", {}, id="update_one_put"),
    pytest.param("patch", "/rest/{plural}", {"filter": "name[eq]:x"}, id="update_many"),
    pytest.param("delete", "/rest/{plural}/{id}", {}, id="destroy_one"),
    pytest.param("delete", "/rest/{plural}/{id}", {"soft_delete": "true"}, id="soft_delete_one"),
    pytest.param("delete", "/rest/{plural}", {"filter": "name[eq]:x"}, id="destroy_many"),
    pytest.param("patch", "/rest/restore/{plural}/{id}", {}, id="restore_one"),
    pytest.param("patch", "/rest/restore/{plural}", {"filter": "name[eq]:x"}, id="restore_many"),
]


def call(client, method: str, path: str, params: dict, plural: str, record_id: str = MISSING_ID):
    """Send one route request with a body suited to it."""
    path = path.format(plural=plural, id=record_id)
    if method == "get":
        return client.get(path, **params)
    if method == "delete":
        return client.delete(path, **params)
    body = [{"name": "x"}] if "/batch/" in path else ({"name": "x"} if "/restore/" not in path else None)
    return getattr(client, method)(path, body, **params)


@pytest.mark.parametrize(("method", "path", "params"), ROUTES)
def test_unknown_object_is_a_400_on_every_route(api, method, path, params):
    assert call(api, method, path, params, "widgets") == bad_request("object 'widgets' not found. eg: companies")


@pytest.mark.parametrize(("method", "path", "params"), ROUTES)
def test_singular_name_is_a_400_suggesting_the_plural_on_every_route(api, method, path, params):
    assert call(api, method, path, params, "person") == bad_request("object 'person' not found. Did you mean 'people'?")


def test_singular_name_of_a_custom_object_suggests_its_plural(api):
    create_custom_object(api, "rocket", "rockets")
    assert api.get("/rest/rocket") == bad_request("object 'rocket' not found. Did you mean 'rockets'?")


def test_object_names_are_case_sensitive(api):
    assert api.get("/rest/People") == bad_request("object 'People' not found. eg: companies")


@pytest.mark.parametrize(("method", "path", "params"), [p for p in ROUTES if "{id}" in str(p.values[1])])
def test_id_that_is_not_a_uuid_is_a_400_on_every_route_with_an_id(api, method, path, params):
    assert call(api, method, path, params, "people", "abc") == bad_request("'abc' is not a valid UUID")


@pytest.mark.parametrize(
    "bad_id",
    [
        "123",
        "0d4389ef-ea9c-4ae8-ada1-1cddc440fb5",
        "0d4389ef-ea9c-4ae8-ada1-1cddc440fb56x",
        "0d4389efea9c4ae8ada11cddc440fb56",
        "{0d4389ef-ea9c-4ae8-ada1-1cddc440fb56}",
    ],
    ids=["digits", "one_character_short", "one_character_long", "without_dashes", "in_braces"],
)
def test_almost_uuids_are_not_valid_ids(api, bad_id):
    assert api.get(f"/rest/people/{bad_id}") == bad_request(f"'{bad_id}' is not a valid UUID")


@pytest.mark.parametrize(("method", "path", "params"), [p for p in ROUTES if "{id}" in str(p.values[1])])
def test_unknown_id_is_a_404_on_every_route_with_an_id(api, method, path, params):
    assert call(api, method, path, params, "people") == (404, error(404, f"Record {MISSING_ID} not found in people"))


@pytest.mark.parametrize(
    ("method", "rest"),
    [
        pytest.param("get", "people/a/b", id="get"),
        pytest.param("post", "people/a/b", id="post"),
        pytest.param("patch", f"people/{MISSING_ID}/x", id="patch_after_an_id"),
        pytest.param("put", "people/a/b", id="put"),
        pytest.param("delete", f"people/{MISSING_ID}/x", id="delete_after_an_id"),
        pytest.param("patch", "restore/people/a/b", id="restore_with_four_segments"),
        pytest.param("post", "batch/people/x", id="batch_with_an_id"),
        pytest.param("get", "a/b/c/d", id="many_segments"),
    ],
)
def test_too_many_path_segments_is_a_400_on_every_method(api, method, rest):
    answer = getattr(api, method)(f"/rest/{rest}")
    assert answer == bad_request(f"Query path '{rest}' invalid. Valid examples: {PATH_EXAMPLES}")


@pytest.mark.parametrize("path", ["/rest", "/rest/"])
def test_the_rest_root_is_a_400_in_the_error_format(api, path):
    # Django's HTML 404 page (with the URL configuration under DEBUG) answered these before
    assert api.get(path) == bad_request(f"Query path '' invalid. Valid examples: {PATH_EXAMPLES}")


def test_post_with_an_id_in_the_path_is_a_400(api):
    assert api.post(f"/rest/people/{MISSING_ID}", {"name": {"firstName": "Ada"}}) == bad_request(
        f"Query path 'people/{MISSING_ID}' invalid. Valid examples: {PATH_EXAMPLES}"
    )


def test_post_on_the_restore_path_is_a_400(api):
    assert api.post("/rest/restore/people", {}) == bad_request(
        f"Query path 'restore/people' invalid. Valid examples: {PATH_EXAMPLES}"
    )


@pytest.mark.parametrize(
    ("method", "path", "message"),
    [
        pytest.param("get", "/rest/batch/people", "Use POST on this path", id="get_batch"),
        pytest.param("patch", "/rest/batch/people", "Use POST on /rest/batch/{plural}", id="patch_batch"),
        pytest.param("delete", "/rest/batch/people", "DELETE is not available on this path", id="delete_batch"),
        pytest.param("get", "/rest/restore/people", "Use PATCH on this path", id="get_restore"),
        pytest.param("delete", "/rest/restore/people", "DELETE is not available on this path", id="delete_restore"),
        pytest.param("get", "/rest/people/duplicates", "Use POST on this path", id="get_duplicates"),
        pytest.param("delete", "/rest/people/duplicates", "Use POST on this path", id="delete_duplicates"),
        pytest.param("get", "/rest/people/merge", "Use PATCH on this path", id="get_merge"),
        pytest.param("post", "/rest/people/merge", "Use PATCH on this path", id="post_merge"),
        pytest.param("post", "/rest/people/groupBy", "Use GET on this path", id="post_group_by"),
        pytest.param("patch", "/rest/people/groupBy", "Use GET on this path", id="patch_group_by"),
    ],
)
def test_wrong_method_on_batch_restore_and_action_paths_is_a_405(api, method, path, message):
    assert getattr(api, method)(path) == (405, error(405, message))


@pytest.mark.parametrize(("method", "path", "params"), ROUTES)
def test_every_route_needs_an_api_key(anonymous, db, method, path, params):
    assert call(anonymous, method, path, params, "people") == (
        401,
        error(401, "Missing Authorization header. Send 'Authorization: Bearer <API key>'."),
    )


@pytest.mark.parametrize(("method", "path", "params"), ROUTES)
def test_every_route_refuses_an_unknown_key(db, method, path, params):
    client = client_for("crm_0123456789abcdef_" + "x" * 40)
    assert call(client, method, path, params, "people") == (401, error(401, "Unknown API key."))


def test_a_deactivated_object_is_not_found(api):
    # given
    rocket = create_custom_object(api, "rocket", "rockets")
    assert api.post("/rest/rockets", {"name": "Ariane"})[0] == 201
    # when
    status, _ = api.patch(f"/rest/metadata/objects/{rocket}", {"isActive": False})
    # then
    assert status == 200
    assert api.get("/rest/rockets") == bad_request("object 'rockets' not found. eg: companies")


def test_a_renamed_object_answers_under_its_new_name_at_once(api):
    # given
    rocket = create_custom_object(api, "rocket", "rockets")
    assert api.post("/rest/rockets", {"name": "Ariane"})[0] == 201
    # when
    status, _ = api.patch(f"/rest/metadata/objects/{rocket}", {"nameSingular": "launcher", "namePlural": "launchers"})
    # then
    assert status == 200
    assert api.get("/rest/rockets") == bad_request("object 'rockets' not found. eg: companies")
    status, body = api.get("/rest/launchers")
    assert status == 200
    assert [r["name"] for r in body["data"]["launchers"]] == ["Ariane"]


def test_error_bodies_have_exactly_the_contract_keys(api):
    status, body = api.get("/rest/nothing")
    assert status == 400
    assert list(body) == ["statusCode", "error", "messages"]


# --- NUL characters (PostgreSQL can store none) ----------------------------------------------------


def test_a_nul_character_anywhere_in_the_body_is_a_400_naming_where(api):
    # given: "\u0000" inside a composite sub-field
    body = '{"name": {"firstName": "Ada\\u0000", "lastName": "L"}}'
    # when
    answer = api.request("POST", "/rest/people", raw=body)
    # then
    assert answer == bad_request(
        "Invalid JSON body: text must not contain NUL characters (\\u0000), found at $.name.firstName"
    )
    assert api.get("/rest/people")[1]["totalCount"] == 0


def test_an_escaped_backslash_before_u0000_is_ordinary_text(api):
    # given: the JSON text "\\u0000" is a backslash followed by "u0000", not a NUL
    status, body = api.request("POST", "/rest/companies", raw='{"name": "a\\\\u0000b"}')
    # then
    assert (status, body["data"]["createCompany"]["name"]) == (201, "a\\u0000b")


@pytest.mark.parametrize("query", ["name[eq]:a\x00b", "name[like]:a\x00%", "id[in]:[a\x00]"], ids=["eq", "like", "in"])
def test_a_nul_character_in_a_filter_value_is_a_400(api, query):
    status, body = api.get("/rest/companies", filter=query)
    field = query.split("[")[0]
    assert (status, body) == bad_request(
        f"'filter' invalid. Value for '{field}' must not contain NUL characters (\\u0000)"
    )


def test_duplicates_by_ids_refuses_each_id_that_is_not_a_uuid(api):
    status, body = api.post("/rest/people/duplicates", {"ids": ["x", 3]})
    assert (status, body) == bad_request("'x' is not a valid UUID", "'3' is not a valid UUID")
