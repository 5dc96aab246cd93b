"""``/rest/metadata/webhooks``: CRUD with validation, the secret shown once, workspace isolation,
the delivery log's access rules and the deprecated ``/rest/webhooks`` alias."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ApiClient
from tests.seeding import make_client, other_workspace, seeded_workspaces, workspace  # noqa: F401

seeded_workspace_ids = seeded_workspaces("module")

URL = "https://hooks.example.com/crm"
MISSING_ID = "0d4389ef-ea9c-4ae8-ada1-1cddc440fb56"
INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
OPERATION_HELP = (
    "use '{object}.{action}', where object is an object's singular name (e.g. person) or '*', "
    "and action is one of created, updated, deleted, destroyed, restored or '*'"
)


def bad_request(*messages: str) -> tuple[int, dict]:
    return 400, {"statusCode": 400, "error": "BadRequestException", "messages": list(messages)}


def not_found(message: str) -> tuple[int, dict]:
    return 404, {"statusCode": 404, "error": "NotFoundException", "messages": [message]}


def create(api: ApiClient, **body) -> dict:
    status, answer = api.post("/rest/metadata/webhooks", {"targetUrl": URL, **body})
    assert status == 201, answer
    return answer["data"]


def test_create_returns_the_webhook_with_its_generated_secret_and_default_operations(api):
    # when
    status, answer = api.post("/rest/metadata/webhooks", {"targetUrl": URL})

    # then
    assert status == 201
    webhook = answer["data"]
    assert list(webhook) == [
        "id",
        "targetUrl",
        "operations",
        "filter",
        "fields",
        "description",
        "secret",
        "createdAt",
        "updatedAt",
        "deletedAt",
        "isFailing",
        "failingSince",
        "consecutiveFailures",
    ]
    assert webhook["targetUrl"] == URL
    assert webhook["operations"] == ["*.*"]
    assert (webhook["filter"], webhook["fields"], webhook["description"]) == (None, None, None)
    assert re.fullmatch(r"[0-9a-f]{64}", webhook["secret"])
    assert INSTANT.fullmatch(webhook["createdAt"]) and INSTANT.fullmatch(webhook["updatedAt"])
    assert (webhook["deletedAt"], webhook["isFailing"], webhook["failingSince"], webhook["consecutiveFailures"]) == (
        None,
        False,
        None,
        0,
    )


def test_create_keeps_the_given_secret_operations_and_description(api):
    # when
    webhook = create(
        api, operations=["person.created", "*.deleted", "person.created"], description="CRM sync", secret="s3cr3t"
    )

    # then
    assert webhook["operations"] == ["person.created", "*.deleted"]
    assert webhook["description"] == "CRM sync"
    assert webhook["secret"] == "s3cr3t"


def test_secret_is_never_returned_after_creation(api):
    # given
    webhook = create(api, secret="s3cr3t")
    path = f"/rest/metadata/webhooks/{webhook['id']}"

    # when
    answers = [
        api.get(path),
        api.get("/rest/metadata/webhooks"),
        api.patch(path, {"secret": "rotated"}),
        api.delete(path),
    ]

    # then
    assert [status for status, _ in answers] == [200, 200, 200, 200]
    assert "secret" not in answers[0][1]["data"]
    assert all("secret" not in item for item in answers[1][1]["data"])
    assert "secret" not in answers[2][1]["data"]
    assert "secret" not in answers[3][1]["data"]
    assert "s3cr3t" not in str(answers) and "rotated" not in str(answers)


def test_get_returns_one_webhook_in_the_data_envelope(api):
    # given
    webhook = create(api, operations=["company.*"])
    del webhook["secret"]

    # when / then
    assert api.get(f"/rest/metadata/webhooks/{webhook['id']}") == (200, {"data": webhook})


def test_list_uses_the_data_page_info_total_count_envelope_with_id_cursors(api, other_api):
    # given
    ids = sorted(create(api, description=str(n))["id"] for n in range(3))
    create(other_api)

    # when
    first = api.get("/rest/metadata/webhooks", limit=2)
    second = api.get("/rest/metadata/webhooks", limit=2, starting_after=ids[1])

    # then
    assert first[0] == 200
    assert [w["id"] for w in first[1]["data"]] == ids[:2]
    assert first[1]["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": ids[0],
        "endCursor": ids[1],
    }
    assert first[1]["totalCount"] == 3
    assert [w["id"] for w in second[1]["data"]] == ids[2:]
    assert second[1]["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": ids[2],
        "endCursor": ids[2],
    }


def test_patch_changes_only_the_given_properties(api):
    # given
    webhook = create(api, description="old")

    # when
    status, answer = api.patch(
        f"/rest/metadata/webhooks/{webhook['id']}",
        {"operations": ["person.updated"], "targetUrl": "http://other.example.com/x"},
    )

    # then
    assert status == 200
    assert answer["data"]["operations"] == ["person.updated"]
    assert answer["data"]["targetUrl"] == "http://other.example.com/x"
    assert answer["data"]["description"] == "old"
    assert api.get(f"/rest/metadata/webhooks/{webhook['id']}")[1]["data"] == answer["data"]


def test_delete_soft_deletes_the_webhook_which_then_disappears(api):
    # given
    webhook = create(api)
    path = f"/rest/metadata/webhooks/{webhook['id']}"

    # when
    status, answer = api.delete(path)

    # then
    assert status == 200
    assert INSTANT.fullmatch(answer["data"]["deletedAt"])
    assert api.get(path) == not_found(f"Webhook {webhook['id']} not found")
    assert api.get("/rest/metadata/webhooks")[1]["data"] == []
    assert api.delete(path) == not_found(f"Webhook {webhook['id']} not found")


@pytest.mark.parametrize(
    ("body", "messages"),
    [
        ({}, ["targetUrl is required: an absolute http or https URL"]),
        ({"targetUrl": ""}, ["targetUrl is required: an absolute http or https URL"]),
        ({"targetUrl": "ftp://example.com/hook"}, ["Invalid URL scheme. Only HTTP and HTTPS are allowed."]),
        ({"targetUrl": "javascript:alert(1)"}, ["Invalid URL scheme. Only HTTP and HTTPS are allowed."]),
        ({"targetUrl": "/relative/hook"}, ["Invalid URL scheme. Only HTTP and HTTPS are allowed."]),
        (
            {"targetUrl": "https:///no-host"},
            ["Invalid URL: 'https:///no-host' must be absolute, e.g. https://example.com/hook"],
        ),
        ({"targetUrl": "http://example.com:99999/x"}, ["Invalid URL: 'http://example.com:99999/x'"]),
        (
            {"targetUrl": URL, "operations": "person.created"},
            [f"operations must be a non-empty array of strings; {OPERATION_HELP}"],
        ),
        ({"targetUrl": URL, "operations": []}, [f"operations must be a non-empty array of strings; {OPERATION_HELP}"]),
        (
            {"targetUrl": URL, "operations": ["person", "person.create", "Person.created", "person.created.name", 7]},
            [
                f"Invalid operation 'person': {OPERATION_HELP}",
                f"Invalid operation 'person.create': {OPERATION_HELP}",
                f"Invalid operation 'Person.created': {OPERATION_HELP}",
                f"Invalid operation 'person.created.name': {OPERATION_HELP}",
                f"Invalid operation 7: {OPERATION_HELP}",
            ],
        ),
        ({"targetUrl": URL, "description": 12}, ["description must be a string of at most 2000 characters"]),
        ({"targetUrl": URL, "secret": ""}, ["secret must be a non-empty string of at most 512 characters"]),
        (
            {"targetUrl": "ftp://x", "secret": 5},
            [
                "Invalid URL scheme. Only HTTP and HTTPS are allowed.",
                "secret must be a non-empty string of at most 512 characters",
            ],
        ),
        (
            {"targetUrl": URL, "events": ["*.*"]},
            ["Unknown properties events; allowed: description, fields, filter, operations, secret, targetUrl"],
        ),
    ],
    ids=[
        "missing_url",
        "empty_url",
        "ftp",
        "javascript",
        "relative",
        "no_host",
        "bad_port",
        "operations_string",
        "operations_empty",
        "operations_malformed",
        "description_number",
        "secret_empty",
        "all_problems_at_once",
        "unknown_property",
    ],
)
def test_invalid_create_is_a_400_naming_every_problem(api, body, messages):
    # when / then
    assert api.post("/rest/metadata/webhooks", body) == bad_request(*messages)
    assert api.get("/rest/metadata/webhooks")[1]["totalCount"] == 0


def test_invalid_patch_changes_nothing(api):
    # given
    webhook = create(api)
    path = f"/rest/metadata/webhooks/{webhook['id']}"

    # when
    answer = api.patch(path, {"description": "new", "targetUrl": "mailto:me@example.com"})

    # then
    assert answer == bad_request("Invalid URL scheme. Only HTTP and HTTPS are allowed.")
    assert api.get(path)[1]["data"]["description"] is None


@pytest.mark.parametrize("body", [[URL], "text", 3], ids=["array", "string", "number"])
def test_body_must_be_an_object(api, body):
    assert api.post("/rest/metadata/webhooks", body) == bad_request("The body must be a JSON object")


def test_empty_body_lacks_the_target_url(api):
    assert api.post("/rest/metadata/webhooks") == bad_request("targetUrl is required: an absolute http or https URL")


def test_paths_without_an_id_or_with_a_bad_one_are_400s(api):
    assert api.patch("/rest/metadata/webhooks", {}) == bad_request(
        "update webhook query invalid. Id missing. eg: /rest/metadata/webhooks/0d4389ef-ea9c-4ae8-ada1-1cddc440fb56"
    )
    assert api.delete("/rest/metadata/webhooks") == bad_request(
        "delete webhook query invalid. Id missing. eg: /rest/metadata/webhooks/0d4389ef-ea9c-4ae8-ada1-1cddc440fb56"
    )
    assert api.get("/rest/metadata/webhooks/nope") == bad_request("'nope' is not a valid UUID")
    assert api.get("/rest/metadata/webhooks/nope/deliveries") == bad_request("'nope' is not a valid UUID")


def test_another_workspaces_webhook_and_its_deliveries_are_404s(api, other_api):
    # given
    webhook = create(other_api)
    path = f"/rest/metadata/webhooks/{webhook['id']}"
    missing = not_found(f"Webhook {webhook['id']} not found")

    # when / then
    assert api.get(path) == missing
    assert api.patch(path, {"description": "mine now"}) == missing
    assert api.delete(path) == missing
    assert api.get(f"{path}/deliveries") == missing
    assert api.get(f"{path}/deliveries/{MISSING_ID}") == missing
    assert api.post(f"{path}/deliveries/{MISSING_ID}/redeliver") == missing
    assert api.get("/rest/metadata/webhooks")[1]["data"] == []
    assert other_api.get(path)[1]["data"]["description"] is None


def test_delivery_log_of_a_new_webhook_is_empty_and_status_must_be_known(api):
    # given
    webhook = create(api)
    path = f"/rest/metadata/webhooks/{webhook['id']}/deliveries"

    # when / then
    assert api.get(path) == (
        200,
        {
            "data": [],
            "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None},
            "totalCount": 0,
        },
    )
    assert api.get(path, status="LOST") == bad_request("status must be one of PENDING, SUCCEEDED, FAILED, CANCELLED")
    assert api.get(f"{path}/{MISSING_ID}") == not_found(f"Delivery {MISSING_ID} not found")
    assert api.post(f"{path}/{MISSING_ID}/redeliver") == not_found(f"Delivery {MISSING_ID} not found")


def test_webhook_routes_need_an_api_key(anonymous):
    status, answer = anonymous.get("/rest/metadata/webhooks")
    assert (status, answer["statusCode"]) == (401, 401)
    assert anonymous.get("/rest/webhooks")[0] == 401


def test_private_targets_are_refused_at_creation_when_not_allowed(api, settings):
    # given
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    refused = "Invalid URL: Webhook URL resolves to a private/internal IP address"

    # when / then
    for url in [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest",
        "http://10.1.2.3/",
        "http://[::1]/hook",
        "http://192.168.0.10/",
        "http://[::ffff:127.0.0.1]/",
        "http://api.localhost/",
        # the shorthand and numeric IPv4 forms resolvers accept, and a fully qualified localhost
        "http://127.1/",
        "http://0x7f000001/",
        "http://2130706433/",
        "http://017700000001/",
        "http://0/",
        "http://localhost./",
    ]:
        assert api.post("/rest/metadata/webhooks", {"targetUrl": url}) == bad_request(refused), url
    assert api.post("/rest/metadata/webhooks", {"targetUrl": "http://93.184.215.14/hook"})[0] == 201


class TestDeprecatedAlias:
    """``/rest/webhooks``: raw answers with the Deprecation and Link headers of api-reference.md 3.2."""

    def call(self, api: ApiClient, method: str, path: str, body=None):
        import json

        kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body is not None else {}
        response = getattr(api.client, method)(path, **kwargs, **api.headers())
        return response.status_code, json.loads(response.content), response["Deprecation"], response["Link"]

    def test_list_is_a_raw_array(self, api):
        webhook = create(api)
        del webhook["secret"]
        assert self.call(api, "get", "/rest/webhooks") == (
            200,
            [webhook],
            "@1786320000",
            '</rest/metadata/webhooks>; rel="successor-version"',
        )

    def test_create_get_patch_delete_answer_raw_values(self, api):
        status, created, deprecation, link = self.call(api, "post", "/rest/webhooks", {"targetUrl": URL})
        assert (status, deprecation, link) == (201, "@1786320000", '</rest/metadata/webhooks>; rel="successor-version"')
        assert re.fullmatch(r"[0-9a-f]{64}", created["secret"])
        path = f"/rest/webhooks/{created['id']}"
        successor = f'</rest/metadata/webhooks/{created["id"]}>; rel="successor-version"'
        status, shown, _, link = self.call(api, "get", path)
        assert (status, shown["id"], "secret" in shown, link) == (200, created["id"], False, successor)
        status, patched, _, _ = self.call(api, "patch", path, {"description": "d"})
        assert (status, patched["description"]) == (200, "d")
        assert self.call(api, "delete", path) == (200, True, "@1786320000", successor)
        assert self.call(api, "get", path)[0] == 404


@pytest.mark.parametrize(
    ("url", "position", "char"),
    [
        ("http://93.184.215.14/hook/é", 27, "'é'"),
        ("http://93.184.215.14/sp ace", 24, "' '"),
        ("http://93.184.215.14/nl\nX-Injected: 1", 24, "'\\n'"),
    ],
)
def test_a_url_http_could_not_send_is_refused_at_creation(api, url, position, char):
    message = (
        f"Invalid URL: character {position} ({char}) is a space, a control or a non-ASCII character; "
        "percent-encode it in the path (é is %C3%A9, a space %20) and write the host in punycode"
    )
    assert api.post("/rest/metadata/webhooks", {"targetUrl": url}) == bad_request(message)


def test_operations_must_name_objects_the_workspace_has(api):
    # when
    plural = api.post(
        "/rest/metadata/webhooks", {"targetUrl": "http://93.184.215.14/", "operations": ["people.created"]}
    )
    unknown = api.post("/rest/metadata/webhooks", {"targetUrl": "http://93.184.215.14/", "operations": ["nothing.*"]})
    # then
    assert plural == bad_request(
        "operations: no active object is named 'people' (an object's singular name, e.g. person, or '*'); "
        "did you mean 'person'?"
    )
    assert unknown == bad_request(
        "operations: no active object is named 'nothing' (an object's singular name, e.g. person, or '*')"
    )


def test_a_filter_through_a_relation_is_refused_for_every_object_too(api):
    # given: *.* may deliver people, whose company is a relation
    body = {"targetUrl": "http://93.184.215.14/", "operations": ["*.*"], "filter": "company.name[eq]:Airbnb"}
    # when
    status, answer = api.post("/rest/metadata/webhooks", body)
    # then
    assert status == 400
    assert answer["messages"][0].startswith(
        'Webhook filters accept only the record\'s own fields: "company.name" goes through relation field "company"'
    )
