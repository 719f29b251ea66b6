"""Reads for action learning sets, leadership challenges and coaching, and who may open what.

Access follows ``cohorts.selectors.CohortAccess``: people outside the cohort get 404, members
whose role does not allow the page get ``PermissionDenied``. Each function says how many
queries it runs; the pages built on them assert exact counts."""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404

from cohorts.models import Cohort, Enrolment
from cohorts.selectors import ADMINISTRATOR, CohortAccess, cohort_access
from leadership.models import User
from modules.models import Milestone
from redesign_projects.models import TeamMembership

from .models import (
    CODE_OF_ETHICS_VERSION,
    ActionLearningSet,
    ChallengeOutcome,
    CoachAssignment,
    CoachingSession,
    EthicsAgreement,
    LeadershipChallenge,
    LearningSetAction,
    LearningSetMeeting,
    LearningSetMember,
)

# Who may facilitate a set or observe a challenge: the cohort's faculty and coaches.
FACILITATOR_ROLES = (Enrolment.Role.FACULTY, Enrolment.Role.COACH)
OBSERVER_ROLES = frozenset({ADMINISTRATOR, *FACILITATOR_ROLES})
CHALLENGE_READERS = OBSERVER_ROLES | {Enrolment.Role.PARTICIPANT}


def _pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404("Not found.") from exc


def people_in_role(cohort: Cohort, *roles: str) -> QuerySet[User]:
    """The people actively enrolled in ``cohort`` in one of ``roles``, by name. One query."""
    return (
        User.objects.filter(
            enrolments__cohort=cohort,
            enrolments__role__in=roles,
            enrolments__status__in=Enrolment.ACTIVE_STATUSES,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


# Action learning sets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SetAccess:
    """What one person may do with one set: members read it (and their own actions);
    its facilitator and the programme's administrators record meetings and actions."""

    cohort: CohortAccess
    is_member: bool
    is_facilitator: bool

    @property
    def can_record(self) -> bool:
        return self.is_facilitator or self.cohort.is_admin


def get_learning_set_for_user(user, set_id) -> tuple[ActionLearningSet, SetAccess]:
    """The set with its cohort and facilitator, if ``user`` is a member, its facilitator or
    an administrator: 404 for people outside the cohort, ``PermissionDenied`` for the
    cohort's other people. Three queries (one for anonymous visitors)."""
    if not user.is_authenticated:
        raise Http404("No such set.")
    learning_set = (
        ActionLearningSet.objects.select_related("cohort__programme", "facilitator")
        .annotate(_member=Exists(LearningSetMember.objects.filter(
            learning_set=OuterRef("pk"), person=user
        )))
        .filter(pk=_pk(set_id))
        .first()
    )  # fmt: skip
    if learning_set is None:
        raise Http404("No such set.")
    access = SetAccess(
        cohort=cohort_access(user, learning_set.cohort),
        is_member=learning_set._member,
        is_facilitator=learning_set.facilitator_id == user.pk,
    )
    access.cohort.require()
    if not (access.can_record or access.is_member):
        raise PermissionDenied("Only the set's members and facilitator see it.")
    return learning_set, access


def cohort_learning_sets(cohort: Cohort) -> list[ActionLearningSet]:
    """Every set of the cohort with its facilitator, members (``members``), and counts of
    meetings and open actions. Two queries."""
    return list(
        ActionLearningSet.objects.filter(cohort=cohort)
        .select_related("facilitator")
        .annotate(
            meeting_count=Count("meetings", distinct=True),
            open_action_count=Count("actions", filter=Q(actions__done_on=None), distinct=True),
        )
        .prefetch_related(
            Prefetch(
                "memberships",
                LearningSetMember.objects.select_related("person"),
                to_attr="members",
            )
        )
    )


def participants_without_a_set(cohort: Cohort) -> list[User]:
    """The cohort's participants in no set yet. One query."""
    return list(
        people_in_role(cohort, Enrolment.Role.PARTICIPANT).exclude(
            learning_set_places__cohort=cohort
        )
    )


def suggest_groups(cohort: Cohort, people: list[User], size: int) -> list[list[User]]:
    """``people`` dealt into groups of about ``size`` so that members of one redesign team
    land in different groups where they can: people are taken team by team and dealt round
    the groups like cards. One query."""
    if not people:
        return []
    team_of = dict(
        TeamMembership.objects.current()
        .filter(cohort=cohort, person__in=people)
        .values_list("person_id", "team_id")
    )
    ordered = sorted(people, key=lambda p: (team_of.get(p.pk, 0), p.last_name, p.pk))
    count = max(1, round(len(people) / size))
    groups: list[list[User]] = [[] for _ in range(count)]
    for index, person in enumerate(ordered):
        groups[index % count].append(person)
    return groups


@dataclass
class SetPage:
    members: list[LearningSetMember]
    meetings: list[LearningSetMeeting]
    actions: list[LearningSetAction]


def learning_set_page(learning_set: ActionLearningSet, access: SetAccess, user) -> SetPage:
    """Members, meetings (newest first, with who came as ``present``) and actions: every
    action for those who record, a member's own otherwise. Four queries."""
    members = list(learning_set.memberships.select_related("person"))
    meetings = list(learning_set.meetings.prefetch_related("attendees"))
    for meeting in meetings:
        present = {person.pk for person in meeting.attendees.all()}
        meeting.present = [m.person for m in members if m.person_id in present]
        meeting.absent = [m.person for m in members if m.person_id not in present]
    actions = learning_set.actions.select_related("owner")
    if not access.can_record:
        actions = actions.filter(owner=user)
    return SetPage(members=members, meetings=meetings, actions=list(actions))


def get_action_for_user(user, action_id) -> tuple[LearningSetAction, SetAccess]:
    """An action of a set the user may see; only its owner, the facilitator or an
    administrator may change it (others ``PermissionDenied``). Four queries."""
    action = LearningSetAction.objects.filter(pk=_pk(action_id)).first()
    if action is None or not user.is_authenticated:
        raise Http404("No such action.")
    _set, access = get_learning_set_for_user(user, action.learning_set_id)
    if not (access.can_record or action.owner_id == user.pk):
        raise PermissionDenied("Only the action's owner or the facilitator changes it.")
    return action, access


# Leadership challenges --------------------------------------------------------------------------


def cohort_milestones(cohort: Cohort) -> QuerySet[Milestone]:
    """The cohort's milestones by date, to choose the one a challenge ends."""
    return Milestone.objects.filter(cohort=cohort).order_by("due_on", "name")


def get_challenge_for_user(user, challenge_id) -> tuple[LeadershipChallenge, CohortAccess]:
    """A challenge (with the milestone it ends) for the cohort's administrators, faculty,
    coaches and participants (who see only their own outcome); 404 outside the cohort,
    ``PermissionDenied`` for other roles. Two queries."""
    challenge = (
        LeadershipChallenge.objects.select_related("cohort__programme", "milestone")
        .filter(pk=_pk(challenge_id))
        .first()
    )
    if challenge is None or not user.is_authenticated:
        raise Http404("No such challenge.")
    access = cohort_access(user, challenge.cohort)
    access.require(CHALLENGE_READERS)
    return challenge, access


def can_observe(access: CohortAccess) -> bool:
    return access.holds_any(OBSERVER_ROLES)


@dataclass(frozen=True)
class Score:
    criterion: str
    level: str
    position: int
    out_of: int


def scores(challenge: LeadershipChallenge, outcome: ChallengeOutcome) -> list[Score]:
    """The outcome's level for each criterion in words (no query)."""
    result = []
    for index, criterion in enumerate(challenge.rubric):
        levels = criterion["levels"]
        position = outcome.levels[index] if index < len(outcome.levels) else 0
        level = levels[position - 1] if 1 <= position <= len(levels) else "Not observed"
        result.append(Score(criterion["title"], level, position, len(levels)))
    return result


@dataclass
class OutcomeRow:
    participant: User
    outcome: ChallengeOutcome | None
    scores: list[Score] = field(default_factory=list)


def challenge_rows(challenge: LeadershipChallenge, only: User | None = None) -> list[OutcomeRow]:
    """One row per participant of the cohort (or only ``only``) with their outcome and its
    scores in words, by name. Two queries."""
    people = people_in_role(challenge.cohort, Enrolment.Role.PARTICIPANT)
    if only is not None:
        people = people.filter(pk=only.pk)
    outcomes = {
        o.participant_id: o
        for o in challenge.outcomes.select_related("observed_by").filter(
            participant__in=[p.pk for p in people]
        )
    }
    rows = []
    for person in people:
        outcome = outcomes.get(person.pk)
        rows.append(
            OutcomeRow(person, outcome, scores(challenge, outcome) if outcome is not None else [])
        )
    return rows


def cohort_challenges(cohort: Cohort) -> list[LeadershipChallenge]:
    """The cohort's challenges by trimester with the milestone each ends and how many outcomes
    are recorded. One query."""
    return list(
        LeadershipChallenge.objects.filter(cohort=cohort)
        .select_related("milestone")
        .annotate(outcome_count=Count("outcomes"))
    )


def person_challenge_outcomes(cohort: Cohort, person: User) -> list[OutcomeRow]:
    """A participant's record: each challenge of the cohort with their outcome (or none yet)
    and its scores in words. Two queries."""
    challenges = list(LeadershipChallenge.objects.filter(cohort=cohort))
    outcomes = {
        o.challenge_id: o
        for o in ChallengeOutcome.objects.filter(
            challenge__cohort=cohort, participant=person
        ).select_related("observed_by")
    }
    rows = []
    for challenge in challenges:
        outcome = outcomes.get(challenge.pk)
        row = OutcomeRow(person, outcome, scores(challenge, outcome) if outcome else [])
        row.challenge = challenge
        rows.append(row)
    return rows


@dataclass(frozen=True)
class ChallengeSummary:
    challenge: LeadershipChallenge
    observed: int
    # Per criterion: its title and how many participants reached each level, lowest first.
    criteria: list[tuple[str, list[tuple[str, int]]]]


def cohort_challenge_summary(cohort: Cohort, *, now: datetime.datetime) -> list[ChallengeSummary]:
    """For the progress report: each challenge set by ``now`` with how many participants
    were observed by then and how many reached each level of each criterion. Two queries."""
    challenges = list(LeadershipChallenge.objects.filter(cohort=cohort, created_at__lte=now))
    by_challenge: dict[int, list[list[int]]] = defaultdict(list)
    for challenge_id, levels in ChallengeOutcome.objects.filter(
        challenge__cohort=cohort, recorded_at__lte=now
    ).values_list("challenge_id", "levels"):
        by_challenge[challenge_id].append(levels)
    summaries = []
    for challenge in challenges:
        criteria = []
        for index, criterion in enumerate(challenge.rubric):
            counts = [0] * len(criterion["levels"])
            for levels in by_challenge[challenge.pk]:
                if index < len(levels) and 1 <= levels[index] <= len(counts):
                    counts[levels[index] - 1] += 1
            criteria.append(
                (criterion["title"], list(zip(criterion["levels"], counts, strict=True)))
            )
        summaries.append(ChallengeSummary(challenge, len(by_challenge[challenge.pk]), criteria))
    return summaries


# Coaching ---------------------------------------------------------------------------------------


def has_signed_current_code(user) -> bool:
    """Whether ``user`` has signed the current code of ethics. One query."""
    return EthicsAgreement.objects.filter(coach=user, version=CODE_OF_ETHICS_VERSION).exists()


def get_assignment_for_coach(user, assignment_id) -> CoachAssignment:
    """A coaching relationship whose coach is ``user``: 404 outside the cohort,
    ``PermissionDenied`` for anyone else in it (the coachee and the office included: they do
    not log sessions). Two queries."""
    assignment = (
        CoachAssignment.objects.select_related("cohort__programme", "coachee")
        .filter(pk=_pk(assignment_id))
        .first()
    )
    if assignment is None or not user.is_authenticated:
        raise Http404("No such coaching.")
    if assignment.coach_id != user.pk:
        cohort_access(user, assignment.cohort).require()
        raise PermissionDenied("Only the coach logs their sessions.")
    return assignment


def _with_sessions(assignments: QuerySet[CoachAssignment]) -> list[CoachAssignment]:
    return list(
        assignments.select_related("cohort", "coach", "coachee").prefetch_related(
            Prefetch("sessions", CoachingSession.objects.order_by("-held_on", "-pk"))
        )
    )


@dataclass
class MyLearning:
    sets: list[ActionLearningSet]
    challenges: Sequence[LeadershipChallenge]
    coaching: list[CoachAssignment]
    coached_by: list[CoachAssignment]
    is_coach: bool
    has_signed: bool
    open_actions: list[LearningSetAction]


def my_learning(user: User) -> MyLearning:
    """What one person has here, across their cohorts: the sets they belong to or
    facilitate, the challenges of cohorts where they take part or observe (their own
    outcome as ``my_outcome`` for participants), the people they coach and who coaches them
    (sessions with notes: only the two of them read this page's notes), whether they coach
    and have signed the code, and their open actions. Ten queries."""
    active = Enrolment.objects.filter(person=user, status__in=Enrolment.ACTIVE_STATUSES)
    sets = list(
        ActionLearningSet.objects.filter(
            Q(memberships__person=user) | Q(facilitator=user),
            cohort__in=active.values("cohort"),
        )
        .distinct()
        .select_related("cohort", "facilitator")
        .order_by("-cohort__starts_on", "name")
    )
    challenges = list(
        LeadershipChallenge.objects.filter(
            cohort__in=active.filter(
                role__in=[Enrolment.Role.PARTICIPANT, *FACILITATOR_ROLES]
            ).values("cohort")
        )
        .select_related("cohort")
        .annotate(outcome_count=Count("outcomes"))
        .order_by("-cohort__starts_on", "trimester")
    )
    mine = {
        o.challenge_id: o
        for o in ChallengeOutcome.objects.filter(
            participant=user, challenge__in=[c.pk for c in challenges]
        )
    }
    observes = set(active.filter(role__in=FACILITATOR_ROLES).values_list("cohort_id", flat=True))
    for challenge in challenges:
        outcome = mine.get(challenge.pk)
        challenge.my_outcome = outcome
        challenge.my_scores = scores(challenge, outcome) if outcome else []
        challenge.observer = challenge.cohort_id in observes
    is_coach = active.filter(role=Enrolment.Role.COACH).exists()
    return MyLearning(
        sets=sets,
        challenges=challenges,
        coaching=_with_sessions(CoachAssignment.objects.filter(coach=user)),
        coached_by=_with_sessions(CoachAssignment.objects.filter(coachee=user)),
        is_coach=is_coach,
        has_signed=has_signed_current_code(user) if is_coach else False,
        open_actions=list(
            LearningSetAction.objects.filter(owner=user, done_on=None).select_related(
                "learning_set"
            )
        ),
    )


@dataclass(frozen=True)
class CoachRow:
    coach: User
    signed_at: object
    coachees: Sequence[CoachAssignment]


def coaching_overview(cohort: Cohort) -> list[CoachRow]:
    """The cohort's coaches, each with when they signed the current code of ethics and their
    coachees with how many sessions and minutes were logged: counts only, never notes. Three
    queries."""
    coaches = list(people_in_role(cohort, Enrolment.Role.COACH))
    signed = dict(
        EthicsAgreement.objects.filter(
            coach__in=[c.pk for c in coaches], version=CODE_OF_ETHICS_VERSION
        ).values_list("coach_id", "agreed_at")
    )
    assignments = defaultdict(list)
    for assignment in (
        CoachAssignment.objects.filter(cohort=cohort)
        .select_related("coachee")
        .annotate(session_count=Count("sessions"), minutes=Sum("sessions__duration_minutes"))
    ):
        assignment.hours = round((assignment.minutes or 0) / 60, 1)
        assignments[assignment.coach_id].append(assignment)
    return [CoachRow(c, signed.get(c.pk), assignments[c.pk]) for c in coaches]


def cohorts_coached_by(user) -> list[int]:
    """The cohorts where ``user`` is actively enrolled as a coach. One query."""
    return list(
        Enrolment.objects.filter(
            person=user, role=Enrolment.Role.COACH, status__in=Enrolment.ACTIVE_STATUSES
        ).values_list("cohort_id", flat=True)
    )
