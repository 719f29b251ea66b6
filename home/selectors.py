"""What each role's start page lists: the work waiting for this person, each item with the page
where it is done. Reads across every app below (the top floor), each function in a fixed
number of queries whatever the number of cohorts, people, sessions or submissions: the tests
assert the exact counts at two sizes.

* ``faculty_to_do``: submissions waiting for feedback, feedback drafted but not released,
  registers to take, extensions in force, and the cohorts they teach.
* ``participant_to_do`` (``participant_todo.py``, one hand-written query): work due and
  overdue (team and individual), feedback released and not yet read, next sessions, their
  pairing's next step, measures not updated this month.
* ``attention_for_cohorts``: for the programme office (and, in words, clinical leaders) every
  cause that needs attention in each cohort, with a count and a link.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Cohort, Enrolment
from cohorts.selectors import setup_notes
from leadership.models import User
from modules.models import Session
from pairings.models import Pairing
from redesign_projects.models import (
    Assignment,
    Extension,
    Feedback,
    RedesignTeam,
    Submission,
    TeamMembership,
)
from reports.models import ReportRequest

# The participant's start page reads everything in one hand-written query (participant_todo.py),
# found here with the other start pages' reads.
from .participant_todo import participant_to_do as participant_to_do

LIVE_COHORTS = (Cohort.Status.PLANNED, Cohort.Status.RUNNING)
# One piece of work: (assignment, team, owner), a team's or a person's.
Unit = tuple[int, int | None, int | None]


def _active(role: str, person: User):
    """The ids of the cohorts where ``person`` actively holds ``role`` (a subquery)."""
    return Enrolment.objects.filter(
        person=person, role=role, status__in=Enrolment.ACTIVE_STATUSES
    ).values("cohort_id")


# --- Faculty -----------------------------------------------------------------------------


@dataclass
class FacultyToDo:
    cohorts: list[Cohort]
    waiting: list[Submission]
    drafts: list[Feedback]
    registers: list[Session]
    extensions: list[Extension]

    @property
    def count(self) -> int:
        return len(self.waiting) + len(self.drafts) + len(self.registers)


def faculty_to_do(user: User, *, now: datetime.datetime | None = None) -> FacultyToDo:
    """A faculty member's work across the cohorts they teach. Five queries:

    1. the cohorts they teach (newest first);
    2. submissions waiting for feedback: the latest submitted version of each team's (or
       person's) work with no feedback yet, the longest waiting first;
    3. feedback they drafted and have not released, oldest first;
    4. registers to take: sessions of live cohorts that have started without a register,
       today's first (in each cohort's time zone), then the most recent;
    5. extensions still in force (a later due date not yet reached)."""
    now = now or timezone.now()
    taught = _active(Enrolment.Role.FACULTY, user)
    cohorts = list(
        Cohort.objects.filter(pk__in=taught).select_related("programme").order_by("-starts_on")
    )
    # Same unit: a submission has a team or an owner, never both (and NULL matches nothing).
    later_version = Submission.objects.filter(
        Q(team_id=OuterRef("team_id")) | Q(owner_id=OuterRef("owner_id")),
        assignment_id=OuterRef("assignment_id"),
        status=Submission.Status.SUBMITTED,
        version__gt=OuterRef("version"),
    )
    waiting = list(
        Submission.objects.filter(
            assignment__cohort__in=taught,
            status=Submission.Status.SUBMITTED,
            feedback__isnull=True,
        )
        .exclude(Exists(later_version))
        .select_related("assignment__cohort", "team", "owner")
        .order_by("submitted_at", "pk")
    )
    drafts = list(
        Feedback.objects.filter(
            author=user,
            released_at__isnull=True,
            submission__assignment__cohort__in=taught,
        )
        .select_related("submission__assignment__cohort", "submission__team", "submission__owner")
        .order_by("updated_at", "pk")
    )
    registers = list(
        Session.objects.register_missing()
        .filter(module__cohort__in=taught, module__cohort__status__in=LIVE_COHORTS)
        .select_related("module__cohort")
        .order_by("-starts_at", "pk")
    )

    def today_first(session: Session) -> tuple:
        tz = session.module.cohort.tzinfo
        is_today = session.starts_at.astimezone(tz).date() == now.astimezone(tz).date()
        return (not is_today, -session.starts_at.timestamp())

    registers.sort(key=today_first)
    for session in registers:
        tz = session.module.cohort.tzinfo
        session.is_today = session.starts_at.astimezone(tz).date() == now.astimezone(tz).date()
    extensions = list(
        Extension.objects.filter(assignment__cohort__in=taught, due_at__gt=now)
        .select_related("assignment__cohort", "team", "person")
        .order_by("due_at", "pk")
    )
    return FacultyToDo(
        cohorts=cohorts,
        waiting=waiting,
        drafts=drafts,
        registers=registers,
        extensions=extensions,
    )


# --- What needs attention in a cohort ----------------------------------------------------


@dataclass(frozen=True)
class AttentionItem:
    """One cause: what it is in words, how many, and where it is dealt with. ``key`` names
    the cause (``registers``, ``invitations``, ``overdue``, ``unplaced``, ``shadowing``,
    ``reports`` or ``setup``); ``details`` break it down (overdue work per team)."""

    key: str
    text: str
    count: int
    url: str
    link_text: str
    details: tuple[tuple[str, int, str], ...] = ()
    admin_only: bool = True


@dataclass
class CohortAttention:
    cohort: Cohort
    items: list[AttentionItem]

    @property
    def total(self) -> int:
        return sum(item.count for item in self.items)

    def in_words(self) -> str:
        """The headline a clinical leader reads: "2 registers not taken; 3 pieces of work
        overdue" (or that nothing needs attention)."""
        if not self.items:
            return "Nothing needs attention."
        parts = []
        for item in self.items:
            details = ", ".join(f"{name} {count}" for name, count, _url in item.details)
            text = item.text.rstrip(".")
            parts.append(f"{text} ({details})" if details else text)
        return _first_upper("; ".join(parts)) + "."


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def attention_for_cohorts(
    cohorts: list[Cohort], *, now: datetime.datetime | None = None
) -> dict[int, CohortAttention]:
    """Cohort id → everything that needs attention in it: the set-up notes of
    ``cohorts.selectors.setup_notes`` (no leader, no faculty, …), registers not taken,
    invitations not accepted, overdue work by team, participants in no team, active pairings
    with no shadowing logged and reports that failed (and were not built since). Completed and
    cancelled cohorts need nothing. ``cohorts`` must come with their programme.

    Nine queries however many cohorts, people, sessions or teams (none without live cohorts):
    active enrolments with whether each person has set a password; registers not taken per
    cohort; teams; current memberships; assignments past their original due date; their
    extensions; their submitted units; active pairings without shadowing; failed reports."""
    now = now or timezone.now()
    live = [c for c in cohorts if c.status in LIVE_COHORTS]
    result = {c.pk: CohortAttention(cohort=c, items=[]) for c in cohorts}
    if not live:
        return result
    ids = [c.pk for c in live]

    roles: dict[int, Counter] = defaultdict(Counter)
    participants: dict[int, list[int]] = defaultdict(list)
    invited: Counter = Counter()
    for cohort_id, role, person_id, unusable in (
        Enrolment.objects.filter(cohort_id__in=ids, status__in=Enrolment.ACTIVE_STATUSES)
        .annotate(
            unusable=ExpressionWrapper(
                Q(person__password__startswith=UNUSABLE_PASSWORD_PREFIX),
                output_field=BooleanField(),
            )
        )
        .values_list("cohort_id", "role", "person_id", "unusable")
        .distinct()
    ):
        roles[cohort_id][role] += 1
        if role == Enrolment.Role.PARTICIPANT:
            participants[cohort_id].append(person_id)
        if unusable:
            invited[(cohort_id, person_id)] = 1
    invited_by_cohort = Counter(cohort_id for cohort_id, _person in invited)

    missing = dict(
        Session.objects.register_missing()
        .filter(module__cohort_id__in=ids)
        .values_list("module__cohort_id")
        .annotate(n=Count("pk"))
        .order_by()
    )

    teams = {t.pk: t for t in RedesignTeam.objects.filter(cohort_id__in=ids).order_by("name", "pk")}
    team_of: dict[tuple[int, int], int] = {}
    for cohort_id, team_id, person_id in (
        TeamMembership.objects.current()
        .filter(cohort_id__in=ids)
        .values_list("cohort_id", "team_id", "person_id")
    ):
        team_of[(cohort_id, person_id)] = team_id
    overdue = _overdue_by_team(ids, teams, participants, team_of, now)

    unshadowed = Counter(
        Pairing.objects.filter(cohort_id__in=ids, status=Pairing.Status.ACTIVE)
        .annotate(entries=Count("shadowing_entries"))
        .filter(entries=0)
        .values_list("cohort_id", flat=True)
    )
    # The same report (cohort, kind, person — often none, and NULL never equals NULL).
    built_since = ReportRequest.objects.annotate(whose=Coalesce("person_id", 0)).filter(
        cohort_id=OuterRef("cohort_id"),
        kind=OuterRef("kind"),
        whose=Coalesce(OuterRef("person_id"), 0),
        status=ReportRequest.Status.READY,
        requested_at__gt=OuterRef("requested_at"),
    )
    failed = Counter(
        ReportRequest.objects.filter(cohort_id__in=ids, status=ReportRequest.Status.FAILED)
        .exclude(Exists(built_since))
        .values_list("cohort_id", flat=True)
    )

    for cohort in live:
        c = cohort.pk
        items = result[c].items
        for note in setup_notes(
            cohort,
            leaders=roles[c][Enrolment.Role.CLINICAL_LEADER],
            faculty=roles[c][Enrolment.Role.FACULTY],
            participants=roles[c][Enrolment.Role.PARTICIPANT],
            today=timezone.localdate(now, timezone=cohort.tzinfo),
        ):
            items.append(
                AttentionItem(
                    "setup",
                    note,
                    1,
                    reverse("cohorts:cohort_detail", args=[c]),
                    "Open the cohort",
                )
            )
        if missing.get(c):
            items.append(
                AttentionItem(
                    "registers",
                    _plural(missing[c], "register not taken", "registers not taken"),
                    missing[c],
                    reverse("modules:cohort_attendance", args=[c]) + "#registers-missing",
                    "See the sessions",
                    admin_only=False,
                )
            )
        if invited_by_cohort[c]:
            n = invited_by_cohort[c]
            items.append(
                AttentionItem(
                    "invitations",
                    _plural(n, "invitation not accepted", "invitations not accepted"),
                    n,
                    reverse("cohorts:invitation_list", args=[c]),
                    "Resend invitations",
                )
            )
        by_team = overdue.get(c, [])
        if by_team:
            n = sum(count for _name, count, _url in by_team)
            items.append(
                AttentionItem(
                    "overdue",
                    _plural(n, "piece of work overdue", "pieces of work overdue"),
                    n,
                    reverse("redesign_projects:assignment_overview", args=[c]),
                    "See the work",
                    details=tuple(by_team),
                    admin_only=False,
                )
            )
        team_ids = {t.pk for t in teams.values() if t.cohort_id == c}
        unplaced = sum(1 for p in participants[c] if (c, p) not in team_of)
        if team_ids and unplaced:
            items.append(
                AttentionItem(
                    "unplaced",
                    _plural(unplaced, "participant in no team", "participants in no team"),
                    unplaced,
                    reverse("redesign_projects:team_formation", args=[c]),
                    "Place them in teams",
                )
            )
        if unshadowed[c]:
            items.append(
                AttentionItem(
                    "shadowing",
                    _plural(
                        unshadowed[c],
                        "pairing with no shadowing logged",
                        "pairings with no shadowing logged",
                    ),
                    unshadowed[c],
                    reverse("pairings:cohort_overview", args=[c]),
                    "See the pairings",
                    admin_only=False,
                )
            )
        if failed[c]:
            items.append(
                AttentionItem(
                    "reports",
                    _plural(failed[c], "report failed", "reports failed"),
                    failed[c],
                    reverse("reports:report_list", args=[c]),
                    "See the reports",
                    admin_only=False,
                )
            )
    return result


def _overdue_by_team(
    cohort_ids: list[int],
    teams: dict[int, RedesignTeam],
    participants: dict[int, list[int]],
    team_of: dict[tuple[int, int], int],
    now: datetime.datetime,
) -> dict[int, list[tuple[str, int, str]]]:
    """Cohort id → [(team name, pieces overdue, overview link for the team)], teams by name;
    individual work counts for the person's current team ("Not in a team" otherwise). Work is
    overdue when it is past its (possibly extended) due date with no submitted version.
    Three queries (assignments past their original date, their extensions, their submitted
    units), none when no assignment is past due."""
    # An extension only moves a date later, so only work past its original date can be late.
    assignments = list(
        Assignment.objects.filter(cohort_id__in=cohort_ids, due_at__lt=now).only(
            "id", "cohort_id", "kind", "due_at"
        )
    )
    if not assignments:
        return {}
    extended = {
        (e.assignment_id, e.team_id, e.person_id): e.due_at
        for e in Extension.objects.filter(assignment__in=[a.pk for a in assignments])
    }
    done = set(
        Submission.objects.filter(
            assignment__in=[a.pk for a in assignments], status=Submission.Status.SUBMITTED
        )
        .values_list("assignment_id", "team_id", "owner_id")
        .distinct()
    )
    counts: dict[int, Counter] = defaultdict(Counter)
    for assignment in assignments:
        c = assignment.cohort_id
        units: list[tuple[Unit, int | None]]
        if assignment.is_team:
            units = [
                ((assignment.pk, t.pk, None), t.pk) for t in teams.values() if t.cohort_id == c
            ]
        else:
            units = [((assignment.pk, None, p), team_of.get((c, p))) for p in participants[c]]
        for unit, team_id in units:
            if unit not in done and extended.get(unit, assignment.due_at) < now:
                counts[c][team_id] += 1
    result = {}
    for c, by_team in counts.items():
        overview = reverse("redesign_projects:assignment_overview", args=[c])
        rows = [
            (teams[team_id].name, n, f"{overview}?team={team_id}")
            for team_id, n in by_team.items()
            if team_id is not None
        ]
        rows.sort(key=lambda row: row[0].casefold())
        if by_team.get(None):
            rows.append(("Not in a team", by_team[None], overview))
        result[c] = rows
    return result
