"""Suggested redesign teams: a pure function, no database, same input → same output.

The rules, in order of importance:
1. nobody is in two teams, and people already placed stay where they are;
2. every team gets a clinician (so it can have a clinical lead) while clinicians are left;
3. sizes are balanced: a person goes to the smallest team;
4. among equally small teams, the one with fewest of the person's profession, then of their
   department, so professions and departments mix.
Ties are broken by the team's position, and people are taken in a fixed order (by profession,
department, id), so shuffling the input never changes the answer.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# Who is preferred as clinical lead when a team has several clinicians.
LEAD_PREFERENCE = {"doctor": 0, "nurse": 1, "allied_health": 2, "other_clinical": 3}
DEFAULT_TEAM_SIZE = 6


@dataclass(frozen=True)
class Candidate:
    id: int
    profession: str
    department: str
    is_clinician: bool


@dataclass(frozen=True)
class PlacedTeam:
    """A team that exists already: its key (e.g. its id), members and lead (may be None)."""

    key: object
    member_ids: tuple[int, ...]
    lead_id: int | None = None


@dataclass(frozen=True)
class SuggestedTeam:
    key: object
    member_ids: tuple[int, ...]
    lead_id: int | None


def default_team_count(people: int, size: int = DEFAULT_TEAM_SIZE) -> int:
    return max(1, math.ceil(people / size))


def suggest_teams(
    candidates: Iterable[Candidate],
    team_count: int,
    placed: Sequence[PlacedTeam] = (),
    new_keys: Sequence[object] | None = None,
) -> list[SuggestedTeam]:
    """Spread ``candidates`` over ``placed`` teams plus new ones up to ``team_count`` teams.

    New teams are keyed by ``new_keys`` (default ``"new-1"``, ``"new-2"``…). People in
    ``placed`` who are not among ``candidates`` are kept too (they are placed already).
    """
    people: Mapping[int, Candidate] = {c.id: c for c in candidates}
    slots: list[dict] = [
        {"key": team.key, "members": list(dict.fromkeys(team.member_ids)), "lead": team.lead_id}
        for team in placed
    ]
    new_needed = max(0, team_count - len(slots))
    keys = list(new_keys or [])[:new_needed]
    keys += [f"new-{n}" for n in range(len(keys) + 1, new_needed + 1)]
    slots += [{"key": key, "members": [], "lead": None} for key in keys]
    if not slots:
        return []

    taken: set[int] = set()
    for slot in slots:
        slot["members"] = [pid for pid in slot["members"] if pid not in taken]
        taken.update(slot["members"])
    waiting = sorted(
        (c for c in people.values() if c.id not in taken),
        key=lambda c: (c.profession, c.department, c.id),
    )

    def is_clinician(pid: int) -> bool:
        return pid in people and people[pid].is_clinician

    clinicians = sorted(
        (c for c in waiting if c.is_clinician),
        key=lambda c: (LEAD_PREFERENCE.get(c.profession, 9), c.id),
    )
    for _index, slot in sorted(
        enumerate(slots), key=lambda pair: (len(pair[1]["members"]), pair[0])
    ):
        if not clinicians:
            break
        if not any(is_clinician(pid) for pid in slot["members"]):
            person = clinicians.pop(0)
            slot["members"].append(person.id)
            waiting.remove(person)

    def count(slot: dict, attribute: str, value: str) -> int:
        return sum(
            1
            for pid in slot["members"]
            if pid in people and getattr(people[pid], attribute) == value
        )

    for person in waiting:
        best = min(
            range(len(slots)),
            key=lambda i: (
                len(slots[i]["members"]),
                count(slots[i], "profession", person.profession),
                count(slots[i], "department", person.department),
                i,
            ),
        )
        slots[best]["members"].append(person.id)

    result = []
    for slot in slots:
        members = tuple(sorted(slot["members"]))
        lead = slot["lead"] if slot["lead"] in members and is_clinician(slot["lead"]) else None
        if lead is None:
            leads = sorted(
                (pid for pid in members if is_clinician(pid)),
                key=lambda pid: (LEAD_PREFERENCE.get(people[pid].profession, 9), pid),
            )
            lead = leads[0] if leads else None
        result.append(SuggestedTeam(key=slot["key"], member_ids=members, lead_id=lead))
    return result
