"""Lists and dashboards run a fixed number of queries however much data there is."""

import datetime

import pytest
from django.urls import reverse

from redesign_projects import services
from redesign_projects.models import Assignment
from redesign_projects.selectors import (
    WorkStatus,
    assignment_overview,
    teams_card_for_cohort,
    teams_summary_for_cohort,
)

from .helpers import make_assignment, make_team, participant_in, pdf, submit


def build(cohort, faculty, administrator, *, teams: int, assignments: int):
    """``teams`` teams of three and ``assignments`` team assignments (plus one individual), with
    work in every state, an extension and unplaced people."""
    made_teams = []
    for t in range(teams):
        lead = participant_in(cohort, profession="doctor")
        made_teams.append(
            make_team(
                cohort,
                lead=lead,
                members=[participant_in(cohort, profession="manager") for _ in range(2)],
                name=f"Team {t:02}",
            )
        )
    participant_in(cohort, profession="nurse")  # in no team
    made = [make_assignment(cohort, title=f"A{a}", days=a - 2) for a in range(assignments)]
    made.append(
        make_assignment(cohort, title="Reflection", kind=Assignment.Kind.INDIVIDUAL, days=-1)
    )
    for t, team in enumerate(made_teams):
        for a, assignment in enumerate(made[:-1]):
            state = (t + a) % 5
            if state == 0:
                continue
            if state == 1:
                services.submission_save(
                    assignment=assignment, team=team, text="wip", acting_user=team.clinical_lead
                )
                continue
            version = submit(assignment, by=team.clinical_lead, team=team, files=[pdf()])
            if state >= 3:
                services.feedback_save(
                    submission=version,
                    comments="ok",
                    decision="accepted" if state == 3 else "changes_requested",
                    levels={},
                    acting_user=faculty,
                    release=True,
                )
        services.extension_grant(
            assignment=made[0],
            team=team,
            due_at=made[0].due_at + datetime.timedelta(days=3),
            reason="Winter pressures",
            acting_user=administrator,
        )
        submit(made[-1], by=team.clinical_lead, owner=team.clinical_lead)
    return made_teams, made


def test_the_overview_shows_each_state(cohort, faculty, administrator):
    team = make_team(cohort, lead=participant_in(cohort))
    due_soon = make_assignment(cohort, title="Soon")
    past = make_assignment(cohort, title="Past", days=-1)
    _assignments, rows = assignment_overview(cohort)
    assert [c.status for c in rows[0].cells] == [WorkStatus.NOT_STARTED, WorkStatus.NOT_STARTED]
    submit(past, by=team.clinical_lead, team=team)
    version = submit(due_soon, by=team.clinical_lead, team=team)
    _assignments, rows = assignment_overview(cohort)
    assert {c.assignment.title: c.status for c in rows[0].cells} == {
        "Past": WorkStatus.LATE,
        "Soon": WorkStatus.SUBMITTED,
    }
    services.feedback_save(
        submission=version,
        comments="x",
        decision="changes_requested",
        levels={},
        acting_user=faculty,
    )
    _assignments, rows = assignment_overview(cohort, status=WorkStatus.CHANGES_REQUESTED)
    assert rows == []  # unreleased feedback does not count
    services.feedback_release_all(assignment=due_soon, acting_user=faculty)
    _assignments, rows = assignment_overview(cohort, status=WorkStatus.CHANGES_REQUESTED)
    assert len(rows) == 1


@pytest.mark.parametrize(("teams", "assignments"), [(2, 2), (8, 5)])
def test_the_overview_selector_runs_five_queries(
    cohort, faculty, administrator, django_assert_num_queries, teams, assignments
):
    build(cohort, faculty, administrator, teams=teams, assignments=assignments)
    # assignments; teams; current memberships; extensions; submissions with feedback.
    with django_assert_num_queries(5):
        _assignments, rows = assignment_overview(cohort)
    assert len(rows) == teams and len(rows[0].cells) == assignments + 1


@pytest.mark.parametrize(("teams", "assignments"), [(2, 2), (8, 5)])
def test_the_overview_page_runs_a_fixed_number_of_queries(
    client, cohort, faculty, administrator, django_assert_num_queries, teams, assignments
):
    build(cohort, faculty, administrator, teams=teams, assignments=assignments)
    client.force_login(faculty)
    url = reverse("redesign_projects:assignment_overview", args=[cohort.pk])
    # session; user; the cohort with the user's roles in it and the menu's; filter choices
    # (assignments, teams); the five of the selector.
    with django_assert_num_queries(9):
        response = client.get(url + f"?status={WorkStatus.ACCEPTED}")
    assert response.status_code == 200


@pytest.mark.parametrize(("teams", "assignments"), [(2, 2), (8, 5)])
def test_the_teams_summary_runs_three_queries(
    cohort, faculty, administrator, django_assert_num_queries, teams, assignments
):
    build(cohort, faculty, administrator, teams=teams, assignments=assignments)
    # teams with member counts; participants with whether each is in a team; the overdue count
    with django_assert_num_queries(3):
        summary = teams_summary_for_cohort(cohort)
    assert len(summary.teams) == teams
    assert len(summary.unplaced) == 1
    assert summary.participant_count == teams * 3 + 1


@pytest.mark.parametrize(("teams", "assignments"), [(2, 2), (8, 5)])
def test_the_teams_card_runs_two_queries_and_shows_what_the_summary_says(
    cohort, faculty, administrator, django_assert_num_queries, teams, assignments
):
    build(cohort, faculty, administrator, teams=teams, assignments=assignments)
    summary = teams_summary_for_cohort(cohort)
    # the teams' columns; the participant, unplaced and overdue counts
    with django_assert_num_queries(2):
        card = teams_card_for_cohort(cohort)
    assert [(t.pk, t.name, t.member_count, t.clinical_lead, t.url) for t in card.teams] == [
        (
            t.pk,
            t.name,
            t.member_count,
            str(t.clinical_lead),
            reverse("redesign_projects:team_detail", args=[t.pk]),
        )
        for t in summary.teams
    ]
    assert card.participant_count == summary.participant_count == teams * 3 + 1
    assert card.unplaced_count == len(summary.unplaced) == 1
    assert card.overdue_count == summary.overdue_count


def overdue(cohort, now) -> int:
    """The overdue count, as the summary and the cohort page's card both give it."""
    count = teams_summary_for_cohort(cohort, now=now).overdue_count
    assert teams_card_for_cohort(cohort, now=now).overdue_count == count
    return count


def test_the_teams_summary_counts_overdue_work(cohort, faculty, administrator):
    now = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    team = make_team(cohort, lead=participant_in(cohort))
    other = make_team(cohort, lead=participant_in(cohort), name="Other")
    assignment = services.assignment_create(
        cohort=cohort, title="Past", due_at=now - datetime.timedelta(days=1), acting_user=None
    )
    assert overdue(cohort, now) == 2
    services.extension_grant(
        assignment=assignment,
        team=other,
        due_at=now + datetime.timedelta(days=1),
        reason="Leave",
        acting_user=administrator,
    )
    submit(assignment, by=team.clinical_lead, team=team, now=now)
    assert overdue(cohort, now) == 0


def test_the_teams_summary_counts_each_participants_overdue_individual_work(cohort, administrator):
    now = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    late, extended, done, withdrawn = (participant_in(cohort) for _ in range(4))
    withdrawn.enrolments.update(status="withdrawn", withdrawn_on=now.date())
    make_team(cohort, lead=late)  # a team does not owe individual work
    reflection = services.assignment_create(
        cohort=cohort,
        title="Reflection",
        kind=Assignment.Kind.INDIVIDUAL,
        due_at=now - datetime.timedelta(days=1),
        acting_user=None,
    )
    services.assignment_create(
        cohort=cohort,
        title="Later",
        kind=Assignment.Kind.INDIVIDUAL,
        due_at=now + datetime.timedelta(days=1),
        acting_user=None,
    )
    assert overdue(cohort, now) == 3  # not the withdrawn
    services.extension_grant(
        assignment=reflection,
        person=extended,
        due_at=now + datetime.timedelta(days=1),
        reason="Leave",
        acting_user=administrator,
    )
    submit(reflection, by=done, owner=done, now=now)
    assert overdue(cohort, now) == 1  # only ``late``


@pytest.mark.parametrize("teams", [2, 8])
def test_the_team_page_runs_a_fixed_number_of_queries(
    client, cohort, faculty, administrator, django_assert_num_queries, teams
):
    made_teams, _assignments = build(cohort, faculty, administrator, teams=teams, assignments=4)
    client.force_login(made_teams[0].clinical_lead)
    url = reverse("redesign_projects:team_detail", args=[made_teams[0].pk])
    # session; user; team; the user's roles in its cohort; the participant's team; all
    # memberships; statuses (assignments, extensions, submissions); submissions with feedback,
    # their files and members; the team's measures (none here, so no prefetches); the menu's
    # roles.
    with django_assert_num_queries(13):
        assert client.get(url).status_code == 200
