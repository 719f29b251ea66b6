"""Clinically-led teams: the lead rule, suggested teams, formation in one transaction, and
membership history that restructuring never rewrites."""

import random

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from leadership.models import AuditEvent
from redesign_projects import formation, services
from redesign_projects.models import RedesignTeam, TeamMembership
from redesign_projects.suggest import Candidate, PlacedTeam, suggest_teams

from .helpers import make_assignment, make_team, participant_in, submit

# --- the clinical-lead rule ---------------------------------------------------------------


def test_a_manager_cannot_lead_a_team(cohort):
    manager = participant_in(cohort, profession="manager")
    with pytest.raises(ValidationError) as error:
        make_team(cohort, lead=manager)
    assert "must be a clinician" in error.value.message_dict["clinical_lead"][0]
    assert not RedesignTeam.objects.exists()


@pytest.mark.parametrize("profession", ["doctor", "nurse", "allied_health", "other_clinical"])
def test_any_clinician_can_lead_a_team(cohort, profession):
    lead = participant_in(cohort, profession=profession)
    team = make_team(cohort, lead=lead)
    assert team.memberships.current().get().person == lead


def test_the_team_form_says_why_a_manager_cannot_lead(client, cohort, administrator):
    manager = participant_in(cohort, profession="manager")
    client.force_login(administrator)
    url = reverse("redesign_projects:team_create", args=[cohort.pk])
    page = client.get(url).content.decode()
    assert "a manager cannot lead one" in page
    response = client.post(
        url, {"name": "Flow", "focus_kind": "work_process", "clinical_lead": manager.pk}
    )
    assert response.status_code == 200
    assert "must be a clinician" in response.context["form"].errors["clinical_lead"][0]
    assert not RedesignTeam.objects.exists()


def test_changing_the_lead_to_a_manager_is_refused(cohort):
    team = make_team(cohort, lead=participant_in(cohort))
    manager = participant_in(cohort, profession="manager")
    with pytest.raises(ValidationError):
        services.team_update(team=team, clinical_lead=manager, acting_user=None)
    team.refresh_from_db()
    assert team.clinical_lead.is_clinician


# --- suggested teams -------------------------------------------------------------------------

PROFESSIONS = ["doctor", "nurse", "allied_health", "manager", "other_clinical"]
DEPARTMENTS = ["ED", "Medicine", "Surgery", "Older Adults", "Mental Health", "Renal", "Primary"]


def _people(n=46, seed=3):
    rng = random.Random(seed)
    return [
        Candidate(
            id=i,
            profession=PROFESSIONS[rng.randrange(len(PROFESSIONS))],
            department=DEPARTMENTS[rng.randrange(len(DEPARTMENTS))],
            is_clinician=False,
        )
        for i in range(1, n + 1)
    ]


def _with_clinicians(people):
    return [Candidate(p.id, p.profession, p.department, p.profession != "manager") for p in people]


def test_suggested_teams_are_balanced_and_everyone_is_in_exactly_one():
    people = _with_clinicians(_people())
    teams = suggest_teams(people, 8)
    sizes = [len(t.member_ids) for t in teams]
    assert max(sizes) - min(sizes) <= 1
    placed = [pid for t in teams for pid in t.member_ids]
    assert sorted(placed) == sorted(p.id for p in people)


def test_every_suggested_team_is_led_by_a_clinician_in_it():
    people = _with_clinicians(_people())
    by_id = {p.id: p for p in people}
    for team in suggest_teams(people, 8):
        assert team.lead_id in team.member_ids
        assert by_id[team.lead_id].is_clinician


def test_clinicians_are_spread_so_a_team_of_managers_is_avoided():
    people = [Candidate(i, "manager", "Ops", False) for i in range(1, 13)]
    people += [Candidate(100 + i, "nurse", "ED", True) for i in range(4)]
    teams = suggest_teams(people, 4)
    assert all(team.lead_id is not None for team in teams)


def test_suggested_teams_mix_professions_and_departments():
    people = [Candidate(i, "doctor", "ED", True) for i in range(1, 5)]
    people += [Candidate(10 + i, "manager", "Finance", False) for i in range(4)]
    teams = suggest_teams(people, 4)
    for team in teams:
        professions = {("doctor" if pid < 10 else "manager") for pid in team.member_ids}
        assert professions == {"doctor", "manager"}


def test_the_same_input_gives_the_same_suggestion_whatever_its_order():
    people = _with_clinicians(_people())
    first = suggest_teams(people, 7)
    shuffled = people[:]
    random.Random(99).shuffle(shuffled)
    assert suggest_teams(shuffled, 7) == first
    assert suggest_teams(people, 7) == first


def test_people_already_placed_stay_and_are_not_placed_twice():
    people = _with_clinicians(_people(20))
    placed = [PlacedTeam(key="a", member_ids=(1, 2, 3), lead_id=None)]
    teams = suggest_teams(people, 3, placed=placed)
    assert {1, 2, 3} <= set(teams[0].member_ids)
    everyone = [pid for t in teams for pid in t.member_ids]
    assert len(everyone) == len(set(everyone)) == 20


# --- formation and history -------------------------------------------------------------------


def _cohort_of(cohort, n=12):
    return [
        participant_in(cohort, profession=PROFESSIONS[i % len(PROFESSIONS)], department=f"D{i % 4}")
        for i in range(n)
    ]


def _formation_url(cohort):
    return reverse("redesign_projects:team_formation", args=[cohort.pk])


def test_the_formation_board_puts_everyone_on_it_once(client, cohort, administrator):
    people = _cohort_of(cohort)
    client.force_login(administrator)
    response = client.get(_formation_url(cohort) + "?teams=3")
    board = response.context["board"]
    assert len(board.columns) == 3
    placed = [card.person.pk for column in board.columns for card in column.cards]
    assert sorted(placed) == sorted(p.pk for p in people) and not board.unplaced
    assert all(column.balance.clinicians >= 1 for column in board.columns)
    html = response.content.decode()
    assert html.count("data-person=") == len(people)
    assert "js/formation.js" in html


def _formation_post(teams, unplaced=(), action="save", state=None):
    """The board as posted: ``teams`` of (name, lead, members, team id or None), drawn from
    ``state`` (the teams as they are now unless given)."""
    cohort = next(p for _n, _l, members, *_id in teams for p in members).enrolments.get().cohort
    data = {
        "board_state": state or formation.state_of(formation.board_data(cohort)),
        "team-TOTAL_FORMS": str(len(teams)),
        "team-INITIAL_FORMS": "0",
        "team-MIN_NUM_FORMS": "1",
        "team-MAX_NUM_FORMS": "25",
        "action": action,
    }
    for i, (name, lead, members, *team_id) in enumerate(teams):
        data[f"team-{i}-team_id"] = str(team_id[0]) if team_id and team_id[0] else ""
        data[f"team-{i}-name"] = name
        data[f"team-{i}-focus_kind"] = "work_process"
        data[f"team-{i}-clinical_lead"] = str(lead.pk) if lead else ""
        for person in members:
            data[f"person_{person.pk}"] = str(i)
    for person in unplaced:
        data[f"person_{person.pk}"] = ""
    return data


def test_saving_the_board_creates_every_team_at_once_and_says_what_changed(
    client, cohort, administrator
):
    people = _cohort_of(cohort, 6)
    doctors = [p for p in people if p.is_clinician]
    client.force_login(administrator)
    response = client.post(
        _formation_url(cohort),
        _formation_post([("A", doctors[0], people[:3]), ("B", doctors[-1], people[3:])]),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(
        "redesign_projects:team_list", args=[cohort.pk]
    )
    assert RedesignTeam.objects.count() == 2
    assert TeamMembership.objects.current().count() == 6
    assert AuditEvent.objects.filter(action="redesign_team.restructure").count() == 2
    said = [str(m) for m in response.context["messages"]]
    assert said[0] == "2 teams were saved."
    assert "A was created with 3 people. B was created with 3 people." in said[1]


def test_moves_on_the_board_are_summarised_person_by_person(client, cohort, administrator):
    ana, ben = (
        participant_in(cohort, profession="nurse"),
        participant_in(cohort, profession="doctor"),
    )
    cal = participant_in(cohort, profession="manager")
    red = make_team(cohort, lead=ana, members=[cal], name="Red")
    blue = make_team(cohort, lead=ben, name="Blue")
    client.force_login(administrator)
    response = client.post(
        _formation_url(cohort),
        _formation_post([("Red", ana, [ana], red.pk), ("Blue", ben, [ben, cal], blue.pk)]),
        follow=True,
    )
    said = [str(m) for m in response.context["messages"]]
    assert said[1] == f"{cal} moved from Red to Blue."
    assert TeamMembership.objects.current().get(person=cal).team == blue


def test_a_lead_who_is_not_a_clinician_saves_nothing_and_says_so(client, cohort, administrator):
    people = _cohort_of(cohort, 6)
    manager = next(p for p in people if p.profession == "manager")
    client.force_login(administrator)
    response = client.post(_formation_url(cohort), _formation_post([("A", manager, people)]))
    assert response.status_code == 200
    assert "must be a clinician" in response.content.decode()
    assert not RedesignTeam.objects.exists()


def test_a_lead_from_another_team_or_none_is_refused_next_to_the_field(
    client, cohort, administrator
):
    people = _cohort_of(cohort, 6)
    elsewhere = next(p for p in people[3:] if p.is_clinician)
    client.force_login(administrator)
    response = client.post(
        _formation_url(cohort),
        _formation_post([("A", elsewhere, people[:3]), ("B", None, people[3:])]),
    )
    errors = [form.errors for form in response.context["formset"].forms]
    assert "choose the lead from its members" in errors[0]["clinical_lead"][0]
    assert "Choose a clinical lead" in errors[1]["clinical_lead"][0]
    assert not RedesignTeam.objects.exists()


def test_a_board_drawn_before_someone_else_changed_the_teams_saves_nothing(
    client, cohort, administrator
):
    """One select per person means the board cannot put anyone in two teams; someone put in
    a team by another administrator since the board was drawn is caught on save."""
    people = _cohort_of(cohort, 6)
    doctor = next(p for p in people if p.profession == "doctor")
    post = _formation_post([("A", doctor, people)])
    make_team(cohort, lead=doctor, name="Made meanwhile")
    client.force_login(administrator)
    response = client.post(_formation_url(cohort), post)
    assert response.status_code == 200
    assert "Someone changed this cohort" in response.content.decode()
    assert RedesignTeam.objects.get().name == "Made meanwhile"
    assert "Now: Made meanwhile" in response.content.decode()


def test_update_redraws_the_board_from_the_choices_without_saving(client, cohort, administrator):
    people = _cohort_of(cohort, 6)
    doctors = [p for p in people if p.is_clinician]
    client.force_login(administrator)
    response = client.post(
        _formation_url(cohort),
        _formation_post(
            [("A", doctors[0], people[:2]), ("B", doctors[-1], people[3:])],
            unplaced=[people[2]],
            action="update",
        ),
    )
    board = response.context["board"]
    assert [card.person for card in board.unplaced] == [people[2]]
    assert board.columns[0].balance.people == 2
    assert not RedesignTeam.objects.exists()


def test_an_empty_new_team_is_not_created(client, cohort, administrator):
    people = _cohort_of(cohort, 4)
    doctor = next(p for p in people if p.profession == "doctor")
    client.force_login(administrator)
    response = client.post(
        _formation_url(cohort), _formation_post([("A", doctor, people), ("Empty", None, [])])
    )
    assert response.status_code == 302
    assert list(RedesignTeam.objects.values_list("name", flat=True)) == ["A"]


@pytest.mark.parametrize("size", [8, 30])
def test_the_board_runs_the_same_queries_for_8_or_30_people(
    client, cohort, administrator, django_assert_num_queries, size
):
    people = _cohort_of(cohort, size)
    make_team(cohort, lead=next(p for p in people if p.is_clinician), members=people[:3])
    client.force_login(administrator)
    # 1 session, 2 user, 3 cohort with programme and the viewer's roles (in it, and everywhere
    # for the navigation), 4 participants, 5 teams, 6 current memberships
    with django_assert_num_queries(5):
        response = client.get(_formation_url(cohort))
    assert response.content.decode().count("data-person=") == size


def test_restructuring_keeps_the_past(cohort, participant):
    ana, ben = participant_in(cohort, profession="nurse"), participant_in(cohort)
    red = make_team(cohort, lead=participant, members=[ana], name="Red")
    blue = make_team(cohort, lead=ben, name="Blue")
    assignment = make_assignment(cohort)
    version = submit(assignment, by=participant, team=red)
    services.teams_restructure(
        cohort=cohort,
        plans=[
            services.TeamPlan(
                team=red, name="Red", clinical_lead=participant, members=(participant,)
            ),
            services.TeamPlan(team=blue, name="Blue", clinical_lead=ben, members=(ben, ana)),
        ],
        acting_user=None,
    )
    assert TeamMembership.objects.current().get(person=ana).team == blue
    assert TeamMembership.objects.get(person=ana, team=red).left_at is not None
    version.refresh_from_db()
    assert version.team == red
    assert set(version.members.all()) == {participant, ana}


def test_a_person_cannot_join_a_second_team_by_editing_one(cohort, participant):
    ana = participant_in(cohort, profession="nurse")
    make_team(cohort, lead=participant, members=[ana], name="Red")
    blue = make_team(cohort, lead=participant_in(cohort), name="Blue")
    with pytest.raises(ValidationError, match="already in Red"):
        services.team_update(team=blue, members=[ana], acting_user=None)
    assert TeamMembership.objects.current().get(person=ana).team.name == "Red"
