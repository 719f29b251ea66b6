"""Clinical leaders get one digest a week per running cohort they sponsor."""

import datetime
import zoneinfo

from home.digests import plan_leader_digests
from leadership.emails import render_email
from leadership.models import Notification
from modules.models import Attendance
from tests.modules.helpers import add_participants, make_module, make_session, register_taken

AUCKLAND = zoneinfo.ZoneInfo("Pacific/Auckland")


def test_each_leader_gets_one_digest_a_week_with_attendance_and_late_work(
    cohort, clinical_leader, other_cohort
):
    people = add_participants(cohort, 2)
    module = make_module(cohort)
    session = make_session(module, datetime.date(2026, 11, 2))
    register_taken(session)
    Attendance.objects.create(session=session, person=people[0], status="present")
    make_session(module, datetime.date(2026, 11, 3))  # held, register not taken: left out
    monday_morning = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=AUCKLAND)

    assert plan_leader_digests(now=monday_morning) == 1
    assert plan_leader_digests(now=monday_morning + datetime.timedelta(hours=2)) == 0
    assert plan_leader_digests(now=monday_morning + datetime.timedelta(days=3)) == 0
    assert plan_leader_digests(now=monday_morning + datetime.timedelta(days=7)) == 1

    digest = Notification.objects.filter(kind="leader_digest").first()
    assert digest.recipient == clinical_leader
    assert digest.cohort_id == cohort.pk
    subject, text, html = render_email(digest.template, digest.context)
    assert subject == f"Weekly digest: {cohort.name}"
    for body in (text, html):
        assert "Attendance so far: 50%." in body
        assert "Participants below the attendance rule: 1." in body
        assert "Registers not taken: 1 (left out of attendance)." in body


def test_before_monday_seven_the_new_week_waits(cohort, clinical_leader):
    early = datetime.datetime(2026, 11, 23, 6, 30, tzinfo=AUCKLAND)
    assert plan_leader_digests(now=early) == 0
    assert plan_leader_digests(now=early + datetime.timedelta(hours=1)) == 1


def test_cohorts_that_are_not_running_send_no_digest(cohort, clinical_leader):
    cohort.status = "completed"
    cohort.save()
    assert plan_leader_digests(now=datetime.datetime(2026, 11, 24, 9, tzinfo=AUCKLAND)) == 0
