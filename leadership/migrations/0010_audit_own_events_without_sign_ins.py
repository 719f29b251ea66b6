"""The index of an office's own account events (migration 0007) leaves out sign-ins, as the
audit trail's rule does (``leadership.audit.own_account_events``): an administrator who logs
in every day has hundreds of log-ins without a cohort, and the page read through all of them
to find their few exports. Dropping and re-creating an index is safe for a rolling deploy (no
code names it)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('leadership', '0009_user_names_sort_by_letters'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='auditevent',
            name='audit_own_idx',
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(condition=models.Q(('cohort_id__isnull', True), models.Q(('action__startswith', 'auth.'), ('action__startswith', 'mfa.'), _connector='OR', _negated=True)), fields=['actor_id', 'created_at', 'id'], name='audit_own_idx'),
        ),
    ]
