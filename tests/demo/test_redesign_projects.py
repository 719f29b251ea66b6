"""The demo: the running cohort gets teams, assignments and work in every state, and loading
it twice changes nothing."""

import datetime

import pytest
from django.urls import reverse

from cohorts.models import Cohort
from demo import cohorts as cohorts_demo
from demo import leadership as leadership_demo
from demo import redesign_projects as redesign_projects_demo
from measures.models import DataPoint, Measure, PdsaCycle, Rebase
from measures.selectors import measure_charts_for_teams
from redesign_projects.models import (
    Assignment,
    Feedback,
    RedesignTeam,
    Submission,
    SubmissionFile,
    TeamMembership,
)
from redesign_projects.selectors import (
    WorkStatus,
    assignment_overview,
    current_team_of,
    participants_of,
)

TODAY = datetime.date(2026, 11, 20)


def _counts():
    return [
        model.objects.count()
        for model in (
            RedesignTeam,
            TeamMembership,
            Assignment,
            Submission,
            SubmissionFile,
            Feedback,
        )
    ]


@pytest.mark.django_db
def test_the_demo_forms_teams_and_work_in_every_state_and_is_idempotent(django_user_model):
    cohorts_demo.load(TODAY)
    redesign_projects_demo.load(TODAY)
    first = _counts()
    redesign_projects_demo.load(TODAY)
    assert _counts() == first

    cohort = Cohort.objects.get(programme__slug="enhanced-care-management", name="Cohort 3")
    teams = list(cohort.redesign_teams.all())
    assert len(teams) == 8
    assert {t.focus_kind for t in teams} == set(RedesignTeam.FocusKind.values)
    assert all(t.clinical_lead.is_clinician for t in teams)
    people = participants_of(cohort).count()
    assert TeamMembership.objects.current().filter(cohort=cohort).count() == people >= 45

    _assignments, rows = assignment_overview(cohort)
    statuses = {cell.status for row in rows for cell in row.cells}
    assert statuses >= {
        WorkStatus.NOT_STARTED,
        WorkStatus.DRAFT,
        WorkStatus.SUBMITTED,
        WorkStatus.LATE,
        WorkStatus.CHANGES_REQUESTED,
        WorkStatus.ACCEPTED,
    }
    participant = django_user_model.objects.get(email="participant@demo.example.org")
    team = current_team_of(participant, cohort)
    assert Feedback.objects.filter(
        submission__team=team, decision="changes_requested", released_at__isnull=False
    ).exists()


@pytest.mark.django_db
def test_the_demo_pages_render_for_each_role(client, django_user_model):
    cohorts_demo.load(TODAY)
    redesign_projects_demo.load(TODAY)
    leadership_demo.load(TODAY)  # the demo administrator's authenticator app (two-factor)
    cohort = Cohort.objects.get(programme__slug="enhanced-care-management", name="Cohort 3")
    participant = django_user_model.objects.get(email="participant@demo.example.org")
    team = current_team_of(participant, cohort)
    client.force_login(participant)
    page = client.get(reverse("redesign_projects:team_detail", args=[team.pk])).content.decode()
    assert "Feedback: Changes requested" in page
    for email in (
        "faculty@demo.example.org",
        "admin@demo.example.org",
    ):
        client.force_login(django_user_model.objects.get(email=email))
        for url in (
            reverse("redesign_projects:assignment_overview", args=[cohort.pk]),
            reverse("redesign_projects:team_list", args=[cohort.pk]),
            reverse("redesign_projects:team_formation", args=[cohort.pk]),
            reverse("redesign_projects:team_detail", args=[team.pk]),
            reverse("redesign_projects:assignment_detail", args=[cohort.assignments.first().pk]),
        ):
            response = client.get(url)
            assert response.status_code == (403 if "form" in url and "faculty" in email else 200)


@pytest.mark.django_db
def test_the_demo_gives_every_team_measures_with_real_signals_once(client, django_user_model):
    cohorts_demo.load(TODAY)
    redesign_projects_demo.load(TODAY)
    counts = [m.objects.count() for m in (Measure, DataPoint, PdsaCycle, Rebase)]
    redesign_projects_demo.load(TODAY)
    assert [m.objects.count() for m in (Measure, DataPoint, PdsaCycle, Rebase)] == counts

    cohort = Cohort.objects.get(programme__slug="enhanced-care-management", name="Cohort 3")
    teams = list(cohort.redesign_teams.all())
    charts = measure_charts_for_teams([team.pk for team in teams])
    assert all(1 <= len(found) <= 3 for found in charts.values())
    every = [chart for found in charts.values() for chart in found]
    assert all(12 <= chart.point_count <= 36 for chart in every)
    assert {chart.kind for chart in every} == {"run", "xmr"}
    labels = " ".join(label for chart in every for label in chart.signal_labels)
    assert "shift" in labels and "trend" in labels
    assert any(chart.assurance_label for chart in every)
    assert any("because: Early supported discharge service began" in c.summary for c in every)
    assert any("PDSA:" in chart.svg for chart in every)
    last = DataPoint.objects.order_by("-period").first().period
    assert last == datetime.date(2026, 10, 1)  # up to the month before "today"

    participant = django_user_model.objects.get(email="participant@demo.example.org")
    client.force_login(participant)
    team = current_team_of(participant, cohort)
    page = client.get(reverse("redesign_projects:team_detail", args=[team.pk])).content.decode()
    assert page.count('class="measure-chart"') == len(charts[team.pk])
