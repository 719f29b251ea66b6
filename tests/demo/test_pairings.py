import datetime

import pytest

from cohorts.models import Enrolment, Programme
from demo import pairings as pairings_demo
from pairings import selectors
from pairings.models import Pairing, PairingPreference, ShadowingEntry
from tests.factories import CohortFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 22)


@pytest.fixture
def partnership_cohort():
    # Installed with the shipped programme models by a cohorts migration.
    programme = Programme.objects.get(slug="clinician-manager-partnership")
    cohort = CohortFactory(programme=programme, starts_on=TODAY - datetime.timedelta(weeks=6))
    for profession, n in (("doctor", 12), ("manager", 12)):
        for i in range(n):
            person = UserFactory(profession=profession, department=f"{profession} dept {i}")
            EnrolmentFactory(cohort=cohort, person=person, role=Enrolment.Role.PARTICIPANT)
    return cohort


def snapshot(cohort):
    return (
        sorted(Pairing.objects.filter(cohort=cohort).values_list("clinician", "manager", "status")),
        PairingPreference.objects.filter(cohort=cohort).count(),
        ShadowingEntry.objects.filter(pairing__cohort=cohort).count(),
    )


def test_the_demo_pairs_most_people_logs_shadowing_and_leaves_work_for_the_matcher(
    partnership_cohort,
):
    pairings_demo.load(TODAY)
    pairs, preferences, entries = snapshot(partnership_cohort)
    assert [status for *_people, status in pairs].count("active") == 7
    assert [status for *_people, status in pairs].count("proposed") == 1
    assert preferences == 24
    assert entries > 7
    suggested = selectors.suggest_pairs(partnership_cohort, Pairing.Kind.PARTNERSHIP)
    assert (len(suggested.clinicians), len(suggested.managers)) == (4, 4)
    # The last doctor names the last manager as line manager: they are kept apart.
    assert len(suggested.exclusions) == 1
    assert len(suggested.result.pairs) == 4


def test_the_demo_is_idempotent(partnership_cohort):
    pairings_demo.load(TODAY)
    first = snapshot(partnership_cohort)
    pairings_demo.load(TODAY)
    assert snapshot(partnership_cohort) == first


def test_without_the_partnership_cohort_the_demo_makes_nothing(cohort):
    pairings_demo.load(TODAY)
    assert not Pairing.objects.exists() and not PairingPreference.objects.exists()
