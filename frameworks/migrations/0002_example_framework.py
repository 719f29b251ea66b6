"""Installs the example framework the product ships (``frameworks/example.py``)."""

from django.db import migrations

from frameworks.example import EXAMPLE_DESCRIPTION, EXAMPLE_DIMENSIONS, EXAMPLE_NAME


def install(apps, schema_editor):
    Framework = apps.get_model("frameworks", "Framework")
    Dimension = apps.get_model("frameworks", "Dimension")
    Statement = apps.get_model("frameworks", "Statement")
    if Framework.objects.filter(name=EXAMPLE_NAME).exists():
        return
    framework = Framework.objects.create(name=EXAMPLE_NAME, description=EXAMPLE_DESCRIPTION)
    for position, (name, description, statements) in enumerate(EXAMPLE_DIMENSIONS, 1):
        dimension = Dimension.objects.create(
            framework=framework, name=name, description=description, position=position
        )
        Statement.objects.bulk_create(
            Statement(dimension=dimension, text=text, position=index)
            for index, text in enumerate(statements, 1)
        )


def remove(apps, schema_editor):
    apps.get_model("frameworks", "Framework").objects.filter(
        name=EXAMPLE_NAME, programme__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
