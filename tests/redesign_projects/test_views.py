"""Happy paths and bad input for the administrators' pages: assignments, extensions, teams."""

import datetime

from django.urls import reverse
from django.utils import timezone

from redesign_projects.models import Assignment, Extension, RedesignTeam
from tests.security.hostile import unescaped

from .helpers import make_assignment, make_team, participant_in


def _assignment_data(**overrides):
    due = timezone.localtime(timezone.now() + datetime.timedelta(days=10))
    data = {
        "title": "Driver diagram",
        "kind": "team",
        "due_at": due.strftime("%Y-%m-%dT%H:%M"),
        "brief": "Use **data**.\n\n<script>alert('x')</script>"
        '<a href="javascript:alert(1)">x</a>',
        "accepted_types": ["pdf", "docx"],
        "max_size_mb": "10",
        "rubric": "Use of data: Not yet | Developing | Strong\nClarity: Unclear | Clear",
    }
    data.update(overrides)
    return data


def test_an_administrator_creates_an_assignment_with_a_rubric_and_a_safe_brief(
    client, cohort, administrator
):
    client.force_login(administrator)
    response = client.post(
        reverse("redesign_projects:assignment_create", args=[cohort.pk]), _assignment_data()
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert [c.title for c in assignment.rubric_criteria.all()] == ["Use of data", "Clarity"]
    assert assignment.rubric_criteria.first().levels.count() == 3
    page = client.get(response["Location"]).content.decode()
    assert "<strong>data</strong>" in page
    # HTML typed in the brief is shown as typed, never run (leadership.formatting).
    assert "<script>alert" not in page and not unescaped(page)
    assert "&lt;script&gt;alert" in page


def test_a_malformed_rubric_is_reported_next_to_its_field(client, cohort, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("redesign_projects:assignment_create", args=[cohort.pk]),
        _assignment_data(rubric="Just a criterion"),
    )
    assert response.status_code == 200
    assert "Line 1" in response.context["form"].errors["rubric"][0]
    assert not Assignment.objects.exists()


def test_an_assignment_needs_an_accepted_type(client, cohort, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("redesign_projects:assignment_create", args=[cohort.pk]),
        _assignment_data(accepted_types=[]),
    )
    assert "accepted_types" in response.context["form"].errors
    assert not Assignment.objects.exists()


def test_an_administrator_edits_an_assignment(client, cohort, administrator):
    assignment = make_assignment(cohort)
    client.force_login(administrator)
    response = client.post(
        reverse("redesign_projects:assignment_update", args=[assignment.pk]),
        _assignment_data(title="Renamed"),
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.title == "Renamed"


def test_an_administrator_grants_a_team_an_extension(client, cohort, administrator, participant):
    team = make_team(cohort, lead=participant)
    assignment = make_assignment(cohort)
    client.force_login(administrator)
    url = reverse("redesign_projects:extension_create", args=[assignment.pk])
    later = timezone.localtime(assignment.due_at + datetime.timedelta(days=3))
    response = client.post(
        url,
        {"who": f"team:{team.pk}", "due_at": later.strftime("%Y-%m-%dT%H:%M"), "reason": "Leave"},
    )
    assert response.status_code == 302
    assert Extension.objects.get().team == team
    earlier = timezone.localtime(assignment.due_at - datetime.timedelta(days=3))
    response = client.post(
        url,
        {"who": f"team:{team.pk}", "due_at": earlier.strftime("%Y-%m-%dT%H:%M"), "reason": "x"},
    )
    assert "later than the original" in response.context["form"].errors["due_at"][0]


def test_an_administrator_moves_a_member_between_teams_through_the_team_form(
    client, cohort, administrator, participant
):
    nurse = participant_in(cohort, profession="nurse")
    team = make_team(cohort, lead=participant, members=[nurse], name="Red")
    client.force_login(administrator)
    response = client.post(
        reverse("redesign_projects:team_update", args=[team.pk]),
        {
            "name": "Red",
            "focus_kind": "clinical_condition",
            "focus": "COPD",
            "aim": "Fewer readmissions",
            "clinical_lead": participant.pk,
            "members": [participant.pk],
        },
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.focus == "COPD"
    assert list(team.memberships.current().values_list("person", flat=True)) == [participant.pk]
    assert team.memberships.get(person=nurse).left_at is not None


def test_my_team_takes_a_participant_to_their_team(client, cohort, participant):
    team = make_team(cohort, lead=participant)
    client.force_login(participant)
    response = client.get(reverse("redesign_projects:team_mine"))
    assert response["Location"] == reverse("redesign_projects:team_detail", args=[team.pk])


def test_the_teams_summary_partial_renders_for_the_cohort_page(cohort, participant):
    from django.template.loader import render_to_string

    from redesign_projects.selectors import teams_card_for_cohort

    team = make_team(cohort, lead=participant, name="Red")
    participant_in(cohort, first_name="Unplaced")
    html = render_to_string(
        "redesign_projects/_teams_summary.html",
        {
            "cohort": cohort,
            "section": {"teams_summary": teams_card_for_cohort(cohort)},
            "can_manage": True,
        },
    )
    team_url = reverse("redesign_projects:team_detail", args=[team.pk])
    assert f'<a href="{team_url}">Red</a> — 1 member, led by {participant}</li>' in html
    assert "<strong>1</strong> of 2 participants are in no team" in html
    assert RedesignTeam.objects.count() == 1
