"""Small builders for pairing tests: people enrolled in a cohort and pairings made through the
services, as the product makes them."""

import datetime

from django.utils import timezone

from cohorts.models import Enrolment
from pairings import services
from pairings.models import Pairing
from tests.factories import EnrolmentFactory, UserFactory


def enrol(cohort, *, profession="doctor", role=Enrolment.Role.PARTICIPANT, **fields):
    person = UserFactory(profession=profession, **fields)
    EnrolmentFactory(cohort=cohort, person=person, role=role)
    return person


def manager_in(cohort, **fields):
    fields.setdefault("department", "Operations")
    return enrol(cohort, profession="manager", **fields)


def pair(cohort, clinician, manager, *, status=Pairing.Status.ACTIVE, started_on=None):
    started_on = started_on or timezone.localdate() - datetime.timedelta(days=30)
    (pairing,) = services.pairings_create(
        cohort=cohort,
        kind=Pairing.Kind.PARTNERSHIP,
        pairs=[(clinician, manager)],
        status=status,
        started_on=started_on if status == Pairing.Status.ACTIVE else None,
        acting_user=None,
    )
    return pairing
