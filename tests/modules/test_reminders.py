"""Session reminders: the right people, at 14 and 2 days, once, re-planned when moved."""

import datetime

import icalendar
import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from home.planners import PLANNERS
from home.tasks import sweep_notifications
from leadership import notifications
from leadership.models import Notification
from modules import reminders, services
from modules.models import Attendance, Session
from modules.reminders import plan_session_reminders
from tests.factories import CohortFactory, ProgrammeFactory, UserFactory
from tests.modules.helpers import add_participants, make_module, make_session


@pytest.fixture
def session(cohort, participant, faculty):
    cohort.starts_on = datetime.date(2027, 3, 1)
    cohort.save()
    module = make_module(cohort, title="Operations design", venue_name="Takapuna Centre")
    return make_session(
        module,
        datetime.date(2027, 3, 18),
        venue_name="Takapuna Centre",
        venue_address="124 Shakespeare Road",
        facilitator=faculty,
        what_to_prepare="Bring your team's process map.",
    )


def _plan(at: datetime.datetime) -> int:
    return reminders.plan_session_reminders(now=at)


def test_fourteen_days_before_everyone_expected_gets_one_reminder_except_apologies(
    session, cohort, participant, faculty, other_participant
):
    others = add_participants(cohort, 3)
    Attendance.objects.create(session=session, person=others[0], status="apologies")
    moment = session.starts_at - datetime.timedelta(days=14) + datetime.timedelta(hours=1)
    assert _plan(moment) == 4  # participant, two others, the facilitator
    assert _plan(moment) == 0  # a second sweep plans nothing new
    recipients = set(Notification.objects.values_list("recipient__email", flat=True))
    assert recipients == {participant.email, faculty.email, others[1].email, others[2].email}
    assert other_participant.email not in recipients


@pytest.mark.parametrize("size", [3, 30])
def test_planning_takes_a_fixed_number_of_queries_whatever_the_cohort_size(
    session, cohort, size, django_assert_max_num_queries
):
    # The sweep runs the planner every minute: its cost must not grow with the people.
    add_participants(cohort, size)
    moment = session.starts_at - datetime.timedelta(days=14) + datetime.timedelta(hours=1)
    with django_assert_max_num_queries(12):
        assert _plan(moment) == size + 2  # + the fixture's participant and the facilitator
    with django_assert_max_num_queries(10):
        assert _plan(moment) == 0


@pytest.mark.parametrize("sessions", [1, 6])
def test_a_sweep_with_every_reminder_recorded_reads_all_sessions_in_six_queries(
    session, cohort, participant, sessions, django_assert_num_queries
):
    # The sweep runs every minute and nearly always finds everything recorded: it must not
    # read each session's people (or build its calendar) one session at a time. The queries:
    # sessions; apologies; registers; reminders recorded; required kinds; opt-outs.
    for n in range(1, sessions):
        make_session(session.module, datetime.date(2027, 3, 18), title=f"Day {n + 1}")
    Attendance.objects.create(session=session, person=participant, status="apologies")
    opted = add_participants(cohort, 1, prefix="opted")[0]
    notifications.preference_opt_out(person=opted, kind=Notification.Kind.SESSION_REMINDER)
    moment = session.starts_at - datetime.timedelta(days=14) + datetime.timedelta(hours=1)
    # the first session's facilitator; the participant at the others (apologies for the first)
    assert _plan(moment) == sessions
    with django_assert_num_queries(6):
        assert _plan(moment) == 0
    # Someone new in the cohort is found missing and reminded of every session.
    add_participants(cohort, 1, prefix="late")
    assert _plan(moment) == sessions


def test_the_sweeps_planning_queues_no_sender_of_its_own(
    session, cohort, django_capture_on_commit_callbacks
):
    # Each session is planned in its own transaction; the sweep queues the senders once it
    # has planned everything, so hundreds of sessions must not queue hundreds of tasks.
    make_session(session.module, datetime.date(2027, 3, 18), title="Day 2")
    moment = session.starts_at - datetime.timedelta(days=14) + datetime.timedelta(hours=1)
    with django_capture_on_commit_callbacks() as callbacks:
        # participant and facilitator of the first; the second has no facilitator
        assert notifications.run_planners(moment, PLANNERS) == 3
    assert callbacks == []
    # Outside the sweep, recording reminders does ask for a sender.
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks() as callbacks:
        assert _plan(moment) == 3
    assert callbacks


def test_someone_who_opted_out_of_session_reminders_gets_none(session, participant, faculty):
    notifications.preference_opt_out(person=participant, kind=Notification.Kind.SESSION_REMINDER)
    moment = session.starts_at - datetime.timedelta(days=14) + datetime.timedelta(hours=1)
    assert _plan(moment) == 1
    assert list(Notification.objects.values_list("recipient", flat=True)) == [faculty.pk]


def test_nothing_is_planned_outside_the_windows_and_the_two_day_one_follows(session):
    assert _plan(session.starts_at - datetime.timedelta(days=20)) == 0
    assert _plan(session.starts_at - datetime.timedelta(days=14)) == 2
    assert _plan(session.starts_at - datetime.timedelta(days=3)) == 0
    assert _plan(session.starts_at - datetime.timedelta(days=2)) == 2
    assert _plan(session.starts_at + datetime.timedelta(minutes=1)) == 0
    keys = sorted(Notification.objects.values_list("dedup_key", flat=True))
    assert sorted(key.rsplit(":", 1)[1] for key in keys) == ["14d", "14d", "2d", "2d"]


def test_the_reminder_has_venue_times_what_to_prepare_and_the_session_as_ics(session, participant):
    _plan(session.starts_at - datetime.timedelta(days=2))
    notifications.send_due()
    message = next(m for m in mail.outbox if m.to == [participant.email])
    assert "Operations design" in message.subject
    assert "Thursday 18 March 2027" in message.body
    assert "09:00–17:00" in message.body
    assert "124 Shakespeare Road" in message.body
    assert "Bring your team's process map." in message.body
    assert "in 2 days" in message.body
    filename, content, mimetype = message.attachments[0]
    assert (filename, mimetype) == ("session.ics", "text/calendar")
    event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["UID"]) == f"session-{session.pk}@clinical-leadership.programmes"


def test_a_reminder_of_a_cohort_in_england_is_written_in_british_english(session, participant):
    cohort = session.module.cohort
    cohort.holiday_region = "GB-ENG"
    cohort.save(update_fields=["holiday_region"])
    _plan(session.starts_at - datetime.timedelta(days=2))
    notifications.send_due()
    message = next(m for m in mail.outbox if m.to == [participant.email])
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert '<html lang="en-GB">' in html


def test_moving_a_session_cancels_its_pending_reminders_and_replans_them(session, administrator):
    moment = session.starts_at - datetime.timedelta(days=14)
    _plan(moment)
    new_day = datetime.date(2027, 3, 23)
    services.session_update(
        session=session,
        acting_user=administrator,
        day=new_day,
        start_time=datetime.time(9),
        end_time=datetime.time(17),
        title="",
        venue_name=session.venue_name,
        venue_address=session.venue_address,
        facilitator=session.facilitator,
        what_to_prepare=session.what_to_prepare,
        seat_limit=None,
        status=Session.Status.SCHEDULED,
    )
    reminders = Notification.objects.filter(kind="session_reminder")
    assert set(reminders.values_list("status", flat=True)) == {"cancelled"}
    session.refresh_from_db()
    assert _plan(session.starts_at - datetime.timedelta(days=14)) == 2
    fresh = reminders.filter(status="pending")
    assert all(":seq1:" in key for key in fresh.values_list("dedup_key", flat=True))


def test_a_cancelled_session_gets_no_reminders(session):
    Session.objects.filter(pk=session.pk).update(status=Session.Status.CANCELLED)
    assert _plan(session.starts_at - datetime.timedelta(days=2)) == 0


def test_the_sweep_runs_the_session_planner(session):
    assert plan_session_reminders in PLANNERS
    with time_machine.travel(session.starts_at - datetime.timedelta(days=2), tick=False):
        result = sweep_notifications()
    assert result["planned"] == 2
    assert timezone.now()


def _offsets_sent() -> list[str]:
    keys = Notification.objects.values_list("dedup_key", flat=True)
    return sorted(key.rsplit(":", 1)[1] for key in keys)


def test_a_programme_with_its_own_days_reminds_on_those_days_only(session, cohort):
    cohort.programme.session_reminder_days = [21, 7]
    cohort.programme.save()
    assert _plan(session.starts_at - datetime.timedelta(days=22)) == 0
    # 21 days is beyond the site's 14: the planner still looks that far ahead.
    assert _plan(session.starts_at - datetime.timedelta(days=21, hours=-1)) == 2
    assert _plan(session.starts_at - datetime.timedelta(days=14)) == 0
    assert _plan(session.starts_at - datetime.timedelta(days=7)) == 2
    assert _plan(session.starts_at - datetime.timedelta(days=2)) == 0
    assert _offsets_sent() == ["21d", "21d", "7d", "7d"]


def test_a_programme_without_its_own_days_follows_the_site_default_in_the_same_sweep(
    session, cohort, settings, django_assert_max_num_queries
):
    settings.SESSION_REMINDER_DAYS = [5]
    other = CohortFactory(programme=ProgrammeFactory(session_reminder_days=[3]))
    other_session = make_session(
        make_module(other), datetime.date(2027, 3, 18), facilitator=UserFactory()
    )
    five_before = session.starts_at - datetime.timedelta(days=5, hours=-1)
    with django_assert_max_num_queries(12):
        assert _plan(five_before) == 2  # the fixture's session, on the site's 5 days
    assert _plan(other_session.starts_at - datetime.timedelta(days=3)) == 1
    assert _offsets_sent() == ["3d", "5d", "5d"]
    other_keys = Notification.objects.filter(dedup_key__startswith=f"session:{other_session.pk}:")
    assert [key.rsplit(":", 1)[1] for key in other_keys.values_list("dedup_key", flat=True)] == [
        "3d"
    ]
