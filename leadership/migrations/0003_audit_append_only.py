"""Make the audit trail append-only in the database itself, not only in the code.

A PostgreSQL trigger refuses every UPDATE and DELETE on ``leadership_auditevent``. The only
exception is a transaction that has said, with ``set_config('leadership.audit_maintenance',
'on', true)``, that it is one of the two documented maintenance paths
(``leadership.audit.audit_maintenance``): erasure, which may rewrite ``target_repr`` and
``changes`` (nothing else) to remove an erased person's name, and retention, which deletes rows
past their retention period. The flag is transaction-local, so it cannot leak into other work.

SQLite (the laptop quick start) has no such trigger; production and the tests run on
PostgreSQL.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION leadership_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('leadership.audit_maintenance', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        IF (NEW.id, NEW.actor_id, NEW.action, NEW.target_type_id, NEW.target_id,
            NEW.cohort_id, NEW.person_id, NEW.created_at)
           IS DISTINCT FROM
           (OLD.id, OLD.actor_id, OLD.action, OLD.target_type_id, OLD.target_id,
            OLD.cohort_id, OLD.person_id, OLD.created_at) THEN
            RAISE EXCEPTION 'audit events: erasure may rewrite target_repr and changes only'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""

TRIGGER = """
CREATE TRIGGER leadership_auditevent_append_only
BEFORE UPDATE OR DELETE ON leadership_auditevent
FOR EACH ROW EXECUTE FUNCTION leadership_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS leadership_auditevent_append_only ON leadership_auditevent;
DROP FUNCTION IF EXISTS leadership_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)
        schema_editor.execute(TRIGGER, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("leadership", "0002_notifications"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
