"""Generating a cohort's schedule from its programme's module templates."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cohorts.models import Cohort
from leadership.models import AuditEvent
from modules.models import Attendance, Module, ModuleTemplate, Session
from modules.services import schedule_generate
from tests.factories import CohortFactory
from tests.modules.helpers import add_templates

pytestmark = pytest.mark.django_db

D = datetime.date


def _local_days(cohort):
    tz = cohort.tzinfo
    return [
        s.starts_at.astimezone(tz).date()
        for s in Session.objects.filter(module__cohort=cohort).order_by("starts_at")
    ]


def _cohort(programme, starts_on, region=Cohort.HolidayRegion.NZ_AUCKLAND, **fields):
    return CohortFactory(programme=programme, starts_on=starts_on, holiday_region=region, **fields)


@time_machine.travel("2026-12-01 09:00 +13:00", tick=False)
def test_a_cohort_starting_the_thursday_before_easter_gets_no_session_on_good_friday(
    programme, administrator
):
    add_templates(programme, [("Strategy", 3, 0)])
    cohort = _cohort(programme, D(2027, 3, 25), venue_name="Learning Centre")

    schedule_generate(cohort=cohort, acting_user=administrator)

    days = _local_days(cohort)
    assert D(2027, 3, 26) not in days  # Good Friday
    assert D(2027, 3, 29) not in days  # Easter Monday
    # Thursday + Good Friday would split the module: it moves whole to Tue 30 + Wed 31.
    assert days == [D(2027, 3, 30), D(2027, 3, 31)]
    module = Module.objects.get(cohort=cohort)
    assert "Good Friday" in module.schedule_note
    assert "Easter Monday" in module.schedule_note
    assert "Thu 25 Mar 2027" in module.schedule_note


@time_machine.travel("2026-12-01 09:00 +00:00", tick=False)
def test_easter_in_england_is_skipped_too(programme, administrator):
    add_templates(programme, [("Launch", 3, 0)])
    cohort = _cohort(
        programme, D(2027, 3, 25), Cohort.HolidayRegion.ENGLAND_WALES, time_zone="Europe/London"
    )

    schedule_generate(cohort=cohort, acting_user=administrator)

    assert _local_days(cohort) == [D(2027, 3, 30), D(2027, 3, 31)]


@time_machine.travel("2031-06-01 09:00 +12:00", tick=False)
def test_a_cohort_starting_the_thursday_before_waitangi_day_gets_no_session_on_it(
    programme, administrator
):
    add_templates(programme, [("Strategy", 3, 0)])
    cohort = _cohort(programme, D(2032, 2, 5))  # Waitangi Day 2032 is Friday 6 February

    schedule_generate(cohort=cohort, acting_user=administrator)

    days = _local_days(cohort)
    assert D(2032, 2, 6) not in days
    assert days == [D(2032, 2, 9), D(2032, 2, 10)]
    assert "Waitangi Day" in Module.objects.get(cohort=cohort).schedule_note


@time_machine.travel("2031-06-01 09:00 +12:00", tick=False)
def test_a_half_day_on_waitangi_day_moves_to_the_next_working_day(programme, administrator):
    add_templates(programme, [("Insight day 1", 1, 0)], kind=ModuleTemplate.Kind.INSIGHT_DAY)
    cohort = _cohort(programme, D(2032, 2, 6))

    schedule_generate(cohort=cohort, acting_user=administrator)

    (session,) = Session.objects.filter(module__cohort=cohort)
    local = session.starts_at.astimezone(cohort.tzinfo)
    assert local.date() == D(2032, 2, 9)
    assert (local.time(), session.ends_at.astimezone(cohort.tzinfo).time()) == (
        datetime.time(9, 0),
        datetime.time(12, 30),
    )
    assert session.seat_limit is None


@time_machine.travel("2026-12-01 09:00 +13:00", tick=False)
def test_five_one_and_a_half_day_modules_land_about_three_months_apart(programme, administrator):
    add_templates(programme)  # offsets 0, 13, 26, 39, 52 weeks
    cohort = _cohort(programme, D(2027, 2, 2), venue_name="Learning Centre")

    result = schedule_generate(cohort=cohort, acting_user=administrator)

    assert len(result.modules) == 5 and result.sessions == 10
    tz = cohort.tzinfo
    firsts = []
    for module in Module.objects.filter(cohort=cohort).order_by("position"):
        day1, day2 = module.sessions.order_by("starts_at")
        start1, end1 = day1.starts_at.astimezone(tz), day1.ends_at.astimezone(tz)
        start2, end2 = day2.starts_at.astimezone(tz), day2.ends_at.astimezone(tz)
        assert (start1.time(), end1.time()) == (datetime.time(9), datetime.time(17))
        assert (start2.time(), end2.time()) == (datetime.time(9), datetime.time(12, 30))
        assert start2.date() - start1.date() == datetime.timedelta(days=1)
        assert start1.weekday() < 5 and start2.weekday() < 5
        assert day1.venue_name == "Learning Centre"
        firsts.append(start1.date())
    gaps = [(b - a).days for a, b in zip(firsts, firsts[1:], strict=False)]
    assert all(84 <= gap <= 98 for gap in gaps), gaps
    # Stored in UTC, laid out in Auckland time (09:00 NZDT in February is 20:00 UTC the day before).
    first = Session.objects.filter(module__cohort=cohort).order_by("starts_at").first()
    assert first.starts_at.astimezone(datetime.UTC).hour == 20


@time_machine.travel("2026-12-01 09:00 +00:00", tick=False)
def test_a_two_half_day_workshop_is_one_full_day_and_a_short_course_takes_sign_ups(
    programme, administrator
):
    add_templates(programme, [("Launch workshop", 2, 0)], kind=ModuleTemplate.Kind.WORKSHOP)
    add_templates(programme, [("Financial literacy", 1, 4)], kind=ModuleTemplate.Kind.SHORT_COURSE)
    cohort = _cohort(programme, D(2027, 1, 12), Cohort.HolidayRegion.ENGLAND_WALES)

    schedule_generate(cohort=cohort, acting_user=administrator)

    workshop, course = Session.objects.filter(module__cohort=cohort).order_by("starts_at")
    assert workshop.ends_at - workshop.starts_at == datetime.timedelta(hours=8)
    assert workshop.seat_limit is None
    assert course.module.kind == ModuleTemplate.Kind.SHORT_COURSE
    assert course.seat_limit == 20


@time_machine.travel("2026-12-01 09:00 +13:00", tick=False)
def test_generating_again_is_refused_with_a_clear_message(programme, administrator):
    add_templates(programme)
    cohort = _cohort(programme, D(2027, 2, 2))
    schedule_generate(cohort=cohort, acting_user=administrator)

    with pytest.raises(ValidationError, match="already has a schedule"):
        schedule_generate(cohort=cohort, acting_user=administrator)
    assert Module.objects.filter(cohort=cohort).count() == 5


def test_replacing_keeps_the_part_that_has_happened_and_lays_out_the_rest_again(
    programme, administrator, participant
):
    add_templates(programme)
    cohort = participant.enrolments.get().cohort
    cohort.starts_on = D(2027, 2, 2)
    cohort.save()
    with time_machine.travel("2026-12-01 09:00 +13:00", tick=False):
        schedule_generate(cohort=cohort, acting_user=administrator)
    first = Module.objects.get(cohort=cohort, position=1)
    second = Module.objects.get(cohort=cohort, position=2)
    # Apologies ahead for module 2: it has attendance, so it is kept too.
    Attendance.objects.create(
        session=second.sessions.first(), person=participant, status=Attendance.Status.APOLOGIES
    )

    with time_machine.travel("2027-03-01 09:00 +13:00", tick=False):
        result = schedule_generate(cohort=cohort, acting_user=administrator, replace=True)

    assert result.replaced == 3 and len(result.modules) == 3
    assert Module.objects.filter(cohort=cohort).count() == 5
    assert Module.objects.filter(pk__in=[first.pk, second.pk]).count() == 2
    assert Attendance.objects.filter(person=participant).count() == 1
    event = AuditEvent.objects.filter(action="schedule.generate").first()
    assert event.changes["replaced_modules"] == 3 and event.actor == administrator


def test_a_programme_without_module_templates_has_nothing_to_schedule(cohort, administrator):
    with pytest.raises(ValidationError, match="no module templates"):
        schedule_generate(cohort=cohort, acting_user=administrator)


@time_machine.travel("2026-12-01 09:00 +13:00", tick=False)
def test_the_generate_button_reports_what_it_did(client, programme, cohort, administrator):
    add_templates(programme, [("Strategy", 3, 0)])
    cohort.starts_on = D(2027, 3, 25)
    cohort.save()
    client.force_login(administrator)

    response = client.post(f"/schedule/cohort/{cohort.pk}/generate/", follow=True)

    text = response.content.decode()
    assert "Scheduled 1 module (2 sessions)" in text
    assert "Good Friday" in text
    again = client.post(f"/schedule/cohort/{cohort.pk}/generate/", follow=True)
    assert "already has a schedule" in again.content.decode()
    assert Session.objects.filter(module__cohort=cohort).count() == 2
