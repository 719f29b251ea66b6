from django.db import migrations, models


# The shipped programme models run in England (cohorts/programme_models.py).
NHS_MODELS = ("primary-care-network-leadership", "clinician-manager-partnership")


def keep_the_old_greeting(apps, schema_editor):
    """Programmes made before this release greeted with "Kia ora" (it was in the templates);
    they keep it until an administrator changes it — except the shipped NHS programme models,
    which now say "Dear"."""
    programmes = apps.get_model("cohorts", "Programme").objects
    programmes.exclude(slug__in=NHS_MODELS).update(email_greeting="Kia ora")
    programmes.filter(slug__in=NHS_MODELS).update(email_greeting="Dear")


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0010_cohort_peer_review_scope"),
    ]

    operations = [
        migrations.AddField(
            model_name="programme",
            name="email_greeting",
            field=models.CharField(
                blank=True,
                db_default="Hello",
                default="Hello",
                help_text='How e-mails to its people open, before the name: "Kia ora", "Dear", '
                '"Hello" (empty: "Hello").',
                max_length=60,
                verbose_name="e-mail greeting",
            ),
        ),
        migrations.AddField(
            model_name="programme",
            name="email_sign_off",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text='The closing line of its e-mails, e.g. "Ngā mihi, the programme '
                'office". Empty: no sign-off.',
                max_length=200,
                verbose_name="e-mail sign-off",
            ),
        ),
        migrations.RunPython(keep_the_old_greeting, migrations.RunPython.noop, elidable=True),
    ]
