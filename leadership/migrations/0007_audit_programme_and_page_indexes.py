"""The audit trail and the e-mail log read a page at a time from an index.

* ``AuditEvent.programme_id``: the programme an event concerns, recorded when the event is
  (``leadership.services.audit_record``), and filled in here for the events already recorded:
  their cohort's programme, or the programme itself when the event is about one. Who may read
  an event is then an index range on ``(programme_id, created_at, id)`` instead of three ORed
  subqueries that made PostgreSQL read the whole trail for every page.
* One ``(…, created_at, id)`` index for each way the trail is narrowed (none, programme,
  cohort, person, action, and one person's own events without a cohort); they replace the single-column indexes on ``created_at``,
  ``cohort_id`` and ``person_id``, which they begin with. The e-mail log gets
  ``(cohort_id, scheduled_for, id)`` in place of ``cohort_id``.
* The append-only trigger (migration 0003) now also refuses to let erasure's maintenance door
  change ``programme_id``.

Additive for a rolling deploy: a nullable column, new indexes, then the old ones dropped (no
code reads an index by name). Events the previous release records while the new one rolls out
have no programme, so only superusers would see them: run ``python manage.py
audit_backfill_programmes`` once the roll is done (it fills only what is missing).
"""

import django.utils.timezone
from django.db import migrations, models

from leadership.audit import backfill_programmes

FUNCTION = """
CREATE OR REPLACE FUNCTION leadership_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('leadership.audit_maintenance', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        -- A missing programme may be filled in (audit_backfill_programmes), never changed.
        IF (NEW.id, NEW.actor_id, NEW.action, NEW.target_type_id, NEW.target_id,
            NEW.cohort_id, NEW.person_id, NEW.created_at)
           IS DISTINCT FROM
           (OLD.id, OLD.actor_id, OLD.action, OLD.target_type_id, OLD.target_id,
            OLD.cohort_id, OLD.person_id, OLD.created_at)
           OR (OLD.programme_id IS NOT NULL
               AND NEW.programme_id IS DISTINCT FROM OLD.programme_id) THEN
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


def fill_programmes(apps, schema_editor):
    programme_type = apps.get_model("contenttypes", "ContentType").objects.filter(
        app_label="cohorts", model="programme"
    )
    backfill_programmes(
        events=apps.get_model("leadership", "AuditEvent").objects,
        cohorts=apps.get_model("cohorts", "Cohort").objects,
        programme_type_id=programme_type.values_list("pk", flat=True).first(),
    )


def guard_programme(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("cohorts", "0009_report_models_moved_to_reports"),
        ("leadership", "0006_notification_kind_programme_added"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="programme_id",
            field=models.BigIntegerField(
                blank=True,
                help_text=(
                    "The programme it concerns (its cohort's, or the programme itself), "
                    "recorded with the event so that who may read it is one index range "
                    "(leadership.audit)."
                ),
                null=True,
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["created_at", "id"], name="audit_time_idx"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                fields=["programme_id", "created_at", "id"], name="audit_programme_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["cohort_id", "created_at", "id"], name="audit_cohort_idx"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["person_id", "created_at", "id"], name="audit_person_idx"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["action", "created_at", "id"], name="audit_action_idx"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("cohort_id__isnull", True)),
                fields=["actor_id", "created_at", "id"],
                name="audit_own_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                fields=["cohort_id", "scheduled_for", "id"], name="notification_cohort_idx"
            ),
        ),
        migrations.RunPython(fill_programmes, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(guard_programme, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="auditevent",
            name="cohort_id",
            field=models.BigIntegerField(
                blank=True, help_text="The cohort it concerns, for filtering.", null=True
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="person_id",
            field=models.BigIntegerField(
                blank=True, help_text="The person it concerns, if any.", null=True
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="cohort_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
    ]
