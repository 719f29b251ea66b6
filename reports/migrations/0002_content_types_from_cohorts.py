# The content types of the moved models follow them: their rows are relabelled cohorts →
# reports, keeping their ids, so audit events (target_type), notifications (subject_type) and
# permissions keep pointing at them. Audit events cannot be updated (leadership 0003), which is
# why the content type rows move rather than the references.

from django.db import migrations

MOVED = ("reportrequest", "certificate")


def relabel(apps, from_label: str, to_label: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for model in MOVED:
        old = ContentType.objects.filter(app_label=from_label, model=model).first()
        if old is None:
            continue  # a new database: post_migrate creates the rows under the new label
        # Only after a partial migrate (post_migrate ran between the two apps' migrations) is
        # there a row under the new label already; nothing can refer to it yet but its
        # permissions. Deleting it fails loudly (PROTECT) if something does.
        clash = ContentType.objects.filter(app_label=to_label, model=model).first()
        if clash is not None:
            Permission.objects.filter(content_type=clash).delete()
            clash.delete()
        old.app_label = to_label
        old.save(update_fields=["app_label"])
    ContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    relabel(apps, "cohorts", "reports")


def backwards(apps, schema_editor):
    relabel(apps, "reports", "cohorts")


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('cohorts', '0009_report_models_moved_to_reports'),
        ('reports', '0001_initial'),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
