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

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cohorts.models import Cohort, Enrolment
from cohorts.selectors import ADMINISTRATOR, roles_in_cohort
from leadership.models import User

from .measures import MeasureChart, measure_chart, spc_rules_for
from .models import (
    Assignment,
    ChartRuleSet,
    DataPoint,
    Extension,
    Feedback,
    Measure,
    PdsaCycle,
    RedesignTeam,
    Submission,
    SubmissionFile,
    TeamMembership,
)
from .models import Rebase as MeasureRebase

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
class Access:
    """What the user may do in one cohort's redesign work."""

    roles: frozenset[str]
    peer_review: bool
    team_ids: frozenset[int] = field(default_factory=frozenset)
    # What the cohort shares with peers besides team work (see the module docstring).
    peers_see_feedback: bool = False
    peers_see_individual_work: bool = False

    @property
    def is_admin(self) -> bool:
        return ADMINISTRATOR in self.roles

    @property
    def is_staff_reader(self) -> bool:
        return bool(self.roles & STAFF_READERS)

    @property
    def gives_feedback(self) -> bool:
        return bool(self.roles & FEEDBACK_GIVERS)

    @property
    def is_participant(self) -> bool:
        return PARTICIPANT in self.roles

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


def access_for(user, cohort: Cohort) -> Access:
    """Two or three queries: the user's roles in the cohort and, for a participant, their
    current team(s)."""
    roles = roles_in_cohort(user, cohort)
    team_ids: frozenset[int] = frozenset()
    if PARTICIPANT in roles:
        team_ids = frozenset(
            TeamMembership.objects.current()
            .filter(cohort=cohort, person=user)
            .values_list("team_id", flat=True)
        )
    return Access(
        roles=roles,
        peer_review=cohort.peer_review_enabled,
        team_ids=team_ids,
        peers_see_feedback=cohort.peer_review_shows_feedback,
        peers_see_individual_work=cohort.peer_review_shows_individual_work,
    )


def _cohort_access(user, cohort: Cohort) -> Access:
    access = access_for(user, cohort)
    if not access.roles:
        raise Http404("Not found.")
    return access


def get_cohort_access(user, cohort_id, *, allowed: frozenset[str] | None = None):
    """(cohort, access) for a cohort the user is in; 404 for outsiders, ``PermissionDenied``
    when their roles do not include one of ``allowed``."""
    try:
        cohort = Cohort.objects.select_related("programme").get(pk=int(cohort_id))
    except (Cohort.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("Not found.") from exc
    access = _cohort_access(user, cohort)
    if allowed is not None and not (access.roles & allowed):
        raise PermissionDenied("Your role in this cohort does not allow this.")
    return cohort, access


def get_team_for_user(user, team_id) -> tuple[RedesignTeam, Access]:
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
    access = _cohort_access(user, team.cohort)
    if not access.can_view_team(team.pk):
        raise Http404("Not found.")
    return team, access


def get_assignment_for_user(user, assignment_id) -> tuple[Assignment, Access]:
    """An assignment of a cohort the user is in (any role that works with assignments)."""
    assignment = (
        Assignment.objects.select_related("cohort__programme", "module")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None:
        raise Http404("Not found.")
    access = _cohort_access(user, assignment.cohort)
    if not (access.is_staff_reader or access.is_participant):
        raise Http404("Not found.")
    return assignment, access


def _own_work(user, submission: Submission, access: Access) -> bool:
    if submission.owner_id is not None:
        return submission.owner_id == user.pk
    if submission.team_id in access.team_ids:
        return True
    return submission.members.filter(pk=user.pk).exists()


def get_submission_for_user(user, submission_id) -> tuple[Submission, Access, bool]:
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
    access = _cohort_access(user, submission.assignment.cohort)
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


def teams_for_cohort(cohort: Cohort, access: Access) -> list[RedesignTeam]:
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
    version). Six queries whatever the size of the cohort:
    teams with member counts; participants; current memberships; assignments past due at the
    earliest; their extensions; their submitted (team or owner) units."""
    now = now or timezone.now()
    teams = list(
        RedesignTeam.objects.filter(cohort=cohort)
        .select_related("clinical_lead")
        .annotate(member_count=Count("memberships", filter=Q(memberships__left_at__isnull=True)))
        .order_by("name")
    )
    participants = list(participants_of(cohort).order_by("last_name", "first_name", "pk"))
    placed = set(
        TeamMembership.objects.current().filter(cohort=cohort).values_list("person_id", flat=True)
    )
    unplaced = [person for person in participants if person.pk not in placed]
    overdue = _overdue_units(cohort, teams, participants, now)
    return TeamsSummary(
        teams=teams,
        unplaced=unplaced,
        overdue_count=overdue,
        participant_count=len(participants),
    )


def _overdue_units(cohort, teams, participants, now) -> int:
    # An extension can only move a due date later, so only assignments already past their
    # original due date can be overdue.
    assignments = list(
        Assignment.objects.filter(cohort=cohort, due_at__lt=now).only("id", "kind", "due_at")
    )
    if not assignments:
        return 0
    ids = [a.pk for a in assignments]
    extended = {
        (e.assignment_id, e.team_id, e.person_id): e.due_at
        for e in Extension.objects.filter(assignment_id__in=ids)
    }
    done = set(
        Submission.objects.filter(assignment_id__in=ids, status=Submission.Status.SUBMITTED)
        .values_list("assignment_id", "team_id", "owner_id")
        .distinct()
    )
    overdue = 0
    for assignment in assignments:
        if assignment.is_team:
            units = [(assignment.pk, team.pk, None) for team in teams]
        else:
            units = [(assignment.pk, None, person.pk) for person in participants]
        for unit in units:
            due = extended.get(unit, assignment.due_at)
            if due < now and unit not in done:
                overdue += 1
    return overdue


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


def _latest_by_unit(submissions) -> tuple[dict, set]:
    """From rows of (assignment, team, owner, status, version, is_late, decision, released):
    the latest submitted version per unit, and the units that have a draft."""
    latest: dict = {}
    drafts: set = set()
    for row in submissions:
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
    latest, drafts = _latest_by_unit(
        Submission.objects.filter(assignment__cohort=cohort).values(
            "id",
            "assignment_id",
            "team_id",
            "owner_id",
            "status",
            "version",
            "is_late",
            "feedback__decision",
            "feedback__released_at",
        )
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
    latest, drafts = _latest_by_unit(
        Submission.objects.filter(team=team).values(
            "id",
            "assignment_id",
            "team_id",
            "owner_id",
            "status",
            "version",
            "is_late",
            "feedback__decision",
            "feedback__released_at",
        )
    )
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
    *, team: RedesignTeam | None = None, owner: User | None = None, access: Access, own: bool
) -> list[Submission]:
    """Every version (and the draft, for its own team and administrators) with files,
    feedback (released only, unless the reader gives feedback) and members at the time.
    Four queries: submissions with feedback; files; members; rubric scores."""
    submissions = Submission.objects.filter(**({"team": team} if team else {"owner": owner}))
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


# --- measures ------------------------------------------------------------------------------


def _measures_with_rows() -> QuerySet[Measure]:
    """Measures with everything a chart reads: owner, programme rule set (one query, joined),
    then data points, rebases and PDSA cycles (one prefetch query each)."""
    return Measure.objects.select_related(
        "team__cohort__programme__chart_rule_set",
        "pairing__cohort__programme__chart_rule_set",
    ).prefetch_related(
        Prefetch("datapoints", queryset=DataPoint.objects.order_by("period")),
        Prefetch("rebases", queryset=MeasureRebase.objects.order_by("starts_on")),
        Prefetch("pdsa_cycles", queryset=PdsaCycle.objects.order_by("started_on", "pk")),
    )


def _rule_set_of(measure: Measure) -> ChartRuleSet | None:
    owner = measure.team if measure.team_id else measure.pairing
    try:
        return owner.cohort.programme.chart_rule_set
    except ChartRuleSet.DoesNotExist:
        return None


def chart_for(measure: Measure, *, compact: bool = False) -> MeasureChart:
    """The chart of a measure fetched through ``_measures_with_rows`` (no further queries)."""
    return measure_chart(
        measure,
        points=list(measure.datapoints.all()),
        rebases=list(measure.rebases.all()),
        cycles=list(measure.pdsa_cycles.all()),
        rules=spc_rules_for(_rule_set_of(measure)),
        compact=compact,
    )


def measure_charts_for_teams(
    team_ids: list[int], *, compact: bool = False
) -> dict[int, list[MeasureChart]]:
    """Each team's measures drawn as charts, in the teams' own order (``position``, then age).

    Returns ``{team_id: [MeasureChart, ...]}`` with a key (maybe an empty list) for every id
    given. No access check: callers pass only teams the viewer may see.

    Queries: 4 whatever the number of teams, measures or points — the measures joined with
    their team, cohort, programme and the programme's rule set; their data points; their
    rebases; their PDSA cycles — or 1 when none of the teams has a measure. XmR charts use the
    programme's ``ChartRuleSet`` (Making Data Count values when it has none); a measure with
    too few points for XmR is a run chart, and with fewer than two points has no chart.
    ``compact`` charts are for print (see ``MeasureChart``)."""
    charts: dict[int, list[MeasureChart]] = {team_id: [] for team_id in team_ids}
    if not team_ids:
        return charts
    for measure in (
        _measures_with_rows().filter(team_id__in=team_ids).order_by("team_id", "position", "pk")
    ):
        charts[measure.team_id].append(chart_for(measure, compact=compact))
    return charts


@dataclass(frozen=True)
class MeasureAccess:
    """Who is looking at a measure: anyone who gets one may read; ``can_edit`` may add data,
    edit the measure, rebase it and log PDSA cycles (the team's members or the pair, and
    administrators)."""

    can_edit: bool
    team: RedesignTeam | None
    pairing: object | None


def team_measure_access(user, team_id) -> tuple[RedesignTeam, MeasureAccess]:
    """The team and what the user may do with its measures: 404 unless they may see the team
    (members, faculty, clinical leaders, administrators; peers with peer review on)."""
    team, access = get_team_for_user(user, team_id)
    can_edit = access.is_admin or team.pk in access.team_ids
    return team, MeasureAccess(can_edit=can_edit, team=team, pairing=None)


def pairing_measure_access(user, pairing_id) -> tuple[object, MeasureAccess]:
    """A pairing and what the user may do with its QI measures: as for the pairing's page (the
    pair and administrators write, clinical leaders read, anyone else 404)."""
    from pairings.selectors import get_pairing_for_user

    pairing, access = get_pairing_for_user(user, pairing_id)
    return pairing, MeasureAccess(can_edit=access.can_contribute, team=None, pairing=pairing)


def get_measure_for_user(user, measure_id) -> tuple[Measure, MeasureAccess]:
    """A measure (with its rows prefetched for ``chart_for``) and the user's access, checked
    on its team or pairing; 404 for anyone who may not see the owner."""
    try:
        measure = _measures_with_rows().get(pk=int(measure_id))
    except (Measure.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("Not found.") from exc
    if measure.team_id:
        team, access = team_measure_access(user, measure.team_id)
        measure.team = team
    else:
        pairing, access = pairing_measure_access(user, measure.pairing_id)
        measure.pairing = pairing
    return measure, access


def get_datapoint_for_user(user, datapoint_id) -> tuple[DataPoint, Measure, MeasureAccess]:
    """A data point and its measure, with access checked on the measure's owner."""
    point = DataPoint.objects.filter(pk=datapoint_id).only("id", "measure_id").first()
    if point is None:
        raise Http404("Not found.")
    measure, access = get_measure_for_user(user, point.measure_id)
    point = next(p for p in measure.datapoints.all() if p.pk == point.pk)
    return point, measure, access


def pdsa_cycles_for_team(team: RedesignTeam) -> list[PdsaCycle]:
    """The team's PDSA cycles, newest first, with their measures: one query."""
    return list(
        team.pdsa_cycles.select_related("measure", "created_by").order_by("-started_on", "-pk")
    )


def get_pdsa_cycle_for_user(user, cycle_id) -> tuple[PdsaCycle, MeasureAccess]:
    """A PDSA cycle and the user's access, checked on its team."""
    cycle = PdsaCycle.objects.filter(pk=cycle_id).select_related("measure").first()
    if cycle is None:
        raise Http404("Not found.")
    team, access = team_measure_access(user, cycle.team_id)
    cycle.team = team
    return cycle, access


def measure_charts_for_pairing(pairing_id: int) -> list[MeasureChart]:
    """A pair's QI measures as charts: 4 queries (as ``measure_charts_for_teams``), or 1."""
    return [
        chart_for(measure)
        for measure in _measures_with_rows()
        .filter(pairing_id=pairing_id)
        .order_by("position", "pk")
    ]


def chart_rule_set_of(programme) -> ChartRuleSet:
    """The programme's rule set, or an unsaved one with the Making Data Count defaults."""
    return ChartRuleSet.objects.filter(programme=programme).first() or ChartRuleSet(
        programme=programme, **ChartRuleSet.DEFAULTS
    )
