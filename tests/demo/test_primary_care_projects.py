"""The demo's Tower Hamlets cohort: its outcome-based projects (COPD admissions among them)
with measures and PDSA cycles, the project assignment from its programme's blueprint, and a
round of allocated peer review; the same after a second run."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Cohort
from demo import cohorts as cohorts_demo
from demo import modules as modules_demo
from demo import redesign_projects as redesign_projects_demo
from measures.models import DataPoint, Measure, PdsaCycle
from measures.selectors import measure_charts_for_teams
from redesign_projects.models import Assignment, PeerReview, RedesignTeam, Submission
from redesign_projects.peer_reviews import reviews_to_do
from redesign_projects.selectors import current_team_of
from reports.data import progress_report_data

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 22)


def _counts():
    return [
        model.objects.count()
        for model in (RedesignTeam, Assignment, Submission, Measure, DataPoint, PdsaCycle)
    ] + [PeerReview.objects.count(), PeerReview.objects.filter(submitted_at__isnull=True).count()]


@pytest.fixture
def tower_hamlets():
    cohorts_demo.load(TODAY)
    modules_demo.load(TODAY)
    redesign_projects_demo.load(TODAY)
    return Cohort.objects.select_related("programme").get(
        programme__slug=redesign_projects_demo.PRIMARY_CARE_SLUG
    )


def test_the_tower_hamlets_cohort_has_a_copd_outcome_project_with_measures_and_pdsa_once(
    tower_hamlets,
):
    first = _counts()
    redesign_projects_demo.load(TODAY)  # a second run adds nothing
    assert _counts() == first

    # Every participant is in one of the three teams.
    teams = {team.name: team for team in tower_hamlets.redesign_teams.all()}
    assert set(teams) == {"COPD admissions", "Same-day urgent access", "Housebound frailty reviews"}
    assert sum(team.memberships.current().count() for team in teams.values()) == 18

    # The project is the programme's blueprint assignment, due at the end with its rubric.
    (project,) = tower_hamlets.assignments.all()
    assert project.template.programme == tower_hamlets.programme
    assert project.title == "Outcome-based project" and project.is_team
    assert project.rubric_criteria.count() == 3
    assert project.module.title == "Insight day 8: Delivering outcomes"
    assert project.due_at.date() > TODAY + datetime.timedelta(weeks=30)

    copd = teams["COPD admissions"]
    assert copd.focus_kind == RedesignTeam.FocusKind.CLINICAL_CONDITION
    admissions = Measure.objects.get(team=copd, name="Emergency COPD admissions")
    assert admissions.kind == "outcome" and admissions.better == "down"
    assert admissions.datapoints.count() == 24
    cycle = PdsaCycle.objects.get(team=copd, measure=admissions)
    assert "Rescue packs" in cycle.change_idea
    assert Measure.objects.filter(team=copd).count() == 2

    charts = measure_charts_for_teams([copd.pk])[copd.pk]
    admissions_chart = next(chart for chart in charts if chart.measure == admissions)
    assert admissions_chart.kind == "xmr"  # 24 points: past the XmR minimum of 15
    assert "PDSA:" in admissions_chart.svg

    # The cohort's progress report lists the COPD measure among its projects' measures.
    report = progress_report_data(tower_hamlets)
    measured = {(project.name, view.chart.measure.name) for project, view in report.measure_rows}
    assert ("COPD admissions", "Emergency COPD admissions") in measured
    assert len(measured) == 4


def test_the_tower_hamlets_cohort_has_a_peer_review_round_with_reviews_in_and_to_do(
    tower_hamlets, client, django_user_model
):
    assert tower_hamlets.peer_review_enabled
    reviews = list(
        PeerReview.objects.filter(submission__assignment__cohort=tower_hamlets).select_related(
            "submission__team", "reviewer"
        )
    )
    assert len(reviews) == 6
    assert sum(review.is_submitted for review in reviews) == 3
    assert all(review.anonymous for review in reviews)
    today_there = timezone.now().astimezone(tower_hamlets.tzinfo).date()
    assert {review.due_on for review in reviews} == {today_there + datetime.timedelta(days=10)}
    for review in reviews:
        # Allocated by the office, never to a member of the team whose work it is.
        assert review.allocated_by.email == "admin@demo.example.org"
        team = current_team_of(review.reviewer, tower_hamlets)
        assert team != review.submission.team
    per_team = {}
    for review in reviews:
        per_team.setdefault(review.submission.team.name, []).append(review)
    assert [len(found) for found in per_team.values()] == [2, 2, 2]
    assert all(r.submission.version == 1 for r in reviews)

    # The Tower Hamlets login leads the COPD team and has a review of another team to write.
    nasreen = django_user_model.objects.get(email="nasreen.begum@demo.example.org")
    assert nasreen.check_password(cohorts_demo.DEMO_PASSWORD)
    (to_do,) = reviews_to_do(nasreen)
    assert to_do.submission.team.name == "Same-day urgent access"

    client.force_login(nasreen)
    home = client.get("/", follow=True).content.decode()
    assert "Same-day urgent access" in home
    review_page = client.get(reverse("redesign_projects:peer_review_detail", args=[to_do.pk]))
    assert review_page.status_code == 200
    team = current_team_of(nasreen, tower_hamlets)
    page = client.get(reverse("redesign_projects:team_detail", args=[team.pk])).content.decode()
    assert "COPD admissions" in page and "Emergency COPD admissions" in page
    assert page.count('class="measure-chart"') == 2


def test_the_demo_logins_include_the_tower_hamlets_participant():
    logins = dict(cohorts_demo.load(TODAY))
    assert logins["nasreen.begum@demo.example.org"] == "Tower Hamlets participant"
