"""Bulk participant import: the same reading and checks as the upload page."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from cohorts import imports, services
from cohorts.models import Cohort


class Command(BaseCommand):
    help = (
        "Enrol the participants listed in a CSV or XLSX file, all or nothing. Prints every "
        "problem per row and exits non-zero without writing anything when a row is bad."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--cohort", required=True, help="The cohort's id or slug.")
        parser.add_argument("file", type=Path)

    def handle(self, *args, cohort: str, file: Path, **options) -> None:
        lookup = Q(slug=cohort) | Q(pk=int(cohort)) if cohort.isdigit() else Q(slug=cohort)
        found = Cohort.objects.filter(lookup).first()
        if found is None:
            raise CommandError(f"No cohort has the id or slug {cohort!r}.")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        preview = imports.read_file(file.name, data)
        if not preview.file_errors:
            imports.check_rows(preview, found)
        if not preview.is_valid:
            self._report(preview, file)
        try:
            enrolments = services.participants_import(
                cohort=found, preview=preview, acting_user=None
            )
        except services.ImportRejected as rejected:
            self._report(rejected.preview, file)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {imports.imported_text([e.role for e in enrolments])} into {found}."
            )
        )

    def _report(self, preview: imports.ImportPreview, file: Path) -> None:
        for line in preview.error_lines() or ["The file has no participant rows."]:
            self.stderr.write(line)
        raise CommandError(f"{file.name}: nothing was imported ({preview.problem_count} problems).")
