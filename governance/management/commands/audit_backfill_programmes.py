"""Record the programme of audit events recorded without one (after a rolling deploy of the
release that added ``AuditEvent.programme_id``: the previous release's processes kept
recording events without it until they were replaced). Safe to run any number of times."""

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand

from cohorts.models import Cohort, Programme
from leadership.audit import backfill_programmes
from leadership.models import AuditEvent


class Command(BaseCommand):
    help = "Fill in the programme of audit events recorded without one."

    def handle(self, *args, **options):
        filled = backfill_programmes(
            events=AuditEvent.objects,
            cohorts=Cohort.objects,
            programme_type_id=ContentType.objects.get_for_model(Programme).pk,
        )
        self.stdout.write(f"Filled in the programme of {filled} audit event(s).")
