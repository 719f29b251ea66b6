"""A change to the schedule is e-mailed to everyone enrolled in the cohort, once per change,
with old → new dates and the changed sessions as an .ics that updates calendars."""

import datetime

import pytest
import time_machine
from django.core import mail
from icalendar import Calendar

from cohorts.models import Enrolment
from leadership import notifications
from leadership.models import Notification
from modules.calendars import session_uid
from modules.models import Module, Session
from modules.services import module_move, module_update, schedule_generate, session_update
from tests.factories import EnrolmentFactory, UserFactory
from tests.modules.helpers import add_templates

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-12-01 09:00 +13:00", tick=False):
        yield


@pytest.fixture
def scheduled(programme, cohort, administrator, participant, faculty, clinical_leader):
    add_templates(programme)
    programme.email_greeting = "Kia ora"
    programme.save()
    cohort.starts_on = D(2027, 2, 2)
    cohort.venue_name = "Learning Centre"
    cohort.save()
    schedule_generate(cohort=cohort, acting_user=administrator)
    return cohort


def _edit(session, administrator, **changes):
    tz = session.module.cohort.tzinfo
    fields = {
        "day": session.starts_at.astimezone(tz).date(),
        "start_time": session.starts_at.astimezone(tz).time(),
        "end_time": session.ends_at.astimezone(tz).time(),
        "title": session.title,
        "venue_name": session.venue_name,
        "venue_address": session.venue_address,
        "facilitator": session.facilitator,
        "what_to_prepare": session.what_to_prepare,
        "seat_limit": session.seat_limit,
        "status": session.status,
    }
    return session_update(session=session, acting_user=administrator, **{**fields, **changes})


def test_a_cascading_move_is_one_e_mail_each_with_old_and_new_dates_and_the_ics(
    scheduled, administrator, participant, faculty, clinical_leader
):
    withdrawn = UserFactory(email="gone@example.org")
    EnrolmentFactory(
        cohort=scheduled, person=withdrawn, status="withdrawn", withdrawn_on=D(2026, 11, 1)
    )
    module2 = Module.objects.get(cohort=scheduled, position=2)
    first = module2.sessions.order_by("starts_at").first()
    new_day = first.starts_at.astimezone(scheduled.tzinfo).date() + datetime.timedelta(days=7)

    module_move(module=module2, starts_on=new_day, cascade=True, acting_user=administrator)

    rows = Notification.objects.filter(kind="schedule_change")
    assert {row.recipient for row in rows} == {participant, faculty, clinical_leader}
    row = rows.get(recipient=participant)
    moved = Session.objects.filter(module__cohort=scheduled, module__position__gte=2)
    assert len(row.context["changes"]) == moved.count() == 8  # modules 2–5, two days each
    first_change = row.context["changes"][0]
    assert first_change["title"] == "Operations design — Day 1"
    old_day = first.starts_at.astimezone(scheduled.tzinfo)
    assert first_change["lines"] == [
        f"{old_day:%a} {old_day.day} {old_day:%b %Y}, 09:00–17:00 → "
        f"{new_day:%a} {new_day.day} {new_day:%b %Y}, 09:00–17:00"
    ]
    calendar = Calendar.from_ical(row.attachments[0]["content"])
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    first.refresh_from_db()
    assert set(events) == {session_uid(s) for s in moved}
    assert events[session_uid(first)].decoded("dtstart").date() == new_day
    assert int(events[session_uid(first)]["sequence"]) == first.sequence == 1

    # Sent through the outbox: one message each, text and HTML, with the .ics.
    mail.outbox.clear()
    notifications.send_due()
    (message,) = [m for m in mail.outbox if m.to == [participant.email]]
    assert message.subject == f"Schedule change: {scheduled.name}"
    assert message.body.startswith(f"Kia ora {participant.get_short_name()},")
    assert "→" in message.body
    (attachment,) = message.attachments
    assert attachment[0] == "schedule-changes.ics" and attachment[2] == "text/calendar"


def test_cancelling_a_session_says_so_and_the_ics_cancels_it(scheduled, administrator):
    session = Session.objects.filter(module__cohort=scheduled).order_by("starts_at").first()
    _edit(session, administrator, status=Session.Status.CANCELLED)
    row = Notification.objects.filter(kind="schedule_change").first()
    assert row.context["changes"][0]["lines"][0].startswith("Cancelled (was ")
    (event,) = Calendar.from_ical(row.attachments[0]["content"]).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"


def test_a_new_venue_for_a_module_is_one_e_mail_each_and_typed_text_is_escaped(
    scheduled, administrator, participant
):
    module = Module.objects.get(cohort=scheduled, position=3)
    module_update(
        module=module,
        acting_user=administrator,
        title=module.title,
        theme=module.theme,
        description=module.description,
        venue_name="Room <b>7</b> & annex",
        venue_address="",
        facilitators=[],
        venue_for_sessions=True,
    )
    rows = Notification.objects.filter(kind="schedule_change", recipient=participant)
    assert rows.count() == 1
    assert rows.get().context["changes"][0]["lines"] == [
        "Venue: Learning Centre → Room <b>7</b> & annex"
    ]
    notifications.send_due()
    (message,) = [m for m in mail.outbox if m.to == [participant.email]]
    html = message.alternatives[0][0]
    assert "Room &lt;b&gt;7&lt;/b&gt; &amp; annex" in html and "<b>7</b>" not in html


def test_details_nobody_plans_around_and_past_sessions_send_nothing(scheduled, administrator):
    session = Session.objects.filter(module__cohort=scheduled).order_by("starts_at").first()
    _edit(session, administrator, what_to_prepare="Read the plan")
    assert not Notification.objects.filter(kind="schedule_change").exists()
    with time_machine.travel("2027-12-01 09:00 +13:00", tick=False):
        session.refresh_from_db()
        _edit(session, administrator, venue_name="Somewhere else")
    assert not Notification.objects.filter(kind="schedule_change").exists()


def test_people_who_opted_out_of_schedule_changes_get_none(
    scheduled, administrator, participant, faculty
):
    notifications.preference_opt_out(person=participant, kind="schedule_change")
    session = Session.objects.filter(module__cohort=scheduled).order_by("starts_at").first()
    _edit(session, administrator, venue_name="Room 2")
    recipients = set(
        Notification.objects.filter(kind="schedule_change").values_list("recipient", flat=True)
    )
    assert faculty.pk in recipients and participant.pk not in recipients
    assert Enrolment.objects.filter(cohort=scheduled).count() == 3
