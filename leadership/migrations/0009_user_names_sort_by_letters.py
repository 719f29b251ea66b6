"""People's names sort by their letters, whatever their macrons and accents: "Hēnare" among the
H's, "Ōtene" among the O's, "de Souza" among the D's. On PostgreSQL the name columns take the
ICU root collation ("und-x-icu"), so every ORDER BY on a name — pages, exports, the PDF reports
— sorts that way without each query saying so. A server built without ICU keeps its default
(nothing changes there). SQLite (the quick start) keeps byte order."""

from django.db import migrations

COLUMNS = ("first_name", "last_name")


def _has_icu(cursor) -> bool:
    cursor.execute("SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu'")
    return cursor.fetchone() is not None


def collate(apps, schema_editor, collation: str | None = "und-x-icu"):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if collation and not _has_icu(cursor):
            return
        clause = f'COLLATE "{collation}"' if collation else 'COLLATE "default"'
        table = apps.get_model("leadership", "User")._meta.db_table
        for column in COLUMNS:
            cursor.execute(
                f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar(150) {clause}'
            )


def uncollate(apps, schema_editor):
    collate(apps, schema_editor, collation=None)


class Migration(migrations.Migration):
    dependencies = [
        ("leadership", "0008_notification_kinds_for_registers_and_messages"),
    ]

    operations = [migrations.RunPython(collate, uncollate)]
