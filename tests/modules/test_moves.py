"""Moving modules and sessions; clashes."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from leadership.models import AuditEvent
from modules import selectors
from modules.models import Module, Session, ShortCourseSignup
from modules.services import module_move, schedule_generate, session_update
from tests.factories import UserFactory
from tests.modules.helpers import add_templates, make_module, make_session

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture(autouse=True)
def _clock():
    """The cohorts here start in February 2027; today is 1 December 2026."""
    with time_machine.travel("2026-12-01 09:00 +13:00", tick=False):
        yield


@pytest.fixture
def scheduled(programme, cohort, administrator):
    add_templates(programme)
    cohort.starts_on = D(2027, 2, 2)
    cohort.venue_name = "Learning Centre"
    cohort.save()
    schedule_generate(cohort=cohort, acting_user=administrator)
    return cohort


def _starts(cohort):
    """Module position → (local first day, local days of its sessions, sequences)."""
    tz = cohort.tzinfo
    result = {}
    for module in Module.objects.filter(cohort=cohort):
        sessions = list(module.sessions.order_by("starts_at"))
        result[module.position] = (
            [s.starts_at.astimezone(tz) for s in sessions],
            [s.sequence for s in sessions],
        )
    return result


def test_moving_module_2_with_cascade_moves_modules_3_to_5_by_the_same_interval(
    scheduled, administrator
):
    before = _starts(scheduled)
    module2 = Module.objects.get(cohort=scheduled, position=2)
    new_day = before[2][0][0].date() + datetime.timedelta(days=7)

    warnings = module_move(
        module=module2, starts_on=new_day, cascade=True, acting_user=administrator
    )

    after = _starts(scheduled)
    assert warnings == []
    assert after[1] == before[1]  # module 1 untouched, sequence still 0
    for position in (2, 3, 4, 5):
        old_times, _ = before[position]
        new_times, sequences = after[position]
        assert [t - o for t, o in zip(new_times, old_times, strict=True)] == [
            datetime.timedelta(days=7)
        ] * 2
        # Wall-clock times are kept (09:00 stays 09:00 across daylight saving).
        assert [t.time() for t in new_times] == [o.time() for o in old_times]
        assert sequences == [1, 1]
    assert AuditEvent.objects.filter(action="module.move").count() == 4


def test_moving_without_cascade_leaves_later_modules_alone(scheduled, administrator):
    before = _starts(scheduled)
    module2 = Module.objects.get(cohort=scheduled, position=2)

    module_move(
        module=module2,
        starts_on=before[2][0][0].date() + datetime.timedelta(days=7),
        acting_user=administrator,
    )

    after = _starts(scheduled)
    assert after[2] != before[2]
    assert {p: after[p] for p in (1, 3, 4, 5)} == {p: before[p] for p in (1, 3, 4, 5)}


def test_a_module_moved_onto_good_friday_is_refused_without_the_override(scheduled, administrator):
    module1 = Module.objects.get(cohort=scheduled, position=1)
    before = _starts(scheduled)

    with pytest.raises(ValidationError) as caught:
        module_move(module=module1, starts_on=D(2027, 3, 25), acting_user=administrator)

    assert "Good Friday" in " ".join(caught.value.message_dict["starts_on"])
    assert _starts(scheduled) == before

    warnings = module_move(
        module=module1, starts_on=D(2027, 3, 25), acting_user=administrator, allow_non_working=True
    )
    assert len(warnings) == 1 and "Good Friday" in warnings[0]
    assert _starts(scheduled)[1][0][1].date() == D(2027, 3, 26)


def test_a_cascade_that_would_run_past_the_cohorts_range_moves_nothing(scheduled, administrator):
    before = _starts(scheduled)
    module2 = Module.objects.get(cohort=scheduled, position=2)

    with pytest.raises(ValidationError) as caught:
        module_move(
            module=module2,
            starts_on=before[2][0][0].date() + datetime.timedelta(weeks=14),
            cascade=True,
            acting_user=administrator,
        )

    assert "after the cohort's schedule ends" in " ".join(caught.value.messages)
    assert _starts(scheduled) == before
    assert not AuditEvent.objects.filter(action="module.move").exists()


def test_a_module_cannot_move_before_the_cohort_starts(scheduled, administrator):
    module1 = Module.objects.get(cohort=scheduled, position=1)
    with pytest.raises(ValidationError, match="before the cohort starts"):
        module_move(module=module1, starts_on=D(2027, 1, 26), acting_user=administrator)


def test_the_move_page_shows_the_error_next_to_the_date_and_moves_with_the_override(
    client, scheduled, administrator
):
    module1 = Module.objects.get(cohort=scheduled, position=1)
    client.force_login(administrator)
    url = f"/schedule/module/{module1.pk}/move/"

    refused = client.post(url, {"starts_on": "2027-03-25"})
    assert refused.status_code == 200
    assert "Good Friday" in str(refused.context["form"].errors["starts_on"])

    moved = client.post(url, {"starts_on": "2027-03-25", "allow_non_working": "on"}, follow=True)
    assert moved.redirect_chain[-1][0] == f"/schedule/cohort/{scheduled.pk}/"
    assert "Scheduled anyway" in moved.content.decode()


def _edit(session, **changes):
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
    fields.update(changes)
    return fields


def test_moving_a_session_bumps_its_sequence_and_is_audited(scheduled, administrator):
    session = Session.objects.filter(module__cohort=scheduled).order_by("starts_at").first()

    session_update(
        session=session, acting_user=administrator, **_edit(session, start_time=datetime.time(10))
    )

    session.refresh_from_db()
    assert session.starts_at.astimezone(scheduled.tzinfo).time() == datetime.time(10)
    assert session.sequence == 1
    event = AuditEvent.objects.get(action="session.update")
    assert "starts_at" in event.changes and event.actor == administrator

    # Saving without a change does not bump it again.
    session_update(session=session, acting_user=administrator, **_edit(session))
    session.refresh_from_db()
    assert session.sequence == 1


def test_a_session_ending_before_it_starts_is_refused(scheduled, administrator):
    session = Session.objects.filter(module__cohort=scheduled).first()
    with pytest.raises(ValidationError) as caught:
        session_update(
            session=session,
            acting_user=administrator,
            **_edit(session, start_time=datetime.time(14), end_time=datetime.time(13)),
        )
    assert "end_time" in caught.value.message_dict


def test_a_session_moved_outside_the_cohorts_range_is_a_form_error(
    client, scheduled, administrator
):
    session = Session.objects.filter(module__cohort=scheduled).order_by("starts_at").first()
    client.force_login(administrator)
    data = {
        "day": "2026-12-15",
        "start_time": "09:00",
        "end_time": "17:00",
        "status": "scheduled",
    }

    response = client.post(f"/schedule/session/{session.pk}/edit/", data)

    assert response.status_code == 200
    assert "before the cohort starts" in str(response.context["form"].errors["day"])
    session.refresh_from_db()
    assert session.sequence == 0


def test_a_seat_limit_below_the_sign_ups_taken_is_refused(cohort, administrator, participant):
    module = make_module(cohort)
    course = make_session(module, D(2027, 1, 12), seat_limit=5)
    ShortCourseSignup.objects.create(session=course, person=participant)
    ShortCourseSignup.objects.create(session=course, person=UserFactory())
    with pytest.raises(ValidationError) as caught:
        session_update(session=course, acting_user=administrator, **_edit(course, seat_limit=1))
    assert "seat_limit" in caught.value.message_dict


def test_clashes_show_overlaps_a_double_booked_venue_and_a_facilitator_in_two_places(
    programme, cohort, other_cohort
):
    facilitator = UserFactory(first_name="Margaret", last_name="Ellis")
    mine = make_module(cohort, title="Strategy")
    theirs = make_module(other_cohort, title="Operations")
    day = D(2027, 3, 3)
    a = make_session(mine, day, venue_name="Room 1", facilitator=facilitator)
    make_session(mine, day, start=(16, 0), end=(18, 0), title="Evening")
    make_session(theirs, day, start=(13, 0), end=(15, 0), venue_name="Room 1")
    make_session(
        theirs, day + datetime.timedelta(days=1), venue_name="Room 1", facilitator=facilitator
    )
    make_session(theirs, day, start=(10, 0), end=(11, 0), facilitator=facilitator)

    sessions = list(Session.objects.filter(module__cohort=cohort))
    clashes = selectors.schedule_clashes(cohort, sessions)

    kinds = sorted(c.kind for c in clashes)
    assert kinds == ["facilitator", "overlap", "venue"]
    assert all(c.session == a or c.other == a for c in clashes)
    venue = next(c for c in clashes if c.kind == "venue")
    assert "Room 1 is also booked by Cohort 4" in venue.message


def test_editing_a_module_can_move_all_its_sessions_to_the_new_venue(
    client, scheduled, administrator, faculty
):
    module = Module.objects.get(cohort=scheduled, position=1)
    client.force_login(administrator)

    response = client.post(
        f"/schedule/module/{module.pk}/edit/",
        {
            "title": "Strategy and purpose",
            "theme": "Strategy",
            "description": "Where the system is heading.",
            "venue_name": "North Shore Hospital, Room 4",
            "venue_address": "124 Shakespeare Road",
            "venue_for_sessions": "on",
            "facilitators": [faculty.pk],
        },
    )

    assert response.status_code == 302
    module.refresh_from_db()
    assert module.title == "Strategy and purpose"
    assert list(module.facilitators.all()) == [faculty]
    assert set(module.sessions.values_list("venue_name", "sequence")) == {
        ("North Shore Hospital, Room 4", 1)
    }
    other = Module.objects.get(cohort=scheduled, position=2)
    assert set(other.sessions.values_list("venue_name", flat=True)) == {"Learning Centre"}
    event = AuditEvent.objects.get(action="module.update")
    assert event.changes["sessions_venue"] == 2


def test_a_module_without_a_title_is_refused_next_to_the_field(client, scheduled, administrator):
    module = Module.objects.get(cohort=scheduled, position=1)
    client.force_login(administrator)
    response = client.post(f"/schedule/module/{module.pk}/edit/", {"title": ""})
    assert response.status_code == 200 and "title" in response.context["form"].errors
    module.refresh_from_db()
    assert module.title == "Strategy"
