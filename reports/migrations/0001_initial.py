# ReportRequest and Certificate moved here from cohorts (cohorts 0009 removes them from its
# state). Their tables, constraints and indexes stay as they are: state only, no SQL.

import django.db.models.deletion
import django.utils.timezone
import leadership.storage
import reports.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cohorts', '0008_cohort_version'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Certificate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(default=reports.models.certificate_code, max_length=20, unique=True)),
                        ('name_on_certificate', models.CharField(max_length=300)),
                        ('programme_name', models.CharField(max_length=200)),
                        ('issued_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('revoked_at', models.DateTimeField(blank=True, null=True)),
                        ('revocation_reason', models.CharField(blank=True, max_length=500)),
                        ('cohort', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='certificates', to='cohorts.cohort')),
                        ('issued_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='certificates', to=settings.AUTH_USER_MODEL)),
                        ('revoked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'cohorts_certificate',
                        'ordering': ['cohort', 'name_on_certificate'],
                        'constraints': [models.UniqueConstraint(fields=('cohort', 'person'), name='certificate_one_per_cohort'), models.CheckConstraint(condition=models.Q(('revoked_at__isnull', True), models.Q(('revocation_reason', ''), _negated=True), _connector='OR'), name='certificate_revocation_has_reason')],
                    },
                ),
                migrations.CreateModel(
                    name='ReportRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('progress', 'Cohort progress report'), ('certificates', 'Certificates of completion'), ('transcript', 'Participant transcript')], max_length=20)),
                        ('status', models.CharField(choices=[('pending', 'Waiting to start'), ('running', 'Being built'), ('ready', 'Ready'), ('failed', 'Failed')], default='pending', max_length=20)),
                        ('file', models.FileField(blank=True, max_length=300, storage=leadership.storage.get_private_storage, upload_to=reports.models.report_file_name)),
                        ('size', models.PositiveBigIntegerField(blank=True, null=True)),
                        ('pages', models.PositiveIntegerField(blank=True, null=True)),
                        ('error', models.TextField(blank=True)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('requested_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('data_cutoff', models.DateTimeField(blank=True, help_text='The moment the figures were read: later changes are not in the file.', null=True, verbose_name='data cut-off')),
                        ('cohort', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='report_requests', to='cohorts.cohort')),
                        ('person', models.ForeignKey(blank=True, help_text="Whose transcript or certificate; empty for the cohort report and for every completing participant's certificates.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='report_requests', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'cohorts_reportrequest',
                        'ordering': ['-requested_at', '-pk'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('status__in', ['pending', 'running'])), fields=('cohort', 'kind', 'person'), name='report_one_identical_in_progress', nulls_distinct=False), models.CheckConstraint(condition=models.Q(models.Q(('kind', 'transcript'), _negated=True), ('person__isnull', False), _connector='OR'), name='report_transcript_has_person'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'ready'), _negated=True), models.Q(('file', ''), _negated=True), _connector='OR'), name='report_ready_has_file')],
                    },
                ),
            ],
        ),
    ]
