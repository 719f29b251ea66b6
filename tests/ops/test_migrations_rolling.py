"""Migrations safe for rolling deploys: during a deploy old and new code run side by side
against the migrated database, so a migration may add but not take away what the old code
still uses. Removing or renaming a field or model is done in a later release, once no running
code uses it — and such a migration says so with a ``rolling_deploy`` attribute naming the
release that stopped using it (see the README's "Deploying")."""

from django.db import migrations
from django.db.migrations.loader import MigrationLoader

OUR_APPS = {
    "leadership",
    "cohorts",
    "modules",
    "redesign_projects",
    "pairings",
    "measures",
    "reports",
    "home",
}
# Operations that break the code still running from the previous release.
BREAKING = (
    migrations.RemoveField,
    migrations.DeleteModel,
    migrations.RenameField,
    migrations.RenameModel,
)


def breaking_migrations(loader: MigrationLoader) -> list[str]:
    found = []
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        if app not in OUR_APPS or getattr(migration, "rolling_deploy", ""):
            continue
        for operation in migration.operations:
            if isinstance(operation, BREAKING):
                found.append(f"{app}.{name}: {operation.describe()}")
    return found


def test_no_migration_removes_or_renames_without_saying_why_it_is_safe():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    assert loader.disk_migrations, "no migrations were loaded"
    offenders = breaking_migrations(loader)
    assert not offenders, (
        "These remove or rename what the previous release may still use. Ship the code that "
        "stops using it first; then mark the migration with rolling_deploy = '<why it is safe "
        f"now>': {offenders}"
    )


def test_the_check_finds_a_removal_without_the_marker():
    """The check itself can fail: an unmarked RemoveField is reported, a marked one is not."""

    class Unmarked(migrations.Migration):
        operations = [migrations.RemoveField("cohort", "old_notes")]

    class Marked(Unmarked):
        rolling_deploy = "release 2026.11 stopped reading old_notes"

    loader = MigrationLoader(None, ignore_no_migrations=True)
    loader.disk_migrations = {
        ("cohorts", "9001_unmarked"): Unmarked("9001_unmarked", "cohorts"),
        ("cohorts", "9002_marked"): Marked("9002_marked", "cohorts"),
    }
    assert breaking_migrations(loader) == [
        "cohorts.9001_unmarked: Remove field old_notes from cohort"
    ]
