"""Calendar feeds and single-session downloads in iCalendar."""

import datetime

import pytest
import time_machine
from icalendar import Calendar

from leadership.models import AuditEvent
from modules.models import CalendarFeed, Session
from modules.services import (
    calendar_feed_create,
    calendar_feed_revoke,
    schedule_generate,
    session_update,
)
from tests.modules.helpers import add_templates, make_module, make_session

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-12-01 09:00 +13:00", tick=False):
        yield


@pytest.fixture
def scheduled(programme, cohort, administrator):
    add_templates(programme)
    cohort.starts_on = D(2027, 2, 2)
    cohort.venue_name = "Waitematā Learning Centre"
    cohort.venue_address = "124 Shakespeare Road\nTakapuna"
    cohort.save()
    schedule_generate(cohort=cohort, acting_user=administrator)
    return cohort


def _fetch(client, feed) -> Calendar:
    response = client.get(f"/schedule/calendar/{feed.token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def _events(calendar: Calendar) -> dict[str, object]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_parses_with_a_vevent_per_session_and_stable_uids(
    client, scheduled, participant, administrator
):
    feed = calendar_feed_create(person=participant, acting_user=participant)

    first = _fetch(client, feed)
    second = _fetch(client, feed)

    events = _events(first)
    assert len(events) == 10
    assert events.keys() == _events(second).keys()
    (timezone_component,) = first.walk("VTIMEZONE")
    assert str(timezone_component["TZID"]) == "Pacific/Auckland"
    session = Session.objects.filter(module__cohort=scheduled).order_by("starts_at").first()
    event = events[f"session-{session.pk}@clinical-leadership.programmes"]
    assert event.decoded("DTSTART") == session.starts_at
    assert event["DTSTART"].params["TZID"] == "Pacific/Auckland"
    assert str(event["LOCATION"]) == "Waitematā Learning Centre, 124 Shakespeare Road Takapuna"
    assert int(event["SEQUENCE"]) == 0
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -datetime.timedelta(days=1)
    # The VTIMEZONE describes the sessions' years (not 1970-2038): a client that uses it, not
    # its own zone database, still puts every session at the right moment.
    described = timezone_component.to_tz()
    for other in Session.objects.filter(module__cohort=scheduled):
        local = other.starts_at.astimezone(scheduled.tzinfo).replace(tzinfo=None)
        assert local.replace(tzinfo=described) == other.starts_at
    onsets = [s.decoded("DTSTART").year for s in timezone_component.subcomponents]
    assert min(onsets) >= 2026 and max(onsets) <= 2029


def test_a_changed_session_keeps_its_uid_with_a_higher_sequence_and_cancelled_ones_say_so(
    client, scheduled, participant, administrator
):
    feed = calendar_feed_create(person=participant, acting_user=participant)
    before = _events(_fetch(client, feed))
    moved, cancelled = Session.objects.filter(module__cohort=scheduled).order_by("starts_at")[:2]
    tz = scheduled.tzinfo
    common = {
        "title": "",
        "venue_name": "Room 2",
        "venue_address": "",
        "facilitator": None,
        "what_to_prepare": "Read the strategy paper",
        "seat_limit": None,
    }
    session_update(
        session=moved,
        acting_user=administrator,
        day=moved.starts_at.astimezone(tz).date(),
        start_time=datetime.time(10),
        end_time=datetime.time(17),
        status="scheduled",
        **common,
    )
    session_update(
        session=cancelled,
        acting_user=administrator,
        day=cancelled.starts_at.astimezone(tz).date(),
        start_time=datetime.time(9),
        end_time=datetime.time(12, 30),
        status="cancelled",
        **common,
    )

    after = _events(_fetch(client, feed))

    assert after.keys() == before.keys()
    moved_uid = f"session-{moved.pk}@clinical-leadership.programmes"
    assert int(after[moved_uid]["SEQUENCE"]) > int(before[moved_uid]["SEQUENCE"])
    assert after[moved_uid].decoded("DTSTART").astimezone(tz).hour == 10
    assert "Read the strategy paper" in str(after[moved_uid]["DESCRIPTION"])
    cancelled_event = after[f"session-{cancelled.pk}@clinical-leadership.programmes"]
    assert str(cancelled_event["STATUS"]) == "CANCELLED"
    assert int(cancelled_event["SEQUENCE"]) == 1


def test_a_revoked_or_unknown_token_is_not_found(client, participant, scheduled):
    feed = calendar_feed_create(person=participant, acting_user=participant)
    calendar_feed_revoke(person=participant, acting_user=participant)

    assert client.get(f"/schedule/calendar/{feed.token}.ics").status_code == 404
    assert client.get("/schedule/calendar/not-a-real-token.ics").status_code == 404
    assert AuditEvent.objects.filter(action="calendar_feed.revoke").count() == 1


def test_a_new_address_revokes_the_old_one(client, participant):
    client.force_login(participant)
    client.post("/schedule/calendar/new/")
    old = CalendarFeed.objects.get(person=participant)
    client.post("/schedule/calendar/new/")

    live = CalendarFeed.objects.get(person=participant, revoked_at=None)
    assert live.token != old.token and len(live.token) >= 40
    assert client.get(f"/schedule/calendar/{old.token}.ics").status_code == 404
    page = client.get("/schedule/mine/")
    assert live.token in page.content.decode()


def test_faculty_feeds_carry_the_cohorts_they_teach_and_short_courses_only_when_signed_up(
    client, cohort, faculty, participant, other_participant
):
    module = make_module(cohort)
    make_session(module, D(2027, 2, 3))
    course = make_session(make_module(cohort, position=2), D(2027, 2, 4), seat_limit=5)
    faculty_feed = calendar_feed_create(person=faculty, acting_user=faculty)
    participant_feed = calendar_feed_create(person=participant, acting_user=participant)
    outsider_feed = calendar_feed_create(person=other_participant, acting_user=other_participant)

    assert len(_events(_fetch(client, faculty_feed))) == 2
    assert len(_events(_fetch(client, participant_feed))) == 1
    assert len(_events(_fetch(client, outsider_feed))) == 0
    course.signups.create(person=participant)
    assert len(_events(_fetch(client, participant_feed))) == 2


def test_each_session_page_offers_a_single_session_download(client, participant, cohort):
    session = make_session(make_module(cohort, title="Strategy"), D(2027, 2, 3))
    client.force_login(participant)

    response = client.get(f"/schedule/session/{session.pk}/session.ics")

    assert "attachment" in response["Content-Disposition"]
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["UID"]) == f"session-{session.pk}@clinical-leadership.programmes"
    assert str(event["SUMMARY"]).startswith("Strategy")
