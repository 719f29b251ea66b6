"""The team formation board: every participant of a cohort once, the teams as columns with
their balance, and what a save changed, in words.

Reads only. ``board_data`` loads what the board needs in three queries whatever the cohort's
size; ``suggested_board`` turns ``suggest.suggest_teams`` into the forms' initial values;
``build_board`` lays out the forms' current values (initial or posted) as columns;
``changes_summary`` says what a save changed. The JavaScript of the board
(``static/js/formation.js``) recomputes the same balance in the browser as people move; this
module is what a browser without JavaScript (and the first paint) shows.
"""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django import forms

from cohorts.models import Cohort
from leadership.models import User

from . import selectors
from .models import RedesignTeam, TeamMembership
from .suggest import Candidate, PlacedTeam, default_team_count, suggest_teams

MAX_TEAMS = 25


@dataclass(frozen=True)
class BoardData:
    """The cohort's participants by name, its teams by name, each person's current team and
    each team's lead as they were loaded (a save changes the team objects themselves)."""

    people: list[User]
    teams: list[RedesignTeam]
    current: dict[int, RedesignTeam]
    leads: dict[int, int]

    @property
    def by_id(self) -> dict[int, User]:
        return {person.pk: person for person in self.people}


def board_data(cohort: Cohort) -> BoardData:
    """Three queries: the participants, the teams, the current memberships."""
    people = list(selectors.participants_of(cohort).order_by("last_name", "first_name", "pk"))
    teams = list(cohort.redesign_teams.order_by("name"))
    by_pk = {team.pk: team for team in teams}
    current = {
        person_id: by_pk[team_id]
        for team_id, person_id in TeamMembership.objects.current()
        .filter(cohort=cohort)
        .values_list("team_id", "person_id")
    }
    leads = {team.pk: team.clinical_lead_id for team in teams}
    return BoardData(people=people, teams=teams, current=current, leads=leads)


def board_state(team_ids: Iterable[int], memberships: Iterable[tuple[int, int]]) -> str:
    """A short fingerprint of a cohort's teams and who is in each now (``memberships`` holds
    (team id, person id)). The board posts the one it was drawn from; a save refuses a board
    drawn before someone else changed the teams, so nobody ends up in two teams or a team
    loses its lead through a board that did not show it."""
    text = ",".join(
        [f"t{pk}" for pk in sorted(team_ids)] + [f"m{t}:{p}" for t, p in sorted(memberships)]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def state_of(data: BoardData) -> str:
    return board_state(
        (team.pk for team in data.teams),
        ((team.pk, person_id) for person_id, team in data.current.items()),
    )


def suggested_board(data: BoardData, team_count: int | None) -> tuple[list[dict], dict[int, int]]:
    """The suggestion as the board's initial values: one dict per team (``team_id``, ``name``,
    ``focus_kind``, ``clinical_lead``) and each person's team, by the team's position."""
    placed: dict[int, list[int]] = {team.pk: [] for team in data.teams}
    for person_id, team in data.current.items():
        placed[team.pk].append(person_id)
    suggestion = suggest_teams(
        [
            Candidate(
                id=p.pk,
                profession=p.profession,
                department=p.department,
                is_clinician=p.is_clinician,
            )
            for p in data.people
        ],
        team_count or max(len(data.teams), default_team_count(len(data.people))),
        placed=[PlacedTeam(t.pk, tuple(placed[t.pk]), t.clinical_lead_id) for t in data.teams],
    )
    teams = {team.pk: team for team in data.teams}
    initial: list[dict] = []
    placements: dict[int, int] = {}
    number = len(data.teams)
    for index, suggested in enumerate(suggestion):
        team = teams.get(suggested.key)  # type: ignore[call-overload]
        if team is None:
            number += 1
        initial.append(
            {
                "team_id": team.pk if team else None,
                "name": team.name if team else f"Team {number}",
                "focus_kind": team.focus_kind if team else RedesignTeam.FocusKind.WORK_PROCESS,
                "clinical_lead": suggested.lead_id,
            }
        )
        placements.update(dict.fromkeys(suggested.member_ids, index))
    return initial, placements


@dataclass(frozen=True)
class Balance:
    """A team's mix: how many people, clinicians, managers, others, departments, its lead."""

    people: int
    clinicians: int
    managers: int
    others: int
    departments: int
    lead: User | None

    @property
    def mix(self) -> str:
        """e.g. "6 people: 3 clinicians, 2 managers, 1 other; 4 departments" — the same words
        ``formation.js`` writes."""
        if not self.people:
            return "Nobody yet"
        return (
            f"{_count(self.people, 'person', 'people')}: "
            f"{_count(self.clinicians, 'clinician')}, {_count(self.managers, 'manager')}, "
            f"{_count(self.others, 'other', 'others')}; "
            f"{_count(self.departments, 'department')}"
        )

    @property
    def warnings(self) -> list[str]:
        if self.people and not self.clinicians:
            return ["No clinician: nobody here can lead the team."]
        if self.people and self.lead is None:
            return ["No clinical lead chosen from this team."]
        return []


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def balance_of(members: Sequence[User], lead: User | None) -> Balance:
    """The mix of ``members``; ``lead`` counts only if it is one of them."""
    clinicians = sum(1 for p in members if p.is_clinician)
    managers = sum(1 for p in members if p.profession == User.Profession.MANAGER)
    return Balance(
        people=len(members),
        clinicians=clinicians,
        managers=managers,
        others=len(members) - clinicians - managers,
        departments=len({p.department.strip().casefold() for p in members if p.department}),
        lead=lead if lead is not None and lead in members else None,
    )


@dataclass
class Card:
    """One person on the board: where they are now and the select that moves them."""

    person: User
    field: forms.BoundField
    current_team: RedesignTeam | None
    order: int
    is_lead: bool = False


@dataclass
class Column:
    index: int
    form: forms.Form
    name: str
    cards: list[Card] = field(default_factory=list)
    balance: Balance | None = None


@dataclass
class Board:
    columns: list[Column]
    unplaced: list[Card]
    clinicians: list[User]
    state: str


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def build_board(data: BoardData, formset: forms.BaseFormSet, placement: forms.Form) -> Board:
    """The columns as the forms say now (their initial values, or what was posted): each
    person's card in the column their select names, unknown or empty values "not placed"."""
    columns = [
        Column(index=i, form=form, name=str(form["name"].value() or f"Team {i + 1}"))
        for i, form in enumerate(formset.forms)
    ]
    unplaced: list[Card] = []
    for order, person in enumerate(data.people):
        bound = placement[f"person_{person.pk}"]
        card = Card(
            person=person, field=bound, current_team=data.current.get(person.pk), order=order
        )
        index = _int_or_none(bound.value())
        if index is not None and 0 <= index < len(columns):
            columns[index].cards.append(card)
        else:
            unplaced.append(card)
    people = data.by_id
    for column in columns:
        lead = people.get(_int_or_none(column.form["clinical_lead"].value()) or 0)
        for card in column.cards:
            card.is_lead = card.person == lead
        column.balance = balance_of([card.person for card in column.cards], lead)
    return Board(
        columns=columns,
        unplaced=unplaced,
        clinicians=[p for p in data.people if p.is_clinician],
        state=state_of(data),
    )


def changes_summary(
    data: BoardData, saved: Sequence[tuple[RedesignTeam, bool, Sequence[User]]]
) -> list[str]:
    """What a save changed, in words: teams created, leads changed, and each person who
    joined, moved or left a team. ``saved`` holds (team, whether it is new, its members)."""
    lines: list[str] = []
    after: dict[int, RedesignTeam] = {}
    for team, created, members in saved:
        if created:
            lines.append(f"{team} was created with {_count(len(members), 'person', 'people')}.")
        after.update(dict.fromkeys((p.pk for p in members), team))
    for team, created, _members in saved:
        if not created and data.leads.get(team.pk) != team.clinical_lead_id:
            lines.append(f"{team} is now led by {team.clinical_lead}.")
    for person in data.people:
        old, new = data.current.get(person.pk), after.get(person.pk)
        if old is not None and new is not None and old.pk != new.pk:
            lines.append(f"{person} moved from {old} to {new}.")
        elif old is not None and new is None:
            lines.append(f"{person} left {old} and is in no team.")
        elif old is None and new is not None and not any(t == new and c for t, c, _m in saved):
            lines.append(f"{person} joined {new}.")
    return lines
