"""Build a cohort's progress report from the command line, in this process (no worker)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from cohorts.models import Cohort
from reports import rendering


class Command(BaseCommand):
    help = (
        "Write the cohort progress report PDF to a file: the same document the report page "
        "builds, with the data as it is now."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--cohort", required=True, help="The cohort's id or slug.")
        parser.add_argument("--out", required=True, type=Path, help="Where to write the PDF.")

    def handle(self, *args, cohort: str, out: Path, **options) -> None:
        lookup = Q(slug=cohort) | Q(pk=int(cohort)) if cohort.isdigit() else Q(slug=cohort)
        found = Cohort.objects.select_related("programme").filter(lookup).first()
        if found is None:
            raise CommandError(f"No cohort has the id or slug {cohort!r}.")
        started = time.perf_counter()
        pdf = rendering.progress_report_pdf(found)
        try:
            out.write_bytes(pdf)
        except OSError as exc:
            raise CommandError(f"Cannot write {out}: {exc.strerror}.") from exc
        self.stdout.write(
            f"Wrote {out} ({len(pdf):,} bytes) for {found} in "
            f"{time.perf_counter() - started:.1f} s."
        )
