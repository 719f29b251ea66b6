"""The schedule demo data: generated for every demo cohort, with registers and apologies."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from demo import cohorts as cohorts_demo
from demo import evaluation as evaluation_demo
from demo import modules as modules_demo
from demo.cohorts import demo_email
from evaluation.models import EvaluationResponse
from evaluation.selectors import cohort_evaluation_report, open_evaluations_for
from leadership.models import User
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

    # The evaluations (demo/evaluation.py) build on this schedule, so they are checked on it
    # rather than loading the whole demo again: a completed cohort whose every module passes
    # the threshold with outcomes to count, and an open evaluation on the participant's page.
    evaluation_demo.load(today)
    responses = EvaluationResponse.objects.count()
    evaluation_demo.load(today)
    assert EvaluationResponse.objects.count() == responses
    completed = Module.objects.filter(cohort__name="Cohort 2").first().cohort
    report = cohort_evaluation_report(completed)
    assert len(report.reaction) == 5
    assert all(item.results.released for item in report.reaction)
    assert len(report.outcomes) == 2 and len(report.improved) == 1
    participant = User.objects.get(email=demo_email("participant"))
    assert len(open_evaluations_for(participant)) == 1
