"""Complete the shipped programme models as blueprints (and add the measurement-culture model
to installs that predate it).

The definitions live in ``cohorts.programme_models`` (one source); this migration hands them the
historical models of this point in the migration graph, never the current model classes."""

from django.db import migrations


def install(apps, schema_editor):
    from cohorts.programme_models import install_blueprint_with, install_with

    programme = apps.get_model("cohorts", "Programme")
    module_template = apps.get_model("modules", "ModuleTemplate")
    install_with(programme, module_template)
    install_blueprint_with(
        programme,
        module_template,
        apps.get_model("modules", "MilestoneTemplate"),
        apps.get_model("redesign_projects", "AssignmentTemplate"),
        apps.get_model("modules", "CloseDown"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0013_programme_decimal_comma"),
        ("modules", "0004_milestones_close_downs"),
        ("redesign_projects", "0007_assignment_templates"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
