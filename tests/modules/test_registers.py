"""Registers: saving one marks it taken, "mark everyone not yet marked as present", a register
with nobody marked is refused, and a register not taken brings one reminder to the session's
faculty and, two working days later, one notice to the programme office."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from leadership import notifications
from leadership.models import AuditEvent, Notification, NotificationPreference
from modules import reminders, services
from modules.models import Attendance, CloseDown, Session
from tests.factories import UserFactory
from tests.modules.helpers import add_participants, make_module, make_session

pytestmark = pytest.mark.django_db

AUCKLAND = zoneinfo.ZoneInfo("Pacific/Auckland")
# A Friday: two working days later is the Tuesday.
FRIDAY = datetime.date(2027, 3, 12)


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=AUCKLAND)


@pytest.fixture
def friday_session(cohort, participant, faculty):
    return make_session(make_module(cohort, title="Strategy"), FRIDAY, start=(9, 0), end=(12, 0))


def _plan(planner, at: datetime.datetime) -> int:
    with time_machine.travel(at, tick=False):
        return notifications.run_planners(at, [planner])


def test_saving_the_register_marks_it_taken_and_audits_it(
    client, faculty, participant, friday_session
):
    url = reverse("modules:attendance_register", args=[friday_session.pk])
    with time_machine.travel(local(FRIDAY, 12, 30), tick=False):
        client.force_login(faculty)
        page = client.get(url).content.decode()
        assert "Register not taken yet." in page
        response = client.post(url, {f"status_{participant.pk}": "present", "action": "save"})
    assert response.status_code == 302
    friday_session.refresh_from_db()
    assert friday_session.register_taken_at == local(FRIDAY, 12, 30)
    assert AuditEvent.objects.filter(action="attendance.register", actor=faculty).count() == 1


def test_mark_everyone_not_yet_marked_as_present_fills_the_rest_and_saves_nothing(
    client, faculty, participant, friday_session
):
    late, unmarked = add_participants(friday_session.module.cohort, 2)
    url = reverse("modules:attendance_register", args=[friday_session.pk])
    with time_machine.travel(local(FRIDAY, 12, 30), tick=False):
        client.force_login(faculty)
        response = client.post(
            url,
            {
                f"status_{participant.pk}": "",
                f"status_{late.pk}": "late",
                f"status_{unmarked.pk}": "",
                "action": "mark_present",
            },
        )
    assert response.status_code == 200
    assert "Marked 2 people as present. Check the register, then save it." in (
        response.content.decode()
    )
    form = response.context["form"]
    assert form[f"status_{participant.pk}"].value() == "present"
    assert form[f"status_{late.pk}"].value() == "late"
    assert form[f"status_{unmarked.pk}"].value() == "present"
    assert not Attendance.objects.exists()
    friday_session.refresh_from_db()
    assert friday_session.register_taken_at is None


def test_a_register_with_nobody_marked_is_refused(faculty, participant, friday_session):
    with (
        time_machine.travel(local(FRIDAY, 12, 30), tick=False),
        pytest.raises(ValidationError, match="Nobody is marked"),
    ):
        services.attendance_register_save(
            session=friday_session, entries={participant.pk: ("", "")}, acting_user=faculty
        )
    friday_session.refresh_from_db()
    assert friday_session.register_taken_at is None


def test_the_faculty_are_reminded_once_half_an_hour_after_the_session_ends(
    friday_session, faculty, administrator
):
    assert _plan(reminders.plan_register_reminders, local(FRIDAY, 12, 20)) == 0
    assert _plan(reminders.plan_register_reminders, local(FRIDAY, 12, 30)) == 1
    assert _plan(reminders.plan_register_reminders, local(FRIDAY, 18, 0)) == 0
    assert _plan(reminders.plan_register_reminders, local(FRIDAY + datetime.timedelta(3), 9)) == 0
    (row,) = Notification.objects.filter(kind="register_reminder")
    assert row.recipient == faculty
    assert row.context["link"].endswith(
        reverse("modules:attendance_register", args=[friday_session.pk])
    )
    assert row.context["link"].startswith("http")


def test_the_reminder_goes_to_the_facilitator_when_the_session_has_one(
    cohort, friday_session, faculty
):
    other = UserFactory(email="second-faculty@example.org")
    cohort.enrolments.create(person=other, role="faculty")
    Session.objects.filter(pk=friday_session.pk).update(facilitator=other)
    _plan(reminders.plan_register_reminders, local(FRIDAY, 13))
    assert list(
        Notification.objects.filter(kind="register_reminder").values_list("recipient", flat=True)
    ) == [other.pk]


def test_no_reminder_once_the_register_is_taken_or_for_a_cancelled_session(
    cohort, friday_session, faculty, participant
):
    with time_machine.travel(local(FRIDAY, 12, 5), tick=False):
        services.attendance_register_save(
            session=friday_session,
            entries={participant.pk: ("present", "")},
            acting_user=faculty,
        )
    make_session(friday_session.module, FRIDAY, start=(13, 0), end=(14, 0), status="cancelled")
    assert _plan(reminders.plan_register_reminders, local(FRIDAY, 16)) == 0
    assert (
        _plan(reminders.plan_register_office_notices, local(FRIDAY + datetime.timedelta(5), 10))
        == 0
    )


def test_the_office_hears_two_working_days_later_once(friday_session, faculty, administrator):
    monday, tuesday = FRIDAY + datetime.timedelta(3), FRIDAY + datetime.timedelta(4)
    assert _plan(reminders.plan_register_office_notices, local(monday, 17)) == 0
    assert _plan(reminders.plan_register_office_notices, local(tuesday, 8, 59)) == 0
    assert _plan(reminders.plan_register_office_notices, local(tuesday, 9)) == 1
    assert _plan(reminders.plan_register_office_notices, local(tuesday, 15)) == 0
    (row,) = Notification.objects.filter(kind="register_missing")
    assert row.recipient == administrator
    assert row.context["faculty"] == str(faculty)
    assert row.cohort_id == friday_session.module.cohort_id


def test_a_close_down_is_not_a_working_day_for_the_office_either(
    friday_session, faculty, administrator
):
    monday = FRIDAY + datetime.timedelta(3)
    CloseDown.objects.create(
        name="Staff development day",
        starts_on=monday,
        ends_on=monday,
        programme=friday_session.module.cohort.programme,
    )
    tuesday, wednesday = monday + datetime.timedelta(1), monday + datetime.timedelta(2)
    assert _plan(reminders.plan_register_office_notices, local(tuesday, 15)) == 0
    assert _plan(reminders.plan_register_office_notices, local(wednesday, 9)) == 1


def test_people_who_opted_out_get_neither(friday_session, faculty, administrator):
    NotificationPreference.objects.create(person=faculty, kind="register_reminder")
    NotificationPreference.objects.create(person=administrator, kind="register_missing")
    assert _plan(reminders.plan_register_reminders, local(FRIDAY, 13)) == 0
    assert (
        _plan(reminders.plan_register_office_notices, local(FRIDAY + datetime.timedelta(4), 10))
        == 0
    )


def test_sessions_older_than_the_look_back_are_not_chased(friday_session, faculty, administrator):
    later = local(FRIDAY + datetime.timedelta(days=30), 10)
    assert _plan(reminders.plan_register_reminders, later) == 0
    assert _plan(reminders.plan_register_office_notices, later) == 0


def test_the_attendance_page_says_how_many_registers_are_missing_and_links_them(
    client, cohort, friday_session, faculty, clinical_leader
):
    register = reverse("modules:attendance_register", args=[friday_session.pk])
    url = reverse("modules:cohort_attendance", args=[cohort.pk])
    with time_machine.travel(local(FRIDAY, 13), tick=False):
        client.force_login(faculty)
        page = client.get(url).content.decode()
        assert "1 register not taken." in page and f'href="{register}"' in page
        client.force_login(clinical_leader)
        page = client.get(url).content.decode()
        assert "1 register not taken." in page and f'href="{register}"' not in page
        schedule = client.get(reverse("modules:cohort_schedule", args=[cohort.pk]))
        assert "Register not taken" in schedule.content.decode()
