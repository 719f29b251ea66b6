import datetime

import pytest

from cohorts.models import Enrolment, Programme
from demo import support_and_grades
from leadership.models import User
from pairings import selectors
from pairings.models import Pairing
from tests.factories import CohortFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 22)


def test_the_ecm_cohort_gets_admin_support_and_the_partnership_its_grades_once():
    ecm = Programme.objects.get(slug="enhanced-care-management")
    cohort = CohortFactory(programme=ecm, name="Cohort 3", starts_on=TODAY)
    for _ in range(12):
        EnrolmentFactory(cohort=cohort, person=UserFactory(profession="nurse"))
    partnership = CohortFactory(
        programme=Programme.objects.get(slug="clinician-manager-partnership"), starts_on=TODAY
    )
    fy2 = UserFactory(profession="doctor", job_title="Foundation Year 2 Doctor")
    gm = UserFactory(profession="manager", job_title="General Manager")
    for person in (fy2, gm):
        EnrolmentFactory(cohort=partnership, person=person, role=Enrolment.Role.PARTICIPANT)

    support_and_grades.load(TODAY)
    support_and_grades.load(TODAY)

    loads = selectors.support_loads(cohort)
    assert [len(load.leaders) for load in loads] == [3, 3, 2]
    assert all(len(load.leaders) <= load.capacity for load in loads)
    assert cohort.pairings.filter(kind=Pairing.Kind.ADMIN_SUPPORT).count() == 8
    fy2.refresh_from_db()
    gm.refresh_from_db()
    assert (fy2.grade_and_profession, gm.grade) == ("Junior doctor", User.Grade.SENIOR)
