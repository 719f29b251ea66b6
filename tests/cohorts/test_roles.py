"""The viewer's roles everywhere (the navigation's) come with the query that checks their
access to a cohort, and say what their own query says."""

import datetime

import pytest
from django.http import Http404

from cohorts.models import Cohort, Enrolment, Programme
from cohorts.selectors import get_cohort_for_user, roles_for_user
from leadership.models import User
from modules.selectors import get_session_for_user
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


def test_the_access_query_builds_the_cohort_and_its_programme_as_the_orm_does(
    cohort, administrator, django_assert_num_queries
):
    Programme.objects.filter(pk=cohort.programme_id).update(session_reminder_days=[7, 1])
    with django_assert_num_queries(1):
        read, access = get_cohort_for_user(administrator, cohort.pk)
        programme = read.programme  # read with it: no query of its own
    assert access.is_admin
    expected = Cohort.objects.select_related("programme").get(pk=cohort.pk)
    for model, built, orm in ((Cohort, read, expected), (Programme, programme, expected.programme)):
        for field in model._meta.concrete_fields:
            assert getattr(built, field.attname) == getattr(orm, field.attname), field.name
    assert programme.session_reminder_days == [7, 1]  # JSON, decoded as the ORM decodes it
    assert not read._state.adding and read._state.db == "default"


def test_ids_no_row_could_have_are_not_found_for_cohorts_and_sessions(client, administrator):
    """The hand-written access reads take the id as a bigint parameter: one past its range in a
    URL is a 404, as the ORM answers, not a database error."""
    for too_big in (2**63, -(2**63) - 1, 10**30):
        with pytest.raises(Http404):
            get_cohort_for_user(administrator, too_big)
        with pytest.raises(Http404):
            get_session_for_user(administrator, too_big)
    client.force_login(administrator)
    assert client.get(f"/cohorts/{2**63}/").status_code == 404
