from django.db import migrations, models
from django.db.models import Max


def backfill(apps, schema_editor):
    """A session held before this release had its register taken when someone recorded a
    present, late or absent mark for it (apologies alone are sent ahead, not taken): it is
    marked taken at the last such mark, so its rates stay as they were."""
    Attendance = apps.get_model("modules", "Attendance")
    Session = apps.get_model("modules", "Session")
    taken = (
        Attendance.objects.filter(status__in=["present", "late", "absent"])
        .values("session_id")
        .annotate(last=Max("recorded_at"))
        .order_by()
    )
    for row in taken.iterator():
        Session.objects.filter(pk=row["session_id"]).update(register_taken_at=row["last"])


class Migration(migrations.Migration):
    dependencies = [
        ("modules", "0002_calendarfeed_shortcoursesignup"),
    ]

    operations = [
        migrations.AddField(
            model_name="session",
            name="register_taken_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the register was first saved on or after the session's day. "
                'Empty for a held session means "register not taken": it is left out of every '
                "attendance rate.",
                null=True,
                verbose_name="register taken",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
