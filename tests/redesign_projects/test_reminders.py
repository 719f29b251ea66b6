"""Assignment e-mails: reminders before, overdue notices after, only to those who owe work,
re-planned by extensions; feedback released; faculty's daily digest."""

import datetime

import pytest
from django.utils import timezone

from leadership.emails import render_email
from leadership.models import Notification
from redesign_projects import reminders, services
from tests.factories import CohortFactory, EnrolmentFactory, ProgrammeFactory, UserFactory
from tests.redesign_projects.helpers import make_assignment, make_team, participant_in, submit


@pytest.fixture
def teams(cohort, participant):
    lead_a = participant
    lead_b = participant_in(cohort, "lead.b@example.org")
    member_b = participant_in(cohort, "member.b@example.org")
    team_a = make_team(cohort, lead=lead_a, name="Flow team")
    team_b = make_team(cohort, lead=lead_b, members=[member_b], name="COPD team")
    return team_a, team_b


def _keys(kind=None):
    rows = Notification.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    return sorted(rows.values_list("recipient__email", "dedup_key"))


def _labels():
    return sorted(
        key.split(":")[-2] for key in Notification.objects.values_list("dedup_key", flat=True)
    )


def test_a_week_before_everyone_in_a_team_that_has_not_submitted_is_reminded_once(
    cohort, teams, participant
):
    assignment = make_assignment(cohort, days=10)
    submit(assignment, by=participant, team=teams[0])
    moment = assignment.due_at - datetime.timedelta(days=7) + datetime.timedelta(minutes=5)
    assert reminders.plan_assignment_reminders(now=moment) == 2
    assert reminders.plan_assignment_reminders(now=moment) == 0
    recipients = {email for email, _key in _keys()}
    assert recipients == {"lead.b@example.org", "member.b@example.org"}


@pytest.mark.parametrize("members", [2, 20])
def test_a_teams_reminders_take_a_fixed_number_of_queries_whatever_its_size(
    cohort, participant, members, django_assert_max_num_queries
):
    # The sweep replans every minute: its cost must not grow with the people in a team.
    make_team(
        cohort,
        lead=participant,
        members=[participant_in(cohort, f"m{n}@example.org") for n in range(members)],
    )
    assignment = make_assignment(cohort, days=10)
    moment = assignment.due_at - datetime.timedelta(days=7) + datetime.timedelta(minutes=5)
    with django_assert_max_num_queries(12):
        assert reminders.plan_assignment_reminders(now=moment) == members + 1
    with django_assert_max_num_queries(12):
        assert reminders.plan_assignment_reminders(now=moment) == 0


def test_the_schedule_is_seven_and_one_day_before_then_one_and_seven_days_after(cohort, teams):
    assignment = make_assignment(cohort, days=20)
    team_b_people = 2
    due = assignment.due_at
    for offset_days, expected in [
        (-8, 0), (-7, 2), (-3, 0), (-1, 2), (0.5, 0), (1, 2), (3, 0), (7, 2), (9, 0),
    ]:  # fmt: skip
        moment = due + datetime.timedelta(days=offset_days, minutes=1)
        created = reminders.plan_assignment_reminders(now=moment)
        # both teams owe the work: each of its three people gets each message
        assert created == (expected // team_b_people) * 3, offset_days
    assert _labels().count("7d") == 3
    assert _labels().count("overdue-7d") == 3
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds == {"assignment_reminder", "assignment_overdue"}


def test_individual_work_reminds_only_the_participants_who_have_not_submitted(
    cohort, participant, faculty
):
    other = participant_in(cohort, "other.person@example.org")
    assignment = make_assignment(cohort, days=3, kind="individual")
    submit(assignment, by=participant, owner=participant)
    reminders.plan_assignment_reminders(now=assignment.due_at - datetime.timedelta(hours=20))
    assert [email for email, _key in _keys()] == [other.email]


def test_an_extension_cancels_pending_reminders_and_plans_against_the_new_date(
    cohort, teams, administrator
):
    assignment = make_assignment(cohort, days=5)
    team_a, team_b = teams
    reminders.plan_assignment_reminders(now=assignment.due_at - datetime.timedelta(hours=12))
    new_due = assignment.due_at + datetime.timedelta(days=14)
    services.extension_grant(
        assignment=assignment,
        due_at=new_due,
        reason="Audit data delayed",
        acting_user=administrator,
        team=team_b,
    )
    team_b_rows = Notification.objects.filter(dedup_key__contains=f"team{team_b.pk}:")
    assert set(team_b_rows.values_list("status", flat=True)) == {"cancelled"}
    # A day after the original date: team A is overdue, team B is not — nothing for B.
    reminders.plan_assignment_reminders(now=assignment.due_at + datetime.timedelta(days=1))
    overdue = Notification.objects.filter(kind="assignment_overdue")
    assert all(f"team{team_a.pk}:" in key for key in overdue.values_list("dedup_key", flat=True))
    # Seven days before the new date team B is reminded against it.
    reminders.plan_assignment_reminders(now=new_due - datetime.timedelta(days=7))
    fresh = team_b_rows.filter(status="pending")
    assert fresh.count() == 2
    assert all(f"{new_due:%Y%m%dT%H%M}" in key for key in fresh.values_list("dedup_key", flat=True))


def test_releasing_feedback_tells_every_member_of_the_team(cohort, teams, faculty):
    team_b = teams[1]
    assignment = make_assignment(cohort, days=5)
    submission = submit(assignment, by=team_b.clinical_lead, team=team_b)
    feedback = services.feedback_save(
        submission=submission, comments="Good aim.", decision="accepted", levels={},
        acting_user=faculty,
    )  # fmt: skip
    assert not Notification.objects.filter(kind="feedback_released").exists()
    services.feedback_release(feedback=feedback, acting_user=faculty)
    services.feedback_release(feedback=feedback, acting_user=faculty)  # a second click
    told = _keys("feedback_released")
    assert [email for email, _key in told] == ["lead.b@example.org", "member.b@example.org"]


def test_releasing_all_feedback_of_an_assignment_tells_each_team(cohort, teams, faculty):
    assignment = make_assignment(cohort, days=5)
    for team in teams:
        submission = submit(assignment, by=team.clinical_lead, team=team)
        services.feedback_save(
            submission=submission, comments="Thanks", decision="accepted", levels={},
            acting_user=faculty,
        )  # fmt: skip
    services.feedback_release_all(assignment=assignment, acting_user=faculty)
    assert len(_keys("feedback_released")) == 3


def test_faculty_get_one_digest_a_day_of_submissions_waiting_for_feedback(
    cohort, teams, faculty, other_cohort
):
    EnrolmentFactory(cohort=other_cohort, person=UserFactory(), role="faculty")
    assignment = make_assignment(cohort, days=5)
    for team in teams:
        submit(assignment, by=team.clinical_lead, team=team)
    now = timezone.now()
    assert reminders.plan_faculty_digests(now=now) == 1
    assert reminders.plan_faculty_digests(now=now) == 0
    row = Notification.objects.get(kind="faculty_digest")
    assert row.recipient == faculty
    subject, text, _html = render_email(row.template, row.context)
    assert subject.startswith("2 submissions waiting for feedback")
    assert "2 submitted versions are waiting for your feedback" in text
    assert reminders.plan_faculty_digests(now=now + datetime.timedelta(days=1)) == 1


def test_a_programme_with_its_own_days_reminds_and_chases_on_those_days(cohort, participant):
    cohort.programme.assignment_reminder_days = [10, 3]
    cohort.programme.assignment_overdue_days = [2]
    cohort.programme.save()
    assignment = make_assignment(cohort, days=20, kind="individual")
    due = assignment.due_at
    for offset_days, expected in [
        (-11, 0), (-10, 1), (-7, 0), (-3, 1), (-1, 0), (1, 0), (2, 1), (7, 0),
    ]:  # fmt: skip
        moment = due + datetime.timedelta(days=offset_days, minutes=1)
        assert reminders.plan_assignment_reminders(now=moment) == expected, offset_days
    assert _labels() == ["10d", "3d", "overdue-2d"]


def test_a_programme_without_its_own_days_follows_the_site_defaults_in_the_same_sweep(
    cohort, participant, settings
):
    settings.ASSIGNMENT_REMINDER_DAYS = [5]
    settings.ASSIGNMENT_OVERDUE_DAYS = [4]
    other = CohortFactory(programme=ProgrammeFactory(assignment_reminder_days=[2]))
    other_person = participant_in(other, "other.person@example.org")
    ours = make_assignment(cohort, days=20, kind="individual")
    theirs = make_assignment(other, days=20, kind="individual")
    due = max(ours.due_at, theirs.due_at)  # made a moment apart
    for offset_days, expected in [
        (-5, {participant.email: "5d"}),
        (-2, {other_person.email: "2d"}),  # theirs: their own days before
        (1, {}),
        (4, {participant.email: "overdue-4d", other_person.email: "overdue-4d"}),
    ]:
        before = set(Notification.objects.values_list("pk", flat=True))
        moment = due + datetime.timedelta(days=offset_days, minutes=1)
        reminders.plan_assignment_reminders(now=moment)
        new = Notification.objects.exclude(pk__in=before).select_related("recipient")
        sent = {row.recipient.email: row.dedup_key.split(":")[-2] for row in new}
        assert sent == expected, offset_days


@pytest.mark.parametrize("programmes", [1, 3])
def test_programmes_own_days_cost_one_query_however_many_programmes(
    cohort, participant, programmes, django_assert_num_queries
):
    # Fetched but nothing due yet: the horizon from the programmes' days (1), the assignments
    # (2) and outstanding_units' four reads (extensions, submissions, participants, teams).
    for n in range(programmes):
        other = CohortFactory(programme=ProgrammeFactory(assignment_reminder_days=[20, n + 1]))
        participant_in(other)
        make_assignment(other, days=20.5, kind="individual")
    make_assignment(cohort, days=20.5, kind="individual")
    with django_assert_num_queries(6):
        assert reminders.plan_assignment_reminders(now=timezone.now()) == 0
