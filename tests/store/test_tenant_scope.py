"""Every statement on the record store names its workspace (ready for Citus, distributed by workspace).

The suite-wide fixture ``statements_name_their_workspace`` (tests/conftest.py) fails any test whose
requests send the store a statement without a workspace predicate; these tests pin what it accepts
and refuses, so that it cannot pass by accident.
"""

from __future__ import annotations

import pytest

from tests.conftest import unscoped_reference


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT r.id FROM core_app_record r WHERE r.workspace_id = %s AND r.object_id = %s",
        "SELECT * FROM core_app_record r JOIN core_app_recordindex s ON s.workspace_id = r.workspace_id "
        "AND s.record_id = r.id WHERE r.workspace_id = %s",
        "DELETE FROM core_app_uniquevalue WHERE workspace_id = %s AND record_id IN (%s)",
        'SELECT COUNT(*) FROM "core_app_record" WHERE ("core_app_record"."workspace_id" = %s)',
        "INSERT INTO core_app_recordcount (workspace_id, object_id, shard, live) VALUES (%s, %s, 0, %s)",
        "COPY core_app_record (workspace_id, id, object_id, data) FROM STDIN",
        "UPDATE core_app_record SET data = v.data FROM v WHERE core_app_record.workspace_id = %s",
        "SELECT 1 FROM metadata_app_workspace",
    ],
)
def test_statements_naming_their_workspace_pass(sql):
    assert unscoped_reference(sql) is None


@pytest.mark.parametrize(
    ("sql", "culprit"),
    [
        ("SELECT r.id FROM core_app_record r WHERE r.object_id = %s", "core_app_record r"),
        (
            "SELECT * FROM core_app_record r WHERE r.workspace_id = %s AND r.id IN "
            "(SELECT p.record_id FROM core_app_recordindex p WHERE p.slot = %s)",
            "core_app_recordindex p",
        ),
        (
            'SELECT "core_app_record"."workspace_id" FROM "core_app_record" WHERE "core_app_record"."id" = %s',
            "core_app_record",
        ),
        ("DELETE FROM core_app_uniquevalue WHERE record_id = %s", "core_app_uniquevalue"),
        ("INSERT INTO core_app_record (id, data) VALUES (%s, %s)", "core_app_record"),
    ],
)
def test_statements_without_their_workspace_are_caught(sql, culprit):
    assert unscoped_reference(sql) == culprit
