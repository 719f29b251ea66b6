"""Short courses: seats, sign-up and the race for the last seat."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from modules.models import ShortCourseSignup
from modules.services import short_course_signup, short_course_signup_cancel
from tests.modules.helpers import add_participants, make_module, make_session

D = datetime.date


def _course(cohort, seats):
    module = make_module(cohort, title="Financial literacy", kind="short_course")
    return make_session(module, D(2099, 3, 2), end=(12, 30), seat_limit=seats)


@pytest.mark.django_db
def test_signing_up_takes_a_seat_until_none_are_left(cohort, participant):
    course = _course(cohort, 1)
    short_course_signup(session=course, person=participant, acting_user=participant)
    with pytest.raises(ValidationError, match="already signed up"):
        short_course_signup(session=course, person=participant, acting_user=participant)
    late = add_participants(cohort, 1)[0]
    with pytest.raises(ValidationError, match="All 1 seats are taken"):
        short_course_signup(session=course, person=late, acting_user=late)

    short_course_signup_cancel(session=course, person=participant, acting_user=participant)
    short_course_signup(session=course, person=late, acting_user=late)
    assert list(course.signups.values_list("person", flat=True)) == [late.pk]


@pytest.mark.django_db
def test_only_the_cohorts_participants_sign_up(cohort, other_participant, faculty):
    course = _course(cohort, 5)
    for person in (other_participant, faculty):
        with pytest.raises(ValidationError, match="Only participants"):
            short_course_signup(session=course, person=person, acting_user=person)


@pytest.mark.django_db
def test_the_session_page_signs_a_participant_up(client, cohort, participant):
    course = _course(cohort, 3)
    client.force_login(participant)
    page = client.get(f"/schedule/session/{course.pk}/")
    assert "3 of 3 left" in page.content.decode()

    response = client.post(f"/schedule/session/{course.pk}/signup/", follow=True)

    assert "You have a seat" in response.content.decode()
    assert "2 of 3 left" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_people_racing_for_the_last_seat_cannot_both_get_it(cohort):
    course = _course(cohort, 1)
    people = add_participants(cohort, 6)
    barrier = threading.Barrier(len(people))
    outcomes = []

    def attempt(person):
        try:
            barrier.wait()
            short_course_signup(session=course, person=person, acting_user=person)
            outcomes.append("seat")
        except ValidationError:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["full"] * 5 + ["seat"]
    assert ShortCourseSignup.objects.filter(session=course).count() == 1
