"""The schedule, session and "my schedule" pages, and the selectors the cohort and start
pages use."""

import datetime

import pytest
import time_machine
from django.template.loader import render_to_string

from modules import selectors
from modules.models import Attendance
from tests.factories import UserFactory
from tests.modules.helpers import add_participants, make_module, make_session, register_taken

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2027, 3, 10)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2027-03-10 12:00 +13:00", tick=False):
        yield


def _schedule(cohort, sessions: int):
    """``sessions`` sessions over ``sessions // 2`` modules, half of them past, each with a
    facilitator, some apologies and some sign-up sessions."""
    people = add_participants(cohort, 5)
    facilitator = UserFactory()
    for m in range(sessions // 2):
        module = make_module(cohort, position=m + 1, title=f"Module {m + 1}")
        module.facilitators.add(facilitator)
        for d in range(2):
            day = TODAY + datetime.timedelta(days=14 * (m - sessions // 4) + d)
            session = make_session(
                module,
                day,
                facilitator=facilitator,
                venue_name="Room 1",
                seat_limit=10 if m % 3 == 2 else None,
            )
            Attendance.objects.create(session=session, person=people[m % 5], status="apologies")


@pytest.mark.parametrize("sessions", [6, 20])
def test_the_schedule_page_runs_the_same_queries_for_5_or_20_sessions(
    client, cohort, administrator, django_assert_num_queries, sessions
):
    _schedule(cohort, sessions)
    client.force_login(administrator)
    # 1 session, 2 user, 3 cohort with programme and the viewer's roles (in it and everywhere,
    # for the navigation), 4 modules, 5 their sessions (annotated with counts and the viewer's
    # own status), 6 their facilitators, 7 participant count, 8 milestones, 9 clash candidates
    with django_assert_num_queries(8):
        response = client.get(f"/schedule/cohort/{cohort.pk}/")
    assert response.status_code == 200
    assert response.content.decode().count('<th scope="row">') == sessions


@pytest.mark.parametrize("sessions", [6, 20])
def test_a_participant_sees_the_schedule_in_the_same_number_of_queries(
    client, cohort, participant, django_assert_num_queries, sessions
):
    _schedule(cohort, sessions)
    client.force_login(participant)
    # As for the administrator, without the clash query.
    with django_assert_num_queries(7):
        response = client.get(f"/schedule/cohort/{cohort.pk}/")
    html = response.content.decode()
    assert "Generate schedule" not in html and "Register" not in html
    assert response.context["modules"][0].session_list[0].expected_count == 5


def test_the_schedule_page_shows_clashes_to_administrators(
    client, cohort, other_cohort, administrator
):
    mine = make_session(make_module(cohort, title="Strategy"), TODAY, venue_name="Room 1")
    make_session(make_module(other_cohort, title="Operations"), TODAY, venue_name="Room 1")
    client.force_login(administrator)

    response = client.get(f"/schedule/cohort/{cohort.pk}/")

    assert "Room 1 is also booked by Cohort 4" in response.content.decode()
    assert response.context["clashes"][0].session == mine


def test_times_are_shown_in_the_cohorts_time_zone(client, cohort, participant):
    cohort.time_zone = "Europe/London"
    cohort.save()
    session = make_session(make_module(cohort), D(2027, 4, 6), start=(9, 30), end=(12, 30))
    client.force_login(participant)
    html = client.get(f"/schedule/session/{session.pk}/").content.decode()
    assert "09:30–12:30" in html and "Europe/London" in html


def test_an_unknown_session_is_not_found(client, participant):
    client.force_login(participant)
    assert client.get("/schedule/session/999999/").status_code == 404


def test_upcoming_sessions_for_a_participant_is_one_query_with_venue_and_preparation(
    cohort, participant, django_assert_num_queries
):
    module = make_module(cohort, title="Strategy")
    make_session(module, TODAY - datetime.timedelta(days=1))
    soon = make_session(
        module,
        TODAY + datetime.timedelta(days=2),
        venue_name="Learning Centre",
        what_to_prepare="Bring your service's budget",
    )
    make_session(module, TODAY + datetime.timedelta(days=3), status="cancelled")
    later = [make_session(module, TODAY + datetime.timedelta(days=10 + i)) for i in range(6)]
    Attendance.objects.create(session=later[0], person=participant, status="apologies")

    with django_assert_num_queries(1):
        upcoming = selectors.upcoming_sessions_for(participant)

    assert upcoming == [soon, *later[:4]]
    html = render_to_string("modules/_upcoming_sessions.html", {"upcoming_sessions": upcoming})
    assert "Learning Centre" in html and "Bring your service&#x27;s budget" in html
    assert "Apologies sent" in html


def test_the_schedule_summary_is_one_query(cohort, django_assert_num_queries):
    for m in range(4):
        module = make_module(cohort, position=m + 1, title=f"Module {m + 1}")
        for d in range(2):
            make_session(module, TODAY + datetime.timedelta(days=30 * (m - 1) + d + 1))

    # the modules with their sessions joined on
    with django_assert_num_queries(1):
        summary = selectors.schedule_summary_for_cohort(cohort)

    assert (summary["held"], summary["upcoming"]) == (2, 6)
    assert summary["next_session"].module_title == "Module 2"
    html = render_to_string(
        "modules/_schedule_summary.html", {"section": {"schedule_summary": summary}}
    )
    assert "2 sessions held, 6 to come" in html


def test_my_schedule_shows_my_sessions_my_apologies_and_my_attendance(client, cohort, participant):
    module = make_module(cohort, title="Strategy")
    past = make_session(module, TODAY - datetime.timedelta(days=7))
    coming = make_session(module, TODAY + datetime.timedelta(days=7))
    Attendance.objects.create(session=past, person=participant, status="present")
    register_taken(past)
    Attendance.objects.create(session=coming, person=participant, status="apologies", note="Leave")
    client.force_login(participant)

    response = client.get("/schedule/mine/")

    html = response.content.decode()
    assert [s.pk for s in response.context["sessions"]] == [past.pk, coming.pk]
    assert "1 of 1 sessions (100%)" in html
    assert "Apologies" in html
    assert "Create my calendar address" in html
