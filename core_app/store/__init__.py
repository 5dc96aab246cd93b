"""The record store: how records, their index path, unique values and counters are kept.

- ``sql``: the SQL that differs between PostgreSQL and SQLite, and how statements are sent;
- ``records``: ``RecordRow`` (a record as read) and the columns selected for it;
- ``keys`` and ``slots``: the index path (which values are indexed, as sortable text keys);
- ``writer``: every write to the record table, keeping the index and the counters in step;
- ``deferred``: a unit of work's plain inserts, gathered and sent together (few statements);
- ``unique``: values of unique fields; ``counts``: live-record counters;
- ``maintenance``: the index kept in step with data-model changes, and rebuilt on demand.

Queries over records (filters, order, pages, counts) are planned in ``core_app.query.planner``.
Nothing outside this package writes the store's tables.
"""
