"""The viewer's roles everywhere (the navigation's) come with the query that checks their
access to a cohort, and say what their own query says."""

import datetime

from cohorts.models import Enrolment
from cohorts.selectors import get_cohort_for_user, roles_for_user
from leadership.models import User
from tests.factories import CohortFactory, EnrolmentFactory, ProgrammeFactory, UserFactory


def test_the_access_query_brings_the_roles_everywhere_as_their_own_query_reads_them(
    cohort, django_assert_num_queries
):
    person = UserFactory()
    elsewhere = CohortFactory(programme=ProgrammeFactory())
    EnrolmentFactory(cohort=cohort, person=person, role=Enrolment.Role.FACULTY)
    EnrolmentFactory(cohort=elsewhere, person=person, role=Enrolment.Role.COACH)
    EnrolmentFactory(
        cohort=elsewhere,
        person=person,
        role=Enrolment.Role.PARTICIPANT,
        status=Enrolment.Status.WITHDRAWN,
        withdrawn_on=datetime.date(2025, 1, 6),
    )
    ProgrammeFactory().administrators.add(person)
    with django_assert_num_queries(1):
        _cohort, access = get_cohort_for_user(person, cohort.pk)
        roles = roles_for_user(person)  # remembered: no query of its own
    assert access.roles == {Enrolment.Role.FACULTY}
    assert roles.is_admin and roles.is_faculty and not roles.is_participant
    assert roles.cohort_roles == {Enrolment.Role.FACULTY, Enrolment.Role.COACH}
    fresh = User.objects.get(pk=person.pk)
    with django_assert_num_queries(1):
        assert roles_for_user(fresh) == roles
