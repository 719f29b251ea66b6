"""A held session whose register was not taken is "register not taken": it moves no rate
anywhere (attendance pages, the cohort card, the programme comparison, the progress report and
its exports, the leader's start page, the digest) and brings exactly one reminder to its
faculty. This reads across every floor, so it lives with the start pages."""

import datetime

import pytest
from django.utils import timezone

from cohorts.models import Cohort
from home.digests import cohort_week_figures
from home.planners import PLANNERS
from leadership import notifications
from leadership.models import Notification
from modules import selectors as module_selectors
from modules.models import Module, Session
from reports import data as report_data
from reports import exports as report_exports
from tests.worlds import build_world

pytestmark = pytest.mark.django_db


def _rates(cohort: Cohort, leader) -> dict:
    cohort = Cohort.objects.select_related("programme").get(pk=cohort.pk)
    report = report_data.progress_report_data(cohort)
    (sponsored,) = report_data.sponsor_dashboard(leader)
    comparison = module_selectors.programme_attendance_comparison(cohort.programme)
    figures = cohort_week_figures(cohort)
    return {
        "people": [
            (r.person.pk, r.expected, r.attended, r.percent, r.meets_rule)
            for r in module_selectors.attendance_summary_for_cohort(cohort)
        ],
        "programme": [(row["cohort"].pk, row["cell"].percent) for row in comparison["by_cohort"]],
        "report": (report.attendance.percent, report.people.on_track, report.attendance.held_count),
        "report_sessions": [c.percent for c in report.attendance.sessions if c.counted],
        "report_rates": [row[6] for row in report_exports.attendance_rows(report)[1:]],
        "leader": sponsored.attendance_percent,
        "digest": (figures["attendance_percent"], figures["below_rule"]),
    }


def test_a_session_without_a_register_leaves_every_rate_unchanged_and_brings_one_reminder(
    cohort, clinical_leader, faculty, administrator
):
    build_world(cohort, participants=6, sessions=4, teams=1, assignments=1, measures=0)
    before = _rates(cohort, clinical_leader)
    assert before["report"][0] is not None  # there are rates to move

    now = timezone.now()
    module = Module.objects.create(cohort=cohort, position=9, title="Culture and change")
    missing = Session.objects.create(
        module=module,
        starts_at=now - datetime.timedelta(hours=4),
        ends_at=now - datetime.timedelta(hours=1),
    )

    assert _rates(cohort, clinical_leader) == before
    assert [s.pk for s in module_selectors.registers_missing(cohort)] == [missing.pk]
    report = report_data.progress_report_data(
        Cohort.objects.select_related("programme").get(pk=cohort.pk)
    )
    assert report.attendance.registers_missing == 1
    assert report_data.sponsor_dashboard(clinical_leader)[0].registers_missing == 1
    assert cohort_week_figures(cohort)["registers_missing"] == 1
    programme = Cohort.objects.get(pk=cohort.pk).programme
    assert module_selectors.programme_attendance_comparison(programme)["registers_missing"] == 1
    labels = {
        row[12]
        for row in module_selectors.attendance_export_rows(cohort)
        if row[1] == "Culture and change"
    }
    assert labels == {module_selectors.REGISTER_NOT_TAKEN}

    # The sweep, run twice: one reminder, to the cohort's one faculty member.
    notifications.run_planners(timezone.now(), PLANNERS)
    notifications.run_planners(timezone.now(), PLANNERS)
    (reminder,) = Notification.objects.filter(kind=Notification.Kind.REGISTER_REMINDER)
    assert reminder.recipient == faculty
    assert reminder.subject_id == str(missing.pk)
