"""Reads for redesign teams and assignments, and the access rules for them.

Who sees what (outsiders always get 404, never a hint that something exists):
* administrators of the programme: everything, and manage teams, assignments, extensions;
* faculty of the cohort: everything submitted, and give feedback;
* clinical leaders of the cohort: everything submitted, read-only;
* participants: their own team's (or their own) work, and submit it; other teams' submitted
  work only when the cohort has peer review on — then they may read and comment, not edit.
  What peers see is the cohort's choice (``Cohort.peer_review_shows_*``): team work without
  its feedback unless the cohort also shares the released feedback, and other people's
  individual work (and files) only when the cohort shares that too.
Drafts are seen only by their team (or owner) and administrators; unreleased feedback only by
faculty and administrators.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cohorts.models import Cohort, Enrolment
from cohorts.selectors import ADMINISTRATOR, CohortAccess, cohort_access
from leadership.links import link
from leadership.models import User

from .models import (
    Assignment,
    Extension,
    Feedback,
    RedesignTeam,
    Submission,
    SubmissionFile,
    TeamMembership,
)

FACULTY = Enrolment.Role.FACULTY
PARTICIPANT = Enrolment.Role.PARTICIPANT
CLINICAL_LEADER = Enrolment.Role.CLINICAL_LEADER
STAFF_READERS = frozenset({ADMINISTRATOR, FACULTY, CLINICAL_LEADER})
FEEDBACK_GIVERS = frozenset({ADMINISTRATOR, FACULTY})


class WorkStatus:
    """Where one team's (or person's) work on an assignment stands."""

    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    LATE = "late"
    CHANGES_REQUESTED = "changes_requested"
    ACCEPTED = "accepted"

    LABELS = {
        NOT_STARTED: "Not started",
        DRAFT: "Draft",
        SUBMITTED: "Submitted",
        LATE: "Submitted late",
        CHANGES_REQUESTED: "Changes requested",
        ACCEPTED: "Accepted",
    }
    CHOICES = list(LABELS.items())


def work_status(*, has_draft: bool, latest: dict | None) -> str:
    """The status from the latest submitted version (``version``, ``is_late``, ``decision``,
    ``released``) and whether a draft exists. Only released feedback counts."""
    if latest is None:
        return WorkStatus.DRAFT if has_draft else WorkStatus.NOT_STARTED
    if latest.get("released") and latest.get("decision") == Feedback.Decision.ACCEPTED:
        return WorkStatus.ACCEPTED
    if latest.get("released") and latest.get("decision") == Feedback.Decision.CHANGES_REQUESTED:
        return WorkStatus.CHANGES_REQUESTED
    return WorkStatus.LATE if latest["is_late"] else WorkStatus.SUBMITTED


# --- access -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectAccess(CohortAccess):
    """The user's access to one cohort, with what only redesign work knows: the participant's
    current teams and whether the cohort lets participants review other teams' work."""

    peer_review: bool = False
    team_ids: frozenset[int] = field(default_factory=frozenset)
    # What the cohort shares with peers besides team work (see the module docstring).
    peers_see_feedback: bool = False
    peers_see_individual_work: bool = False

    @property
    def is_staff_reader(self) -> bool:
        return self.holds_any(STAFF_READERS)

    @property
    def gives_feedback(self) -> bool:
        return self.holds_any(FEEDBACK_GIVERS)

    def can_view_team(self, team_id: int) -> bool:
        return self.is_staff_reader or team_id in self.team_ids or self.can_peer_review

    @property
    def can_peer_review(self) -> bool:
        return self.is_participant and self.peer_review

    def sees_feedback(self, *, own: bool) -> bool:
        """Whether released feedback on work is shown: on one's own work, to staff, and to
        peers when the cohort shares it."""
        return own or self.is_staff_reader or (self.can_peer_review and self.peers_see_feedback)

    def may_peer_read(self, submission: Submission) -> bool:
        """Whether a peer may read someone else's submitted ``submission``."""
        return self.can_peer_review and (
            submission.team_id is not None or self.peers_see_individual_work
        )


def project_access(user, cohort: Cohort, access: CohortAccess | None = None) -> ProjectAccess:
    """``access`` (or the user's access to ``cohort``, one query) with, for a participant,
    their current team(s): one more query."""
    access = access or cohort_access(user, cohort)
    team_ids: frozenset[int] = frozenset()
    if access.is_participant:
        team_ids = frozenset(
            TeamMembership.objects.current()
            .filter(cohort=cohort, person=user)
            .values_list("team_id", flat=True)
        )
    return ProjectAccess(
        roles=access.roles,
        peer_review=cohort.peer_review_enabled,
        team_ids=team_ids,
        peers_see_feedback=cohort.peer_review_shows_feedback,
        peers_see_individual_work=cohort.peer_review_shows_individual_work,
    )


def _member_access(user, cohort: Cohort) -> ProjectAccess:
    access = project_access(user, cohort)
    access.require()
    return access


def get_team_for_user(user, team_id) -> tuple[RedesignTeam, ProjectAccess]:
    """The team and the user's access; 404 unless they may see it."""
    team = (
        RedesignTeam.objects.select_related(
            "cohort__programme", "clinical_lead", "manager_partner", "executive_sponsor"
        )
        .filter(pk=team_id)
        .first()
    )
    if team is None:
        raise Http404("Not found.")
    access = _member_access(user, team.cohort)
    if not access.can_view_team(team.pk):
        raise Http404("Not found.")
    return team, access


def get_assignment_for_user(user, assignment_id) -> tuple[Assignment, ProjectAccess]:
    """An assignment of a cohort the user is in (any role that works with assignments)."""
    assignment = (
        Assignment.objects.select_related("cohort__programme", "module")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None:
        raise Http404("Not found.")
    access = _member_access(user, assignment.cohort)
    if not (access.is_staff_reader or access.is_participant):
        raise Http404("Not found.")
    return assignment, access


def _own_work(user, submission: Submission, access: ProjectAccess) -> bool:
    if submission.owner_id is not None:
        return submission.owner_id == user.pk
    if submission.team_id in access.team_ids:
        return True
    return submission.members.filter(pk=user.pk).exists()


def get_submission_for_user(user, submission_id) -> tuple[Submission, ProjectAccess, bool]:
    """(submission, access, is_own_work); 404 unless the user may read it."""
    submission = (
        Submission.objects.select_related(
            "assignment__cohort__programme", "assignment__module", "team", "owner"
        )
        .filter(pk=submission_id)
        .first()
    )
    if submission is None:
        raise Http404("Not found.")
    access = _member_access(user, submission.assignment.cohort)
    own = access.is_participant and _own_work(user, submission, access)
    if submission.is_draft:
        allowed = own or access.is_admin
    else:
        allowed = own or access.is_staff_reader or access.may_peer_read(submission)
    if not allowed:
        raise Http404("Not found.")
    return submission, access, own


def get_file_for_user(user, file_id) -> SubmissionFile:
    """A submission file the user may read; 404 (no bytes, no hint) for anyone else."""
    upload = SubmissionFile.objects.filter(pk=file_id).only("id", "submission_id").first()
    if upload is None:
        raise Http404("Not found.")
    get_submission_for_user(user, upload.submission_id)
    return SubmissionFile.objects.get(pk=upload.pk)


def current_team_of(user, cohort: Cohort) -> RedesignTeam | None:
    membership = (
        TeamMembership.objects.current()
        .filter(cohort=cohort, person=user)
        .select_related("team")
        .first()
    )
    return membership.team if membership else None


def newest_team_of(user) -> RedesignTeam | None:
    """The user's current team in the newest cohort where they actively participate."""
    membership = (
        TeamMembership.objects.current()
        .filter(
            person=user,
            cohort__enrolments__person=user,
            cohort__enrolments__role=PARTICIPANT,
            cohort__enrolments__status__in=Enrolment.ACTIVE_STATUSES,
        )
        .select_related("team")
        .order_by("-cohort__starts_on", "-pk")
        .first()
    )
    return membership.team if membership else None


# --- people --------------------------------------------------------------------------------


def participants_of(cohort: Cohort) -> QuerySet[User]:
    """Active participants of the cohort, by name."""
    return User.objects.filter(
        enrolments__cohort=cohort,
        enrolments__role=PARTICIPANT,
        enrolments__status__in=Enrolment.ACTIVE_STATUSES,
    ).distinct()


def cohort_people(cohort: Cohort) -> QuerySet[User]:
    """Everyone actively enrolled in the cohort in any role (for sponsors and partners)."""
    return User.objects.filter(
        enrolments__cohort=cohort, enrolments__status__in=Enrolment.ACTIVE_STATUSES
    ).distinct()


# --- due dates -----------------------------------------------------------------------------


def effective_due_at(assignment: Assignment, *, team=None, person=None) -> datetime.datetime:
    """The due date for one team or person: their extension's if they have one."""
    extension = Extension.objects.filter(
        assignment=assignment, **({"team": team} if team is not None else {"person": person})
    ).first()
    return extension.due_at if extension else assignment.due_at


# --- lists ---------------------------------------------------------------------------------


def teams_for_cohort(cohort: Cohort, access: ProjectAccess) -> list[RedesignTeam]:
    """The teams the user may see, each with ``member_count`` and its lead: one query."""
    teams = (
        RedesignTeam.objects.filter(cohort=cohort)
        .select_related("clinical_lead", "manager_partner")
        .annotate(member_count=Count("memberships", filter=Q(memberships__left_at__isnull=True)))
        .order_by("name")
    )
    if not (access.is_staff_reader or access.can_peer_review):
        teams = teams.filter(pk__in=access.team_ids)
    return list(teams)


@dataclass
class TeamsSummary:
    teams: list[RedesignTeam]
    unplaced: list[User]
    overdue_count: int
    participant_count: int


def teams_summary_for_cohort(cohort: Cohort, *, now: datetime.datetime | None = None):
    """For the cohort page: teams with sizes and leads, participants in no team, and how many
    pieces of work are overdue (past their — possibly extended — due date with no submitted
    version). Three queries whatever the size of the cohort: teams with member counts;
    participants, each with whether they are in a team now; the overdue count."""
    now = now or timezone.now()
    teams: list[RedesignTeam] = list(
        RedesignTeam.objects.filter(cohort=cohort)
        .select_related("clinical_lead")
        .annotate(member_count=Count("memberships", filter=Q(memberships__left_at__isnull=True)))
        .order_by("name")
    )
    in_team = TeamMembership.objects.current().filter(cohort=cohort, person=OuterRef("pk"))
    participants = list(
        participants_of(cohort)
        .annotate(in_team=Exists(in_team.order_by()))
        .order_by("last_name", "first_name", "pk")
    )
    unplaced: list[User] = [person for person in participants if not person.in_team]
    return TeamsSummary(
        teams=teams,
        unplaced=unplaced,
        overdue_count=overdue_count(cohort, now),
        participant_count=len(participants),
    )


@dataclass(frozen=True)
class TeamsCard:
    """What the cohort page's teams card shows: each team's id, name, current member count
    and lead's name (``TeamRow``), and three counts."""

    teams: list["TeamRow"]
    participant_count: int
    unplaced_count: int
    overdue_count: int


@dataclass(frozen=True)
class TeamRow:
    pk: int
    name: str
    member_count: int
    clinical_lead: str
    # The team page's address, written here (``link``): a ``{% url %}`` tag per row cost the
    # card several times what ``reverse`` does.
    url: str


def teams_card_for_cohort(cohort: Cohort, *, now: datetime.datetime | None = None) -> TeamsCard:
    """For the cohort page's card: ``teams_summary_for_cohort`` reduced to what the card shows,
    in one query whatever the size of the cohort (``_CARD_SQL``): the teams' columns it prints
    (no whole user rows), each row carrying the participant, unplaced and overdue counts (one
    row with no team when there are none). The team list, which names the unplaced people,
    keeps ``teams_summary_for_cohort``."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_CARD_SQL, _overdue_params(cohort, now))
        rows = cursor.fetchall()
    participants, unplaced, overdue = rows[0][:3]
    teams = [
        TeamRow(
            pk,
            name,
            members,
            User.name_from(first, last, email),
            link("redesign_projects:team_detail", pk),
        )
        for _p, _u, _o, pk, name, members, first, last, email in rows
        if pk is not None
    ]
    return TeamsCard(
        teams=teams,
        participant_count=participants,
        unplaced_count=unplaced,
        overdue_count=overdue,
    )


# A unit of work is a team's piece of a team assignment or an active participant's of an
# individual one; it is overdue when its due date (the unit's extension, else the
# assignment's) has passed and the unit has no submitted version. An extension only moves a
# due date later, so only assignments past their own due date are read. Written as SQL, one
# query: the ORM built the same count from three queries (assignments, extensions,
# submissions) and Python, and building them cost more than running them. Plain SQL that
# SQLite (the quick start) runs too.
_ACTIVE = ", ".join(f"%(active{n})s" for n in range(len(Enrolment.ACTIVE_STATUSES)))
_OVERDUE_SQL = f"""
WITH due AS (
    SELECT id, kind, due_at FROM {Assignment._meta.db_table}
    WHERE cohort_id = %(cohort)s AND due_at < %(now)s
)
SELECT (
    SELECT count(*)
    FROM due
    JOIN {RedesignTeam._meta.db_table} team ON team.cohort_id = %(cohort)s
    LEFT JOIN {Extension._meta.db_table} extension
        ON extension.assignment_id = due.id AND extension.team_id = team.id
    WHERE due.kind = %(team_kind)s
        AND COALESCE(extension.due_at, due.due_at) < %(now)s
        AND NOT EXISTS (
            SELECT 1 FROM {Submission._meta.db_table} submission
            WHERE submission.assignment_id = due.id AND submission.status = %(submitted)s
                AND submission.team_id = team.id AND submission.owner_id IS NULL
        )
) + (
    SELECT count(*)
    FROM due
    CROSS JOIN (
        SELECT DISTINCT person_id FROM {Enrolment._meta.db_table}
        WHERE cohort_id = %(cohort)s AND role = %(participant)s
            AND status IN ({_ACTIVE})
    ) participant
    LEFT JOIN {Extension._meta.db_table} extension
        ON extension.assignment_id = due.id AND extension.person_id = participant.person_id
    WHERE due.kind <> %(team_kind)s
        AND COALESCE(extension.due_at, due.due_at) < %(now)s
        AND NOT EXISTS (
            SELECT 1 FROM {Submission._meta.db_table} submission
            WHERE submission.assignment_id = due.id AND submission.status = %(submitted)s
                AND submission.owner_id = participant.person_id AND submission.team_id IS NULL
        )
)
"""  # noqa: S608 — only table names are formatted in; every value is a parameter # nosec B608


def overdue_count(cohort: Cohort, now: datetime.datetime) -> int:
    """How many units of work of ``cohort`` are overdue at ``now`` (``_OVERDUE_SQL``). One
    query."""
    with connection.cursor() as cursor:
        cursor.execute(_OVERDUE_SQL, _overdue_params(cohort, now))
        return cursor.fetchone()[0]


def _overdue_params(cohort: Cohort, now: datetime.datetime) -> dict:
    """The parameters of ``_OVERDUE_SQL`` and ``_CARD_SQL``."""
    return {
        "cohort": cohort.pk,
        # As the database stores it (SQLite: text in UTC), as the ORM would pass it.
        "now": connection.ops.adapt_datetimefield_value(now),
        "team_kind": Assignment.Kind.TEAM.value,
        "submitted": Submission.Status.SUBMITTED.value,
        "participant": PARTICIPANT.value,
        **{f"active{n}": s.value for n, s in enumerate(Enrolment.ACTIVE_STATUSES)},
    }


# The card in one statement: its three counts (active participants, distinct people; those of
# them with no current team membership in the cohort; ``_OVERDUE_SQL``'s count) on every row,
# and a row a team, by name, with its current members counted and its lead's name columns.
# Two queries through the ORM and this before (issue 21): the teams' query cost more to build
# than to run. The counts' row is joined to the teams so a cohort without teams still has one.
_CARD_SQL = f"""
WITH participant AS (
    SELECT DISTINCT person_id FROM {Enrolment._meta.db_table}
    WHERE cohort_id = %(cohort)s AND role = %(participant)s AND status IN ({_ACTIVE})
),
counts AS (
    SELECT
        (SELECT count(*) FROM participant) AS participants,
        (SELECT count(*) FROM participant
            WHERE NOT EXISTS (
                SELECT 1 FROM {TeamMembership._meta.db_table} membership
                WHERE membership.cohort_id = %(cohort)s AND membership.left_at IS NULL
                    AND membership.person_id = participant.person_id
            )) AS unplaced,
        ({_OVERDUE_SQL}) AS overdue
)
SELECT counts.participants, counts.unplaced, counts.overdue,
    team.id, team.name, team.member_count, cl.first_name, cl.last_name, cl.email
FROM counts
LEFT JOIN (
    SELECT t.id, t.name, t.clinical_lead_id, (
        SELECT count(*) FROM {TeamMembership._meta.db_table} membership
        WHERE membership.team_id = t.id AND membership.left_at IS NULL
    ) AS member_count
    FROM {RedesignTeam._meta.db_table} t
    WHERE t.cohort_id = %(cohort)s
) team ON 1 = 1
LEFT JOIN {User._meta.db_table} cl ON cl.id = team.clinical_lead_id
ORDER BY team.name
"""  # noqa: S608 — only table names are formatted in; every value is a parameter # nosec B608


# --- the overview grid ---------------------------------------------------------------------


@dataclass
class Cell:
    assignment: Assignment
    status: str = WorkStatus.NOT_STARTED
    latest_id: int | None = None
    due_at: datetime.datetime | None = None
    counts: list[tuple[str, int]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return WorkStatus.LABELS[self.status]


@dataclass
class Row:
    team: RedesignTeam
    cells: list[Cell]


def latest_submissions_by_unit(submissions: QuerySet[Submission]) -> tuple[dict, set]:
    """Of ``submissions``: the latest submitted version per unit (assignment, team, owner) as
    its id, version, lateness, feedback decision and whether that feedback is released; and
    the units that have a draft. One query."""
    latest: dict = {}
    drafts: set = set()
    for row in submissions.values(
        "id",
        "assignment_id",
        "team_id",
        "owner_id",
        "status",
        "version",
        "is_late",
        "feedback__decision",
        "feedback__released_at",
    ):
        unit = (row["assignment_id"], row["team_id"], row["owner_id"])
        if row["status"] == Submission.Status.DRAFT:
            drafts.add(unit)
            continue
        if unit not in latest or row["version"] > latest[unit]["version"]:
            latest[unit] = {
                "id": row["id"],
                "version": row["version"],
                "is_late": row["is_late"],
                "decision": row["feedback__decision"],
                "released": row["feedback__released_at"] is not None,
            }
    return latest, drafts


def assignment_overview(
    cohort: Cohort,
    *,
    assignment_id: int | None = None,
    team_id: int | None = None,
    status: str | None = None,
) -> tuple[list[Assignment], list[Row]]:
    """Every team × assignment with its status (individual assignments: counts of the team's
    members by status). Five queries whatever the number of teams, assignments or versions:
    assignments (with module); teams; current memberships; extensions; submissions with their
    feedback decision. ``status`` keeps only teams with at least one cell in that status."""
    assignments = list(
        Assignment.objects.filter(cohort=cohort).select_related("module").order_by("due_at", "pk")
    )
    if assignment_id:
        assignments = [a for a in assignments if a.pk == assignment_id]
    teams = list(RedesignTeam.objects.filter(cohort=cohort).order_by("name"))
    if team_id:
        teams = [t for t in teams if t.pk == team_id]
    members: dict[int, list[int]] = defaultdict(list)
    for team_pk, person_pk in (
        TeamMembership.objects.current().filter(cohort=cohort).values_list("team_id", "person_id")
    ):
        members[team_pk].append(person_pk)
    extended = {
        (e.assignment_id, e.team_id, e.person_id): e.due_at
        for e in Extension.objects.filter(assignment__cohort=cohort)
    }
    latest, drafts = latest_submissions_by_unit(
        Submission.objects.filter(assignment__cohort=cohort)
    )

    def status_of(unit) -> str:
        return work_status(has_draft=unit in drafts, latest=latest.get(unit))

    rows = []
    for team in teams:
        cells = []
        for assignment in assignments:
            if assignment.is_team:
                unit = (assignment.pk, team.pk, None)
                cell = Cell(
                    assignment=assignment,
                    status=status_of(unit),
                    latest_id=latest.get(unit, {}).get("id"),
                    due_at=extended.get(unit, assignment.due_at),
                )
            else:
                tally = Counter(status_of((assignment.pk, None, pid)) for pid in members[team.pk])
                worst = min(
                    tally, key=list(WorkStatus.LABELS).index, default=WorkStatus.NOT_STARTED
                )
                cell = Cell(
                    assignment=assignment,
                    status=worst,
                    due_at=assignment.due_at,
                    counts=[(WorkStatus.LABELS[s], n) for s, n in sorted(tally.items())],
                )
            cells.append(cell)
        if status and not any(c.status == status for c in cells):
            continue
        rows.append(Row(team=team, cells=cells))
    return assignments, rows


# --- pages ---------------------------------------------------------------------------------


def team_statuses(team: RedesignTeam, *, with_feedback: bool = True) -> list[Cell]:
    """The team's status on each team assignment of its cohort: three queries. Without
    ``with_feedback`` (a peer the cohort does not show feedback to) a status never says what
    faculty decided: submitted work reads "Submitted" (or late)."""
    assignments = list(
        Assignment.objects.filter(cohort=team.cohort_id, kind=Assignment.Kind.TEAM)
        .select_related("module")
        .order_by("due_at", "pk")
    )
    extended = {e.assignment_id: e.due_at for e in Extension.objects.filter(team=team)}
    latest, drafts = latest_submissions_by_unit(Submission.objects.filter(team=team))
    if not with_feedback:
        latest = {unit: {**row, "released": False} for unit, row in latest.items()}
    cells = []
    for assignment in assignments:
        unit = (assignment.pk, team.pk, None)
        cells.append(
            Cell(
                assignment=assignment,
                status=work_status(has_draft=unit in drafts, latest=latest.get(unit)),
                latest_id=latest.get(unit, {}).get("id"),
                due_at=extended.get(assignment.pk, assignment.due_at),
            )
        )
    return cells


def submissions_for_unit(
    *, team: RedesignTeam | None = None, owner: User | None = None, access: ProjectAccess, own: bool
) -> list[Submission]:
    """Every version (and the draft, for its own team and administrators) with files,
    feedback (released only, unless the reader gives feedback) and members at the time.
    Four queries: submissions with feedback; files; members; rubric scores."""
    submissions = (
        Submission.objects.filter(team=team) if team else Submission.objects.filter(owner=owner)
    )
    if not (own or access.is_admin):
        submissions = submissions.filter(status=Submission.Status.SUBMITTED)
    submissions = (
        submissions.select_related("assignment", "feedback__author", "submitted_by")
        .prefetch_related(
            Prefetch("files", queryset=SubmissionFile.objects.order_by("uploaded_at", "pk")),
            "members",
        )
        .order_by("assignment__due_at", "assignment_id", "-status", "-version")
    )
    result = list(submissions)
    for submission in result:
        feedback = getattr(submission, "feedback", None)
        submission.visible_feedback = (
            feedback
            if feedback
            and ((feedback.is_released and access.sees_feedback(own=own)) or access.gives_feedback)
            else None
        )
    return result


def submission_history(submission: Submission) -> list[Submission]:
    """All versions of the same unit and assignment, newest first, with feedback: one query."""
    return list(
        Submission.objects.filter(
            assignment_id=submission.assignment_id,
            team_id=submission.team_id,
            owner_id=submission.owner_id,
            status=Submission.Status.SUBMITTED,
        )
        .select_related("feedback")
        .order_by("-version")
    )


def latest_submitted(assignment: Assignment, *, team=None, owner=None) -> Submission | None:
    return (
        Submission.objects.filter(
            assignment=assignment,
            status=Submission.Status.SUBMITTED,
            **({"team": team} if team else {"owner": owner}),
        )
        .select_related("feedback")
        .order_by("-version")
        .first()
    )


def draft_for(assignment: Assignment, *, team=None, owner=None) -> Submission | None:
    return (
        Submission.objects.filter(
            assignment=assignment,
            status=Submission.Status.DRAFT,
            **({"team": team} if team else {"owner": owner}),
        )
        .prefetch_related("files")
        .first()
    )


def submitted_for_assignment(assignment: Assignment) -> list[Submission]:
    """The latest submitted version of each team or person, with feedback: one query."""
    rows = (
        Submission.objects.filter(assignment=assignment, status=Submission.Status.SUBMITTED)
        .select_related("team", "owner", "feedback")
        .order_by(
            "team__name", "owner__last_name", "owner__first_name", "team_id", "owner_id", "-version"
        )
    )
    seen: set = set()
    latest = []
    for submission in rows:
        unit = (submission.team_id, submission.owner_id)
        if unit not in seen:
            seen.add(unit)
            latest.append(submission)
    return latest
