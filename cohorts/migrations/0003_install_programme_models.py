"""Make the three shipped programme models available to a new install.

The definitions live in ``cohorts.programme_models`` (one source); this migration hands them the
historical models of this point in the migration graph, never the current model classes."""

from django.db import migrations


def install(apps, schema_editor):
    from cohorts.programme_models import install_with

    install_with(apps.get_model("cohorts", "Programme"), apps.get_model("modules", "ModuleTemplate"))


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0002_initial"),
        ("modules", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
