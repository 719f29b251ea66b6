"""The measures models now belong to the ``measures`` app (``measures.0001_initial``, which this
depends on, took them over with their tables). Drop them from this app's model state only: the
tables stay, no SQL runs, so it is safe while the previous release still runs (its code reads
the same tables under the same names)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0001_initial"),
        ("redesign_projects", "0004_form_tokens"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            # Models that point at others go first, so no state model is left pointing at one
            # already removed.
            state_operations=[
                migrations.DeleteModel(name="PdsaCycle"),
                migrations.DeleteModel(name="Rebase"),
                migrations.DeleteModel(name="DataPoint"),
                migrations.DeleteModel(name="Measure"),
                migrations.DeleteModel(name="ChartRuleSet"),
            ],
        ),
    ]
