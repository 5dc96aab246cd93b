"""Signals through which the record store takes part in data-model changes.

``metadata_app`` must not import ``core_app`` (dependencies point the other way), yet a field
change may need to look at existing records. ``core_app`` connects receivers to these signals;
they run inside the metadata transaction and may raise ``ValidationError`` to refuse the change.
"""

from django.dispatch import Signal

__all__ = [
    "data_model_changed",
    "field_added",
    "field_data_changing",
    "field_removing",
    "object_created",
    "object_has_records",
    "object_removing",
    "object_renaming",
    "workspace_deleting",
]

#: Sent before a field update is saved, with ``field`` (the row before the change),
#: ``before`` and ``after`` (attribute -> value for every changed attribute).
field_data_changing = Signal()

#: Sent to ask whether an object has records; receivers return True or False.
object_has_records = Signal()

#: Sent after a field was created on an object that may already have records, with ``field``.
field_added = Signal()

#: Sent at the end of every field or object change made through the services, inside its
#: transaction, with ``workspace_id``: receivers bring what they derive from the data model in step.
data_model_changed = Signal()

#: Sent at the end of an object's creation (default fields and relations made), inside its
#: transaction, with ``workspace_id``: receivers may refuse the data model it makes.
object_created = Signal()

#: Sent before a field row is deleted, with ``field``.
field_removing = Signal()

#: Sent before an object row is deleted, with ``obj``: its records go with it.
object_removing = Signal()

#: Sent before an object's singular name changes, with ``obj`` (as it was) and ``name`` (the new
#: one); receivers may refuse the change.
object_renaming = Signal()

#: Sent inside the deleting transaction before a workspace's own row and its data model are
#: deleted, with ``workspace_id``: each receiver deletes its app's tenant rows of that workspace
#: set-wise (``DELETE ... WHERE workspace_id = ...``). Django's cascade would instead read every
#: dependent row into memory and name them all in one statement (more than PostgreSQL's 65,535
#: parameters at ~65k events), so nothing with many rows per workspace is left to it.
workspace_deleting = Signal()
