"""``manage.py import_records`` and ``export_records``: the same import and export from the shell."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_import_records_imports_a_file_and_reports_row_errors(workspace, api, tmp_path):
    # given
    path = tmp_path / "people.csv"
    path.write_text("First,Email\r\nAda,ada@example.com\r\nBad,not-an-email\r\nAlan,alan@example.com\r\n")
    out = StringIO()

    # when
    call_command(
        "import_records", str(workspace.pk), "people", str(path),
        "--mapping", json.dumps({"First": "name.firstName", "Email": "emails.primaryEmail"}), stdout=out, stderr=StringIO(),
    )  # fmt: skip

    # then
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("created 2, updated 0; 1 rows failed (import ")
    assert lines[1:] == [
        "  row 2 (emails.primaryEmail): Invalid value for field 'emails.primaryEmail': "
        'expected an email address, got "not-an-email"'
    ]
    _, body = api.get("/rest/people", order_by="position")
    assert [
        (p["name"]["firstName"], p["createdBy"]["source"], p["createdBy"]["name"]) for p in body["data"]["people"]
    ] == [
        ("Ada", "IMPORT", "manage.py import_records"),
        ("Alan", "IMPORT", "manage.py import_records"),
    ]


def test_import_records_refuses_bad_input_with_the_apis_message(workspace, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("Nickname\r\nAda\r\n")
    with pytest.raises(CommandError, match=r"^Column 'Nickname': unknown field 'Nickname' on object 'person'$"):
        call_command("import_records", str(workspace.pk), "people", str(path), stdout=StringIO(), stderr=StringIO())


def test_export_records_writes_the_export_to_a_file(workspace, api, tmp_path):
    # given
    for first in ("Ada", "Alan"):
        assert api.post("/rest/people", {"name": {"firstName": first}, "city": "London"})[0] == 201
    path = tmp_path / "people.ndjson"

    # when
    call_command(
        "export_records", str(workspace.pk), "people", "--format", "ndjson", "--order-by", "name.firstName[DescNullsLast]",
        "--filter", "city[eq]:London", "--output", str(path), stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip

    # then
    exported = [json.loads(line) for line in path.read_text().splitlines()]
    assert [p["name"]["firstName"] for p in exported] == ["Alan", "Ada"]


def test_export_records_takes_fields_and_a_limit(workspace, api, tmp_path):
    # given
    for first in ("Ada", "Alan", "Grace"):
        assert api.post("/rest/people", {"name": {"firstName": first}, "city": "London"})[0] == 201
    path = tmp_path / "people.ndjson"
    stderr = StringIO()

    # when
    call_command(
        "export_records", str(workspace.pk), "people", "--format", "ndjson", "--order-by", "name.firstName",
        "--fields", "city", "--limit", "2", "--output", str(path), stdout=StringIO(), stderr=stderr,
    )  # fmt: skip

    # then
    exported = [json.loads(line) for line in path.read_text().splitlines()]
    assert [sorted(p) for p in exported] == [["city", "id"], ["city", "id"]]
    assert stderr.getvalue().endswith(f"Exported 2 records to {path}\n")
    with pytest.raises(
        CommandError, match=r"^'fields' parameter invalid. Unknown or unreadable fields on 'person': x$"
    ):
        call_command("export_records", str(workspace.pk), "people", "--fields", "x", stdout=StringIO())


def test_export_records_refuses_a_bad_filter(workspace):
    with pytest.raises(CommandError, match="nickname"):
        call_command("export_records", str(workspace.pk), "people", "--filter", "nickname[eq]:x", stdout=StringIO())


def test_commands_refuse_an_unknown_object(workspace, tmp_path):
    with pytest.raises(CommandError, match=r"^object 'persons' not found; objects: "):
        call_command("export_records", str(workspace.pk), "persons", stdout=StringIO())
