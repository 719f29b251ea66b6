"""Builders for learning-set tests: sets, challenges and coaching made through the services,
as the product makes them."""

import datetime

from django.utils import timezone

from cohorts.models import Enrolment
from learning_sets import services
from tests.factories import EnrolmentFactory, UserFactory

RUBRIC = [
    ("Holds the room", ["Not yet", "Developing", "Strong"]),
    ("Uses data", ["Not yet", "Developing", "Strong"]),
]


def enrol(cohort, role=Enrolment.Role.PARTICIPANT, **fields):
    person = UserFactory(**fields)
    EnrolmentFactory(cohort=cohort, person=person, role=role)
    return person


def add_role(cohort, person, role):
    """Give someone already in the cohort a second role (e.g. faculty who also coach)."""
    EnrolmentFactory(cohort=cohort, person=person, role=role)
    return person


def learning_set(cohort, facilitator, members, name="Set A", admin=None):
    return services.learning_set_create(
        cohort=cohort, name=name, facilitator=facilitator, members=members, acting_user=admin
    )


def challenge(cohort, trimester=1, admin=None):
    return services.challenge_create(
        cohort=cohort,
        trimester=trimester,
        title="The difficult conversation",
        held_on=timezone.localdate() - datetime.timedelta(days=3),
        brief="Lead a ten-minute huddle on a service problem.",
        rubric=RUBRIC,
        acting_user=admin,
    )


def coaching(cohort, coach, coachee, *, sign=True, admin=None):
    """A coach (enrolled as such if not yet) assigned to ``coachee``, the code signed."""
    if not Enrolment.objects.filter(cohort=cohort, person=coach, role="coach").exists():
        add_role(cohort, coach, Enrolment.Role.COACH)
    if sign:
        services.ethics_agree(coach=coach, signed_name=str(coach), acting_user=coach)
    return services.coach_assign(cohort=cohort, coach=coach, coachee=coachee, acting_user=admin)
