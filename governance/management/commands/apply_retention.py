"""Remove what is past its retention period now; ``--dry-run`` only counts."""

from django.core.management.base import BaseCommand

from governance.retention import apply_retention, retention_days


class Command(BaseCommand):
    help = "Remove data past its retention period (RETENTION_DAYS); --dry-run only counts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would go; change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        counts = apply_retention(dry_run=dry_run)
        days = retention_days()
        verb = "would remove" if dry_run else "removed"
        for kind, count in counts.items():
            kept = f"older than {days[kind]} days" if days.get(kind) else "kept for ever"
            self.stdout.write(f"{kind}: {verb} {count} ({kept})")
