"""The record store: every record of every object of every workspace, in four tables.

- ``Record``: one row per record. Field values live in ``data`` (JSON), keyed by each field's
  immutable storage key; system fields have columns.
- ``RecordIndex``: the index path for fields (a pivot table, as in Salesforce's multitenant
  store): one row per live record and indexed field (or composite sub-field), holding the value
  as a sortable text key. A fixed set of physical indexes serves every field of every workspace.
- ``UniqueValue``: one row per value of an ``isUnique`` field; its primary key makes a value
  exclusive, so two concurrent writers can never both insert it.
- ``RecordCount``: live records per object, kept in the writing transaction, so an unfiltered
  ``totalCount`` costs a handful of rows whatever the object's size; and how many transactions
  changed the object's index, so a filtered count can be kept while that stays the same.

Every table's key includes ``workspace_id`` and every statement of the store filters on it, so
the store can be distributed by workspace (Citus) without changing a query. Keys and indexes
that serve look-ups by id lead with the id, and only indexes that serve ranges of a workspace lead
with the workspace: when the planner misjudges a workspace's size (statistics older than the
workspace), an index of the first kind can never pass for one of the second. Only the store
(``core_app.store``) writes these tables; see ``docs/architecture.md`` for the design and its
measurements.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from metadata_app.models import ObjectMetadata, Workspace

__all__ = ["Record", "RecordCount", "RecordIndex", "SearchField", "SearchToken", "UniqueValue"]


class Record(models.Model):
    """One record of one object, keyed ``(id, workspace_id)``: an id is unique within a workspace."""

    pk = models.CompositePrimaryKey("id", "workspace_id")
    # No database constraints: a foreign-key check per inserted row, and the share lock it takes on
    # the workspace and object rows, would cost every write; the store deletes records itself when
    # an object or a workspace goes (core_app.receivers).
    workspace = models.ForeignKey(
        Workspace, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    id = models.UUIDField(default=uuid.uuid4, editable=False)
    object = models.ForeignKey(
        ObjectMetadata, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    data = models.JSONField(default=dict)
    position = models.FloatField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.JSONField(null=True, blank=True)
    updated_by = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [
            # Live records of an object in id order: the default list order, keyset pages on it and
            # index-only id scans (partial, so trashed records cost live queries nothing).
            models.Index(
                fields=["workspace", "object", "id"], name="record_live", condition=Q(deleted_at__isnull=True)
            ),
            # The trash of an object, for queries that name deletedAt and for restore by filter.
            models.Index(
                fields=["workspace", "object", "id"], name="record_trash", condition=Q(deleted_at__isnull=False)
            ),
            # createdAt and position, indexed as Twenty indexes them: every record has both, so
            # they are columns with indexes of their own rather than rows of the index path.
            models.Index(
                fields=["workspace", "object", "created_at", "id"],
                name="record_created",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(
                fields=["workspace", "object", "position", "id"],
                name="record_position",
                condition=Q(deleted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return str(self.id)


class RecordIndex(models.Model):
    """One indexed value of one live record: ``slot`` names the field (or sub-field), ``key`` its value.

    ``key`` is a text whose byte order is the value's order (``core_app.store.keys``); NULL when the
    record has no value. Trashed records have no rows here: every row is a live record.
    """

    # Led by the record, not the workspace: this key serves look-ups of a record's rows (writes,
    # per-record probes), and an index that starts with the workspace would compete with
    # ``record_index_key`` for range reads whenever the planner misjudges a workspace's size.
    pk = models.CompositePrimaryKey("record_id", "slot", "workspace_id")
    workspace_id = models.UUIDField()
    record_id = models.UUIDField()
    slot = models.UUIDField()
    # C collation on PostgreSQL (migration 0003): byte order, the order SQLite's BINARY gives too.
    key = models.TextField(null=True)

    class Meta:
        # Created NULLS FIRST on PostgreSQL by migration 0003 (records without a value first, as
        # AscNullsFirst, Twenty's default direction, wants them).
        indexes = [models.Index(fields=["workspace_id", "slot", "key", "record_id"], name="record_index_key")]


class UniqueValue(models.Model):
    """A value of a unique field held by a record; the primary key makes it exclusive.

    ``value`` is the field type's unique form (lower-cased text...); values longer than a B-tree
    entry can hold are stored as a digest (``core_app.store.keys.unique_key``).
    """

    pk = models.CompositePrimaryKey("workspace_id", "field_id", "value")
    workspace_id = models.UUIDField()
    field_id = models.UUIDField()
    value = models.TextField()
    object_id = models.UUIDField()
    record_id = models.UUIDField()

    class Meta:
        # A record's values, for updates and deletes. Not led by the workspace, so that it can
        # never stand in for the primary key in a look-up by value (the two tie when the planner
        # believes a workspace holds one row).
        indexes = [models.Index(fields=["record_id"], name="unique_value_record")]


class RecordCount(models.Model):
    """Live records of one object, split over a few ``shard`` rows so concurrent writers rarely wait.

    The count of an object is the sum of its shards; each writing transaction adds its delta to one
    shard (chosen by its database session), in the same transaction as the change.
    """

    pk = models.CompositePrimaryKey("workspace_id", "object_id", "shard")
    workspace_id = models.UUIDField()
    object_id = models.UUIDField()
    shard = models.SmallIntegerField()
    live = models.BigIntegerField(default=0)
    #: Transactions that changed the object's index through this shard (``core_app.store.counts``).
    changes = models.BigIntegerField(default=0, db_default=0)


class SearchToken(models.Model):
    """One token of one search field of one record, or (``token = ''``) that field's whole document.

    The search index of api-reference §13 (``core_app.store.search``): a query word is a range of
    ``search_field_token`` (C collation on PostgreSQL, migration 0005) per search field, answered
    from the index alone; the index leaves the document rows out (migration 0006).
    """

    # Led by the record: writes and deletes find a record's rows by it (as RecordIndex's key).
    pk = models.CompositePrimaryKey("record_id", "field_id", "token", "workspace_id")
    workspace_id = models.UUIDField()
    object_id = models.UUIDField()
    record_id = models.UUIDField()
    field_id = models.UUIDField()
    token = models.TextField()
    document = models.TextField(null=True)

    class Meta:
        indexes = [
            # Led by the field: a word's range per field can be counted (bounded) apart, which is
            # what tells a search whether a word is broad in the label field (services/search.py).
            models.Index(
                fields=["workspace_id", "object_id", "field_id", "token", "record_id"],
                name="search_field_token",
                condition=models.Q(document__isnull=True),
            )
        ]


class SearchField(models.Model):
    """A field whose tokens the search index holds now (what a data-model change compares against)."""

    pk = models.CompositePrimaryKey("workspace_id", "field_id")
    workspace_id = models.UUIDField()
    field_id = models.UUIDField()
    object_id = models.UUIDField()
