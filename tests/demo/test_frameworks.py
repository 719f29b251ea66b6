import datetime

import pytest

from cohorts.models import Cohort, Enrolment, Programme
from demo import frameworks as frameworks_demo
from frameworks import selectors
from frameworks.models import FeedbackRound, Rater
from tests.factories import CohortFactory, EnrolmentFactory, UserFactory
from tests.frameworks.helpers import last_session_on

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 22)


@pytest.fixture
def completed_cohort():
    # Installed with the shipped programme models by a cohorts migration.
    programme = Programme.objects.get(slug="enhanced-care-management")
    cohort = CohortFactory(
        programme=programme,
        name="Cohort 2",
        starts_on=TODAY - datetime.timedelta(weeks=80),
        status=Cohort.Status.COMPLETED,
    )
    for i in range(12):
        EnrolmentFactory(
            cohort=cohort,
            person=UserFactory(last_name=f"Person {i:02}"),
            role=Enrolment.Role.PARTICIPANT,
            status=Enrolment.Status.COMPLETED,
        )
    last_session_on(cohort, TODAY - datetime.timedelta(weeks=30))
    return cohort


def test_the_demo_cohort_has_pairs_and_360s_past_the_threshold(completed_cohort):
    frameworks_demo.load(TODAY)
    summary = selectors.cohort_learning_summary(completed_cohort)
    assert [d.change.pairs for d in summary.dimensions] == [10] * 5
    assert all(d.change.low is not None for d in summary.dimensions)
    assert (summary.raters_invited, summary.raters_responded) == (40, 32)
    participant = FeedbackRound.objects.first().participant
    report = selectors.feedback_report(completed_cohort, participant)
    assert [c.label for c in report.columns] == [
        "All raters shown",
        "Peer",
        "Someone who reports to you",
    ]
    # Closed a year on: the raters' addresses are gone.
    assert not Rater.objects.exclude(email="").exists()
    frameworks_demo.load(TODAY)  # safe to run again
    assert FeedbackRound.objects.count() == 4
