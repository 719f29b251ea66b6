"""Suggest clinician–manager pairs: score every possible pair, then find the assignment that
maximises the total score. Pure functions over plain values: no ORM, no clock, no randomness.

The objective is lexicographic: first pair as many people as the hard rules allow, then, among
those assignments, take the one with the highest total score. A programme wants everyone to have
a partner; a slightly better-scored pair is no reason to leave two people on their own.

Hard rules never bend: a person is never suggested with their line manager (either way round),
nor with anyone in the caller's ``forbidden`` set (e.g. members of the same redesign team), even
if that leaves people unpaired.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Points per reason. Integers keep totals exact, so ties are ties and results are repeatable.
SHARED_INTEREST_POINTS = 3
WANTED_DEPARTMENT_POINTS = 4
SHARED_HALF_DAY_POINTS = 1
MAX_HALF_DAY_POINTS = 4  # beyond four shared half-days, more overlap adds nothing


@dataclass(frozen=True)
class Candidate:
    """One person to be paired, as the matcher sees them."""

    id: int
    name: str
    department: str = ""
    interests: frozenset[str] = frozenset()
    preferred_departments: frozenset[str] = frozenset()
    availability: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PairScore:
    score: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    clinician_id: int
    manager_id: int
    score: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Exclusion:
    clinician_id: int
    manager_id: int
    reason: str


@dataclass(frozen=True)
class Unpaired:
    person_id: int
    reason: str


@dataclass(frozen=True)
class MatchResult:
    pairs: tuple[Suggestion, ...]
    unpaired_clinicians: tuple[Unpaired, ...]
    unpaired_managers: tuple[Unpaired, ...]
    exclusions: tuple[Exclusion, ...]

    @property
    def total_score(self) -> int:
        return sum(pair.score for pair in self.pairs)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _listing(items: Iterable[str], labels: dict[str, str] | None) -> str:
    """Items in the order of ``labels`` (e.g. Monday before Friday), by their labels."""
    labels = labels or {}
    order = {key: position for position, key in enumerate(labels)}
    ordered = sorted(items, key=lambda item: (order.get(item, len(order)), item))
    return ", ".join(labels.get(item, item) for item in ordered)


def score_pair(
    clinician: Candidate,
    manager: Candidate,
    *,
    interest_labels: dict[str, str] | None = None,
    slot_labels: dict[str, str] | None = None,
) -> PairScore:
    """How good a pair the two would make, and why, in words an administrator can check.

    * each shared area of interest: 3 points;
    * each works in a department the other asked for (complementary departments): 4 points
      each way;
    * each half-day both are free: 1 point, up to 4 (they need time to shadow each other).
    """
    score = 0
    reasons: list[str] = []
    shared = clinician.interests & manager.interests
    if shared:
        score += SHARED_INTEREST_POINTS * len(shared)
        reasons.append(f"Shared interests: {_listing(shared, interest_labels)}")
    wanted_by_manager = {_norm(d) for d in manager.preferred_departments}
    wanted_by_clinician = {_norm(d) for d in clinician.preferred_departments}
    if clinician.department and _norm(clinician.department) in wanted_by_manager:
        score += WANTED_DEPARTMENT_POINTS
        reasons.append(
            f"{manager.name} asked for {clinician.department}, where {clinician.name} works"
        )
    if manager.department and _norm(manager.department) in wanted_by_clinician:
        score += WANTED_DEPARTMENT_POINTS
        reasons.append(
            f"{clinician.name} asked for {manager.department}, where {manager.name} works"
        )
    free_together = clinician.availability & manager.availability
    if free_together:
        score += SHARED_HALF_DAY_POINTS * min(len(free_together), MAX_HALF_DAY_POINTS)
        reasons.append(f"Both free: {_listing(free_together, slot_labels)}")
    else:
        reasons.append("No half-day when both are free")
    return PairScore(score=score, reasons=tuple(reasons))


def hard_rules(
    *,
    line_management: Iterable[tuple[int, int]],
    forbidden: Iterable[tuple[int, int]],
    names: Mapping[int, str],
) -> dict[frozenset[int], str]:
    """Every pair of people that must never be paired, as {frozenset of two ids: the rule in
    words}. Line management counts either way round; ``forbidden`` pairs are unordered."""
    banned: dict[frozenset[int], str] = {}
    for boss, report in line_management:
        banned[frozenset((boss, report))] = (
            f"{names.get(boss, 'Their line manager')} line-manages {names.get(report, 'them')}"
        )
    for a, b in forbidden:
        banned.setdefault(frozenset((a, b)), "Not to be paired (e.g. in the same team)")
    return banned


def match(
    clinicians: Iterable[Candidate],
    managers: Iterable[Candidate],
    *,
    line_management: Iterable[tuple[int, int]] = (),
    forbidden: Iterable[tuple[int, int]] = (),
    interest_labels: dict[str, str] | None = None,
    slot_labels: dict[str, str] | None = None,
) -> MatchResult:
    """The optimal set of clinician–manager pairs.

    ``line_management`` holds (line manager id, report id) pairs; ``forbidden`` holds unordered
    pairs of ids that must not be paired for any other reason. The result does not depend on
    the order of the inputs: people are sorted by id before solving, and the solver is
    deterministic.
    """
    clinicians = sorted(clinicians, key=lambda c: c.id)
    managers = sorted(managers, key=lambda m: m.id)
    names = {c.id: c.name for c in [*clinicians, *managers]}
    banned = hard_rules(line_management=line_management, forbidden=forbidden, names=names)

    scores: dict[tuple[int, int], PairScore] = {}
    exclusions: list[Exclusion] = []
    for c in clinicians:
        for m in managers:
            reason = banned.get(frozenset((c.id, m.id)))
            if reason is not None or c.id == m.id:
                exclusions.append(Exclusion(c.id, m.id, reason or "The same person"))
                continue
            scores[(c.id, m.id)] = score_pair(
                c, m, interest_labels=interest_labels, slot_labels=slot_labels
            )

    chosen: list[Suggestion] = []
    if scores:
        # Every allowed pair is worth a bonus larger than the best possible total score, so the
        # solver first maximises the number of allowed pairs, then the score. Forbidden cells
        # are worth 0: an assignment that uses one is read as "these two stay unpaired".
        best_total = max(p.score for p in scores.values()) * min(len(clinicians), len(managers))
        bonus = best_total + 1
        # NumPy and SciPy take longer to import than the rest of a web process's start; only a
        # suggestion needs them, so web and worker processes load them on their first one.
        import numpy as np
        from scipy.optimize import linear_sum_assignment

        weights = np.zeros((len(clinicians), len(managers)), dtype=np.int64)
        for i, c in enumerate(clinicians):
            for j, m in enumerate(managers):
                pair = scores.get((c.id, m.id))
                if pair is not None:
                    weights[i, j] = bonus + pair.score
        rows, cols = linear_sum_assignment(weights, maximize=True)
        for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
            c, m = clinicians[i], managers[j]
            pair = scores.get((c.id, m.id))
            if pair is not None:
                chosen.append(Suggestion(c.id, m.id, pair.score, pair.reasons))

    paired = {s.clinician_id for s in chosen} | {s.manager_id for s in chosen}
    return MatchResult(
        pairs=tuple(chosen),
        unpaired_clinicians=_left_over(
            clinicians, paired, surplus=len(clinicians) > len(managers), side="clinicians"
        ),
        unpaired_managers=_left_over(
            managers, paired, surplus=len(managers) > len(clinicians), side="managers"
        ),
        exclusions=tuple(exclusions),
    )


def _left_over(
    people: list[Candidate], paired: set[int], *, surplus: bool, side: str
) -> tuple[Unpaired, ...]:
    """Who the assignment left out, and why: numbers, or the hard rules."""
    other = "managers" if side == "clinicians" else "clinicians"
    reason = (
        f"More {side} than {other}."
        if surplus
        else f"No allowed partner: the hard rules exclude the {other} still free."
    )
    return tuple(Unpaired(p.id, reason) for p in people if p.id not in paired)
