"""The schedule demo data: generated for every demo cohort, with registers and apologies."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from demo import cohorts as cohorts_demo
from demo import modules as modules_demo
from modules.models import Attendance, CalendarFeed, Module, Session, ShortCourseSignup

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Module.objects.count(),
        Session.objects.count(),
        Attendance.objects.count(),
        ShortCourseSignup.objects.count(),
        CalendarFeed.objects.count(),
    )


@time_machine.travel("2026-11-20 10:00 +13:00", tick=False)
def test_the_demo_gives_every_cohort_a_schedule_with_registers_and_apologies_once():
    today = datetime.date(2026, 11, 20)
    cohorts_demo.load(today)

    modules_demo.load(today)
    first = _counts()
    modules_demo.load(today)

    assert _counts() == first
    running = Module.objects.filter(cohort__name="Cohort 3").first().cohort
    assert running.modules.count() == 6
    now = timezone.now()
    past = Session.objects.filter(module__cohort=running, starts_at__lt=now, seat_limit=None)
    taken = [s for s in past if s.attendances.exists()]
    assert past.count() >= 3 and len(taken) == past.count() - 1
    assert (
        Attendance.objects.filter(
            session__module__cohort=running,
            session__starts_at__gt=now,
            status=Attendance.Status.APOLOGIES,
        ).count()
        == 3
    )
    assert ShortCourseSignup.objects.filter(session__module__cohort=running).count() == 12
    assert Session.objects.filter(module__cohort=running).exclude(facilitator=None).exists()
