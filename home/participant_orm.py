"""A participant's to-do list from the ORM: the definition the start page's one hand-written
query (participant_todo.py) is checked against (tests/home/test_participant_sql.py), and what
that page reads on SQLite, the quick start's database, which has neither ``json_agg`` nor
``LATERAL``. Thirteen readable queries built from the apps' own selectors, saying what appears,
when and for whom; on PostgreSQL the page does not use them (compiling them cost 45–70 ms a
request)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone

from cohorts.models import Cohort, Enrolment
from evaluation.models import EvaluationInvitation
from evaluation.selectors import open_evaluations_for
from frameworks.selectors import Window, open_self_assessments_by_cohort
from leadership.models import User
from measures.models import Measure
from measures.selectors import measures_not_updated_this_month
from measures.timeliness import LateValue, late_monthly_values
from modules.models import Session
from modules.selectors import upcoming_sessions_for
from pairings.models import Pairing, PairingPreference, PreferenceRequest
from redesign_projects.models import (
    Assignment,
    Extension,
    Feedback,
    FeedbackRead,
    PeerReview,
    RedesignTeam,
    Submission,
    TeamMembership,
)
from redesign_projects.peer_reviews import reviews_to_do
from redesign_projects.selectors import WorkStatus, latest_submissions_by_unit, work_status


@dataclass
class WorkItem:
    """One piece of work a participant owes or has back: their team's or their own."""

    assignment: Assignment
    due_at: datetime.datetime
    status: str
    team: RedesignTeam | None = None
    latest_id: int | None = None

    @property
    def label(self) -> str:
        return WorkStatus.LABELS[self.status]

    @property
    def is_individual(self) -> bool:
        return not self.assignment.is_team


@dataclass
class PairingStep:
    pairing: Pairing
    partner: User
    text: str


@dataclass
class ParticipantToDo:
    cohorts: list[Cohort]
    due: list[WorkItem]
    overdue: list[WorkItem]
    to_revise: list[WorkItem]
    unread_feedback: list[Feedback]
    sessions: list[Session]
    pairing_steps: list[PairingStep]
    stale_measures: list[Measure]
    late_values: list[LateValue] = field(default_factory=list)
    peer_reviews: list[PeerReview] = field(default_factory=list)
    teamless_cohorts: list[Cohort] = field(default_factory=list)
    evaluations: list[EvaluationInvitation] = field(default_factory=list)
    self_assessments: list[tuple[Cohort, Window]] = field(default_factory=list)
    # Cohorts whose office asked for pairing preferences they have not given (nor been paired).
    preferences_asked: list[Cohort] = field(default_factory=list)


def pairing_step_text(
    *, status: str, shadowing: int, project_status: str, last: datetime.date | None
) -> str:
    """What a participant does next in an open pairing (``home.participant_todo`` writes the
    same step from its own rows)."""
    if status == Pairing.Status.PROPOSED:
        return "Proposed: the programme office confirms it, then you start shadowing."
    if not shadowing:
        return "Log your first shadowing session."
    if project_status == Pairing.ProjectStatus.NOT_STARTED:
        return "Write your shared project's aim."
    return f"Log your next shadowing session (the last was on {last:%-d %b})."


def _pairing_step(pairing: Pairing, person: User) -> PairingStep:
    partner = pairing.manager if pairing.clinician_id == person.pk else pairing.clinician
    text = pairing_step_text(
        status=pairing.status,
        shadowing=pairing.shadowing_count,
        project_status=pairing.project_status,
        last=pairing.last_shadowed,
    )
    return PairingStep(pairing=pairing, partner=partner, text=text)


def participant_to_do(user: User, *, now: datetime.datetime | None = None) -> ParticipantToDo:
    """A participant's work across the cohorts they take part in. Thirteen queries:

    1. their cohorts, each with whether it asked for pairing preferences they have not
    given; 2. their current team in each; 3. the assignments of those cohorts;
    4. extensions for them or their teams; 5. submissions of their units (their teams' for
    team assignments, their own for individual ones) with the feedback decision; 6. feedback
    released on their units that they have not opened; 7. their next three sessions;
    8. their open pairings with shadowing counts; 9. their teams' measures not updated this
    month; 10. the session evaluations they were asked for, not answered and still open;
    11. their self-assessments open now (``frameworks``); 12. their teams' and pairs' monthly
    measures whose latest due value is late; 13. the peer reviews allocated to them and not
    yet sent.

    Work is *due* (not submitted, due date ahead), *overdue* (not submitted, past its
    possibly extended due date) or *to revise* (the latest released feedback asks for
    changes). Team work needs a team: cohorts where they have none are listed."""
    now = now or timezone.now()
    taking_part = Enrolment.objects.filter(
        person=user, role=Enrolment.Role.PARTICIPANT, status__in=Enrolment.ACTIVE_STATUSES
    ).values("cohort_id")
    cohorts = list(
        Cohort.objects.filter(pk__in=taking_part)
        .select_related("programme")
        .annotate(
            preferences_asked=Exists(PreferenceRequest.objects.filter(cohort=OuterRef("pk")))
            & ~Exists(PairingPreference.objects.filter(cohort=OuterRef("pk"), person=user))
        )
        .order_by("-starts_on")
    )
    # The queries below take these ids as lists, not as subqueries: compiling the same
    # subqueries into each of them cost more than running them (and PostgreSQL plans a list
    # faster too).
    cohort_ids = [cohort.pk for cohort in cohorts]
    current = list(
        TeamMembership.objects.current()
        .filter(person=user, cohort_id__in=cohort_ids)
        .select_related("team")
    )
    teams = {m.cohort_id: m.team for m in current}
    team_ids = [m.team_id for m in current]
    assignments = list(
        Assignment.objects.filter(cohort_id__in=cohort_ids)
        .select_related("cohort")
        .order_by("due_at", "pk")
    )
    extended = {
        (e.assignment_id, e.team_id, e.person_id): e.due_at
        for e in Extension.objects.filter(
            Q(person=user) | Q(team_id__in=team_ids),
            assignment__cohort_id__in=cohort_ids,
        )
    }
    mine = Q(owner=user) | Q(team_id__in=team_ids)
    latest, drafts = latest_submissions_by_unit(
        Submission.objects.filter(mine, assignment__cohort_id__in=cohort_ids)
    )
    due: list[WorkItem] = []
    overdue: list[WorkItem] = []
    to_revise: list[WorkItem] = []
    for assignment in assignments:
        team = teams.get(assignment.cohort_id) if assignment.is_team else None
        if assignment.is_team and team is None:
            continue
        unit = (assignment.pk, team.pk, None) if team else (assignment.pk, None, user.pk)
        status = work_status(has_draft=unit in drafts, latest=latest.get(unit))
        item = WorkItem(
            assignment=assignment,
            due_at=extended.get(unit, assignment.due_at),
            status=status,
            team=team,
            latest_id=latest.get(unit, {}).get("id"),
        )
        if status in (WorkStatus.NOT_STARTED, WorkStatus.DRAFT):
            (overdue if item.due_at < now else due).append(item)
        elif status == WorkStatus.CHANGES_REQUESTED:
            to_revise.append(item)
    read = FeedbackRead.objects.filter(feedback=OuterRef("pk"), person=user)
    unread = list(
        Feedback.objects.filter(
            Q(submission__owner=user) | Q(submission__team_id__in=team_ids),
            released_at__isnull=False,
            submission__assignment__cohort_id__in=cohort_ids,
        )
        .exclude(Exists(read))
        .select_related("submission__assignment")
        .order_by("-released_at", "-pk")
    )
    pairings = list(
        Pairing.objects.open()
        .involving(user)
        .filter(cohort_id__in=cohort_ids)
        .select_related("clinician", "manager")
        .annotate(
            shadowing_count=Count("shadowing_entries"),
            last_shadowed=Max("shadowing_entries__occurred_on"),
        )
        .order_by("-pk")
    )
    settled_in = {p.cohort_id for p in pairings if p.settles_preferences_of(user.pk)}
    return ParticipantToDo(
        cohorts=cohorts,
        due=due,
        overdue=overdue,
        to_revise=to_revise,
        unread_feedback=unread,
        sessions=upcoming_sessions_for(user, limit=3),
        evaluations=open_evaluations_for(user, now=now),
        pairing_steps=[_pairing_step(pairing, user) for pairing in pairings],
        stale_measures=measures_not_updated_this_month(team_ids, now=now),
        late_values=late_monthly_values(
            team_ids=team_ids,
            pairing_ids=Pairing.objects.open().involving(user).values("pk"),
            today=timezone.localtime(now).date(),
        ),
        peer_reviews=reviews_to_do(user),
        teamless_cohorts=[
            c
            for c in cohorts
            if c.pk not in teams and any(a.cohort_id == c.pk and a.is_team for a in assignments)
        ],
        self_assessments=open_self_assessments_by_cohort(user, now=now),
        preferences_asked=[c for c in cohorts if c.preferences_asked and c.pk not in settled_in],
    )
