# ReportRequest and Certificate moved to the reports app (reports 0001 adds them to its state).
# Their tables keep their names and stay where they are: state only, no SQL. Code still
# running from the previous release reads and writes the same tables during a rolling deploy.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cohorts', '0008_cohort_version'),
        ('reports', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='Certificate'),
                migrations.DeleteModel(name='ReportRequest'),
            ],
        ),
    ]
