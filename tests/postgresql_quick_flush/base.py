"""PostgreSQL for the tests, emptied between transactional tests with DELETE, not TRUNCATE.

Django empties every table after each ``transaction=True`` test (browser, live-server and
worker tests) with one ``TRUNCATE`` of all ~100 tables. TRUNCATE replaces each table's files,
which costs 1-2 s per test on this 2-core machine (measured: 0.9-2.1 s); DELETE on the few rows
a test leaves takes about 20 ms. Foreign keys are DEFERRABLE INITIALLY DEFERRED, so the order
of the DELETEs does not matter inside the flush's transaction. The audit trail's append-only
trigger lets a transaction delete only after it has said it is maintenance (see
leadership/migrations/0003_audit_append_only.py), so the flush says so, for its own
transaction only. Only the tests use this engine; production keeps Django's.
"""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences:
            # Restarting sequences is what TRUNCATE ... RESTART IDENTITY is for.
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [
            "SELECT set_config('leadership.audit_maintenance', 'on', true)",
            "SET CONSTRAINTS ALL DEFERRED",
            *(f"DELETE FROM {self.quote_name(table)}" for table in tables),
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
