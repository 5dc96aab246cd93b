"""Signals of the record service.

``records_changed`` is sent inside the writing transaction, once per object and operation,
with every changed record: receivers (webhooks_app) store events in that same transaction,
so a rolled-back write emits nothing and a committed write always has its events.
"""

from django.dispatch import Signal

__all__ = ["records_changed"]

#: Sent with ``ctx`` (RecordContext) and ``changes`` (list of writing.Change).
records_changed = Signal()
