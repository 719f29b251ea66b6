import datetime

import pytest

from cohorts.models import Cohort, Enrolment, Programme
from demo import learning_sets as demo
from learning_sets.models import (
    ActionLearningSet,
    ChallengeOutcome,
    CoachingSession,
    LearningSetMeeting,
)
from modules.services import milestones_generate
from tests.factories import CohortFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 22)


def test_the_tower_hamlets_cohort_gets_sets_a_challenge_and_coaching_once():
    programme = Programme.objects.get(slug=demo.PROGRAMME_SLUG)
    cohort = CohortFactory(
        programme=programme,
        starts_on=TODAY - datetime.timedelta(weeks=16),
        status=Cohort.Status.RUNNING,
    )
    EnrolmentFactory(cohort=cohort, person=UserFactory(), role=Enrolment.Role.FACULTY)
    UserFactory(email="faculty@demo.example.org")  # the demo's faculty login coaches too
    for _ in range(18):
        EnrolmentFactory(cohort=cohort, person=UserFactory(), role=Enrolment.Role.PARTICIPANT)
    milestones_generate(cohort=cohort, acting_user=None)

    demo.load(TODAY)
    demo.load(TODAY)  # a second run adds nothing

    sets = ActionLearningSet.objects.filter(cohort=cohort)
    assert [s.memberships.count() for s in sets] == [6, 6, 6]
    assert LearningSetMeeting.objects.filter(learning_set__cohort=cohort).count() == 9
    assert ChallengeOutcome.objects.filter(challenge__cohort=cohort).count() == 16
    challenge = cohort.leadership_challenges.get()
    assert challenge.debrief
    assert challenge.milestone.name == "Trimester 1 leadership challenge"
    # Two coaches signed and logged four monthly sessions with each of their four coachees;
    # the one who has not signed has coachees and no sessions.
    assert CoachingSession.objects.filter(assignment__cohort=cohort).count() == 2 * 4 * 4
    assert cohort.coach_assignments.count() == 12
