"""Reads about pairings: who may see a pairing, the cohort overview, who is still unpaired,
and the matcher's inputs built from people's stated preferences."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cohorts.models import Cohort, Enrolment
from cohorts.selectors import CohortAccess, cohort_access
from leadership.models import User
from redesign_projects.models import TeamMembership

from . import matching
from .models import (
    AVAILABILITY_CHOICES,
    INTEREST_CHOICES,
    Pairing,
    PairingPreference,
    PreferenceRequest,
    ShadowingEntry,
    SupportCapacity,
)

# Who states pairing preferences: the people who can be paired.
PREFERENCE_ROLES = frozenset({Enrolment.Role.PARTICIPANT, Enrolment.Role.ADMIN_SUPPORT})
INTEREST_LABELS = dict(INTEREST_CHOICES)
SLOT_LABELS = dict(AVAILABILITY_CHOICES)


@dataclass(frozen=True)
class PairingAccess(CohortAccess):
    """The viewer's access to a pairing's cohort, and whether they are one of the pair.
    Everyone who gets one may read the pairing."""

    is_member: bool = False

    @property
    def can_contribute(self) -> bool:
        """Add shadowing entries and edit the project: the two members and administrators."""
        return self.is_member or self.is_admin


def get_pairing_for_user(user, pairing_id) -> tuple[Pairing, PairingAccess]:
    """The pairing and the viewer's access to it: its two members, administrators of the
    programme, and clinical leaders of the cohort (read only). Everyone else gets 404."""
    try:
        pairing = Pairing.objects.select_related("cohort__programme", "clinician", "manager").get(
            pk=int(pairing_id)
        )
    except (Pairing.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such pairing.") from exc
    if not user.is_authenticated:
        raise Http404("No such pairing.")
    access = PairingAccess(
        roles=cohort_access(user, pairing.cohort).roles, is_member=pairing.has_member(user)
    )
    if not (access.is_member or access.is_admin or access.is_leader):
        raise Http404("No such pairing.")
    return pairing, access


# An active pair that has logged no shadowing for this long is flagged as needing help.
SHADOWING_GAP = datetime.timedelta(weeks=6)


def _with_shadowing(cohort: Cohort) -> QuerySet[Pairing]:
    return (
        Pairing.objects.filter(cohort=cohort)
        .select_related("clinician", "manager")
        .annotate(
            shadowing_count=Count("shadowing_entries"),
            last_shadowed_on=Max("shadowing_entries__occurred_on"),
        )
    )


def cohort_pairings(cohort: Cohort) -> list[Pairing]:
    """Every pairing of the cohort with both members, ``shadowing_count`` and
    ``last_shadowed_on`` (None before the first entry): one query."""
    return list(_with_shadowing(cohort))


def pairing_help_reasons(pairing: Pairing, today: datetime.date) -> list[str]:
    """Why an active pair needs help, in words (empty when on track): no shadowing logged in
    the last six weeks (counted from the pair's start when they have logged none). Reads
    ``last_shadowed_on`` as annotated by ``cohort_pairings``."""
    return help_reasons(
        status=pairing.status,
        started_on=pairing.started_on,
        last_shadowed_on=pairing.last_shadowed_on,
        today=today,
    )


def help_reasons(
    *,
    status: str,
    started_on: datetime.date | None,
    last_shadowed_on: datetime.date | None,
    today: datetime.date,
) -> list[str]:
    """``pairing_help_reasons`` from a pair's values (``pairings_summary_for_cohort`` reads
    them as plain values)."""
    if status != Pairing.Status.ACTIVE:
        return []
    since = last_shadowed_on or started_on
    if since is None or today - since < SHADOWING_GAP:
        return []
    weeks = (today - since).days // 7
    if last_shadowed_on is None:
        return [f"no shadowing logged in the {weeks} weeks since the pair started"]
    return [f"no shadowing logged for {weeks} weeks (last on {since:%-d %b %Y})"]


def shadowing_log(pairing: Pairing) -> list[ShadowingEntry]:
    """The pair's shadowing sessions, newest first, with their authors: one query."""
    return list(pairing.shadowing_entries.select_related("author"))


def pairings_for_person(person: User) -> list[Pairing]:
    """The person's own pairings in every cohort, open ones first: one query."""
    return sorted(
        Pairing.objects.involving(person).select_related("cohort", "clinician", "manager"),
        key=lambda p: (p.status not in Pairing.OPEN_STATUSES, -p.pk),
    )


@dataclass(frozen=True)
class PairRow:
    """What the cohort page's pairings card reads of a pair: plain values, no model instances
    (the card prints the pair's name and links it)."""

    pk: int
    status: str
    project_status: str
    started_on: datetime.date | None
    shadowing_count: int
    last_shadowed_on: datetime.date | None
    # As ``str(pairing)``: the clinician's name & the manager's.
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class PairingsSummary:
    proposed: int
    active: int
    ended: int
    shadowing_sessions: int
    projects_completed: int
    # Active pairs with no shadowing for six weeks, with the reason in words.
    needing_help: list[tuple[PairRow, list[str]]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.proposed + self.active + self.ended


# The cohort's pairs with what the card shows of them and their shadowing, as plain SQL: built
# through the ORM (annotations grouped by every column read) the query cost more to compile,
# and its model instances more to build, than to run (issue 21). Only table names are
# formatted in; the cohort is a parameter. SQLite (the quick start) runs it.
_USERS = User._meta.db_table
_SUMMARY_SQL = f"""
SELECT p.id, p.status, p.project_status, p.started_on,
    c.first_name, c.last_name, c.email, m.first_name, m.last_name, m.email,
    (SELECT count(*) FROM {ShadowingEntry._meta.db_table} s WHERE s.pairing_id = p.id),
    (SELECT max(s.occurred_on) FROM {ShadowingEntry._meta.db_table} s WHERE s.pairing_id = p.id)
FROM {Pairing._meta.db_table} p
JOIN {_USERS} c ON c.id = p.clinician_id
JOIN {_USERS} m ON m.id = p.manager_id
WHERE p.cohort_id = %s
ORDER BY p.id
"""  # noqa: S608 — only table names are formatted in; every value is a parameter # nosec B608


def _day(value) -> datetime.date | None:
    """A date column's value: SQLite may hand plain SQL its ISO text (an aggregate's, whose
    type it does not know)."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def pairings_summary_for_cohort(cohort: Cohort) -> PairingsSummary:
    """Counts for the cohort page (``templates/pairings/_pairings_summary.html``) and the
    active pairs needing help (``help_reasons``): one query (``_SUMMARY_SQL``), the
    cohort's pairs (a pair for every two participants at most), counted here."""
    with connection.cursor() as cursor:
        cursor.execute(_SUMMARY_SQL, [cohort.pk])
        pairings = [
            PairRow(
                pk=pk,
                status=status,
                project_status=project_status,
                started_on=_day(started_on),
                shadowing_count=count,
                last_shadowed_on=_day(last),
                name=f"{User.name_from(*people[:3])} & {User.name_from(*people[3:])}",
            )
            for pk, status, project_status, started_on, *people, count, last in cursor.fetchall()
        ]
    by_status = Counter(pairing.status for pairing in pairings)
    today = timezone.localdate(timezone=cohort.tzinfo)
    return PairingsSummary(
        proposed=by_status[Pairing.Status.PROPOSED],
        active=by_status[Pairing.Status.ACTIVE],
        ended=by_status[Pairing.Status.ENDED],
        shadowing_sessions=sum(pairing.shadowing_count for pairing in pairings),
        projects_completed=sum(
            1 for p in pairings if p.project_status == Pairing.ProjectStatus.COMPLETED
        ),
        needing_help=[
            (pairing, reasons)
            for pairing in pairings
            if (
                reasons := help_reasons(
                    status=pairing.status,
                    started_on=pairing.started_on,
                    last_shadowed_on=pairing.last_shadowed_on,
                    today=today,
                )
            )
        ],
    )


def _enrolled(cohort: Cohort, role: str):
    return User.objects.filter(
        enrolments__cohort=cohort,
        enrolments__role=role,
        enrolments__status__in=Enrolment.ACTIVE_STATUSES,
    )


def _sides(cohort: Cohort, kind: str):
    """Who may take each side of a pairing of ``kind``: clinician participants on one side;
    participants who are managers (partnership) or people enrolled as administrative support
    (admin support) on the other."""
    clinicians = _enrolled(cohort, Enrolment.Role.PARTICIPANT).filter(
        profession__in=User.CLINICAL_PROFESSIONS
    )
    if kind == Pairing.Kind.PARTNERSHIP:
        managers = _enrolled(cohort, Enrolment.Role.PARTICIPANT).filter(
            profession=User.Profession.MANAGER
        )
    else:
        managers = _enrolled(cohort, Enrolment.Role.ADMIN_SUPPORT)
    return clinicians, managers


def unpaired_people(cohort: Cohort, kind: str) -> tuple[list[User], list[User]]:
    """The people eligible for each side of ``kind`` who hold no open pairing of that kind in
    the cohort, in name order; for administrative support, the support people with a place
    left under their capacity. Two queries (four for administrative support)."""
    taken = Pairing.objects.open().filter(cohort=cohort, kind=kind)
    clinicians, managers = _sides(cohort, kind)
    free_clinicians = list(clinicians.exclude(pk__in=taken.values("clinician")).distinct())
    if kind == Pairing.Kind.ADMIN_SUPPORT:
        return free_clinicians, [load.person for load in support_loads(cohort) if load.places_left]
    busy = Q(pk__in=taken.values("clinician")) | Q(pk__in=taken.values("manager"))
    return free_clinicians, list(managers.exclude(busy).distinct())


@dataclass
class SupportLoad:
    """One administrative support person of a cohort: their capacity and the clinical
    leaders they support now (open pairings)."""

    person: User
    capacity: int
    leaders: list[User] = field(default_factory=list)

    @property
    def places_left(self) -> int:
        return max(self.capacity - len(self.leaders), 0)


def support_loads(cohort: Cohort) -> list[SupportLoad]:
    """Everyone enrolled as administrative support in the cohort, by name, with their capacity
    (``SupportCapacity.DEFAULT`` without a row) and the leaders they support. Three queries."""
    capacities = dict(
        SupportCapacity.objects.filter(cohort=cohort).values_list("person_id", "leaders")
    )
    loads = {
        person.pk: SupportLoad(person, capacities.get(person.pk, SupportCapacity.DEFAULT))
        for person in _enrolled(cohort, Enrolment.Role.ADMIN_SUPPORT)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    }
    for pairing in (
        Pairing.objects.open()
        .filter(cohort=cohort, kind=Pairing.Kind.ADMIN_SUPPORT, manager_id__in=loads)
        .select_related("clinician")
        .order_by("clinician__last_name", "clinician__first_name", "pk")
    ):
        loads[pairing.manager_id].leaders.append(pairing.clinician)
    return list(loads.values())


def support_pairings_of(cohort: Cohort, person: User) -> list[Pairing]:
    """The person's open administrative-support pairings in the cohort, on either side (who
    supports them, or whom they support), with both people: one query."""
    return list(
        Pairing.objects.open()
        .involving(person)
        .filter(cohort=cohort, kind=Pairing.Kind.ADMIN_SUPPORT)
        .select_related("clinician", "manager")
    )


def forbidden_pairs(cohort: Cohort) -> frozenset[tuple[int, int]]:
    """Unordered pairs the programme says must not be paired beyond line management: when
    ``Programme.pairs_avoid_same_team`` is set, every two current members of one redesign
    team. One query (none when the programme allows it)."""
    if not cohort.programme.pairs_avoid_same_team:
        return frozenset()
    teams: dict[int, list[int]] = {}
    for team_id, person_id in (
        TeamMembership.objects.current().filter(cohort=cohort).values_list("team_id", "person_id")
    ):
        teams.setdefault(team_id, []).append(person_id)
    return frozenset(
        (a, b) for members in teams.values() for a in members for b in members if a < b
    )


def line_management(cohort: Cohort) -> list[tuple[int, int]]:
    """(line manager id, report id) for everyone in the cohort who named one. One query."""
    return list(
        PairingPreference.objects.filter(cohort=cohort, line_manager__isnull=False).values_list(
            "line_manager_id", "person_id"
        )
    )


def preferences_by_person(cohort: Cohort) -> dict[int, PairingPreference]:
    return {p.person_id: p for p in PairingPreference.objects.filter(cohort=cohort)}


def candidate(person: User, preference: PairingPreference | None) -> matching.Candidate:
    """The matcher's view of a person: their department and stated preferences."""
    return matching.Candidate(
        id=person.pk,
        name=str(person),
        department=person.department,
        interests=frozenset(preference.interests if preference else ()),
        preferred_departments=frozenset(preference.preferred_departments if preference else ()),
        availability=frozenset(preference.availability if preference else ()),
    )


@dataclass(frozen=True)
class Suggestions:
    """The matcher's result with the people it names, for the suggestions page."""

    result: matching.MatchResult
    clinicians: list[User]
    managers: list[User]
    people: dict[int, User]
    line_management: list[tuple[int, int]]
    forbidden: frozenset[tuple[int, int]]
    answered: frozenset[int] = frozenset()

    def missing_answers(self, *person_ids: int | None) -> list[User]:
        """Which of these people have not given their preferences: a score between them
        rests on answers that are missing (it counts no interests or half-days for them)."""
        return [
            self.people[pk]
            for pk in person_ids
            if pk is not None and pk in self.people and pk not in self.answered
        ]

    @property
    def hard_rules(self) -> dict[frozenset[int], str]:
        """The pairs that must never be made among these people, with the rule in words."""
        return matching.hard_rules(
            line_management=self.line_management,
            forbidden=self.forbidden,
            names={pk: str(person) for pk, person in self.people.items()},
        )

    @property
    def unpaired(self) -> list[tuple[User, str]]:
        """Everyone the matcher left out, with the reason, clinicians first."""
        left = [*self.result.unpaired_clinicians, *self.result.unpaired_managers]
        return [(self.people[u.person_id], u.reason) for u in left]

    @property
    def exclusions(self) -> list[tuple[User, User, str]]:
        """Pairs the hard rules kept apart, with the rule."""
        return [
            (self.people[e.clinician_id], self.people[e.manager_id], e.reason)
            for e in self.result.exclusions
        ]


def suggest_pairs(cohort: Cohort, kind: str) -> Suggestions:
    """Suggested pairs for everyone still unpaired in ``kind``. Four queries (two for the
    unpaired people, one for line management, one for preferences), then the matcher."""
    clinicians, managers = unpaired_people(cohort, kind)
    bosses = line_management(cohort)
    forbidden = forbidden_pairs(cohort)
    preferences = preferences_by_person(cohort)
    result = matching.match(
        [candidate(c, preferences.get(c.pk)) for c in clinicians],
        [candidate(m, preferences.get(m.pk)) for m in managers],
        line_management=bosses,
        forbidden=forbidden,
        interest_labels=INTEREST_LABELS,
        slot_labels=SLOT_LABELS,
    )
    people = {p.pk: p for p in [*clinicians, *managers]}
    return Suggestions(
        result, clinicians, managers, people, bosses, forbidden, answered=frozenset(preferences)
    )


def cohort_departments(cohort: Cohort) -> list[str]:
    """The distinct departments of the people enrolled in the cohort, for preference forms."""
    return sorted(
        set(
            User.objects.filter(
                enrolments__cohort=cohort, enrolments__status__in=Enrolment.ACTIVE_STATUSES
            )
            .exclude(department="")
            .values_list("department", flat=True)
        )
    )


def preference_people(cohort: Cohort) -> list[User]:
    """People who may state pairing preferences in the cohort: participants and
    administrative support. One query."""
    return list(
        User.objects.filter(
            enrolments__cohort=cohort,
            enrolments__role__in=PREFERENCE_ROLES,
            enrolments__status__in=Enrolment.ACTIVE_STATUSES,
        ).distinct()
    )


def get_preference_person(cohort: Cohort, person_id: int) -> User:
    """Someone who may state preferences in the cohort, or 404."""
    person = next((p for p in preference_people(cohort) if p.pk == person_id), None)
    if person is None:
        raise Http404("No such participant in this cohort.")
    return person


def preference_for(cohort: Cohort, person: User) -> PairingPreference | None:
    return PairingPreference.objects.filter(cohort=cohort, person=person).first()


def preference_cohorts(person: User) -> list[Cohort]:
    """The cohorts where ``person`` may state pairing preferences. One query."""
    return list(
        Cohort.objects.filter(
            enrolments__person=person,
            enrolments__role__in=PREFERENCE_ROLES,
            enrolments__status__in=Enrolment.ACTIVE_STATUSES,
        ).distinct()
    )


@dataclass(frozen=True)
class PreferenceStatus:
    """Who in a cohort has given their pairing preferences: everyone who may state them and
    is not paired yet (``people``), those of them who have not (``waiting``), and when the
    office asked (None: not yet)."""

    people: list[User]
    waiting: list[User]
    request: PreferenceRequest | None

    @property
    def answered(self) -> int:
        return len(self.people) - len(self.waiting)


def preference_status(cohort: Cohort) -> PreferenceStatus:
    """Three queries: the people who may be paired, in name order, without those an open
    pairing settles (``Pairing.settles_preferences_of``: their answers no longer matter); who
    of them answered; the request."""
    paired = Pairing.objects.open().filter(cohort=cohort)
    partnerships = paired.filter(kind=Pairing.Kind.PARTNERSHIP)
    people = list(
        User.objects.filter(
            enrolments__cohort=cohort,
            enrolments__role__in=PREFERENCE_ROLES,
            enrolments__status__in=Enrolment.ACTIVE_STATUSES,
        )
        .exclude(Q(pk__in=partnerships.values("clinician")) | Q(pk__in=paired.values("manager")))
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )
    answered = set(
        PairingPreference.objects.filter(cohort=cohort).values_list("person_id", flat=True)
    )
    return PreferenceStatus(
        people=people,
        waiting=[p for p in people if p.pk not in answered],
        request=PreferenceRequest.objects.filter(cohort=cohort).first(),
    )
