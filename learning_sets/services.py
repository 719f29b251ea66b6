"""Writes for action learning sets, leadership challenges and coaching. Each runs in one
transaction, validates with ``full_clean()`` and records an audit event naming the acting
user (never the text of a coaching note)."""

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cohorts.models import Cohort, Enrolment
from leadership.models import User
from leadership.services import audit_record
from modules.models import Milestone

from . import selectors
from .models import (
    CODE_OF_ETHICS_VERSION,
    SET_MAX_MEMBERS,
    SET_MIN_MEMBERS,
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


def _enrolled(cohort: Cohort, person: User, *roles: str) -> bool:
    return Enrolment.objects.filter(
        cohort=cohort, person=person, role__in=roles, status__in=Enrolment.ACTIVE_STATUSES
    ).exists()


# Action learning sets ---------------------------------------------------------------------------


@transaction.atomic
def learning_set_create(
    *,
    cohort: Cohort,
    name: str,
    facilitator: User,
    members: Sequence[User],
    acting_user: User | None,
) -> ActionLearningSet:
    """A new set of ``SET_MIN_MEMBERS``–``SET_MAX_MEMBERS`` of the cohort's participants, none
    already in a set of the cohort, facilitated by the cohort's faculty or a coach. The
    cohort row is locked so two administrators cannot place one person twice. Audited as
    ``learning_set.create``. Raises ``ValidationError`` naming the field at fault."""
    Cohort.objects.select_for_update().get(pk=cohort.pk)
    if not _enrolled(cohort, facilitator, *selectors.FACILITATOR_ROLES):
        raise ValidationError({"facilitator": "Choose faculty or a coach of this cohort."})
    people = {person.pk: person for person in members}
    if not SET_MIN_MEMBERS <= len(people) <= SET_MAX_MEMBERS:
        raise ValidationError(
            {"members": f"A set has {SET_MIN_MEMBERS} to {SET_MAX_MEMBERS} members."}
        )
    free = {p.pk for p in selectors.participants_without_a_set(cohort)}
    for person in people.values():
        if person.pk not in free:
            raise ValidationError(
                {"members": f"{person} is not a participant of this cohort without a set."}
            )
    learning_set = ActionLearningSet(cohort=cohort, name=name.strip(), facilitator=facilitator)
    learning_set.full_clean()
    learning_set.save()
    LearningSetMember.objects.bulk_create(
        LearningSetMember(learning_set=learning_set, cohort=cohort, person=person)
        for person in people.values()
    )
    audit_record(
        actor=acting_user,
        action="learning_set.create",
        target=learning_set,
        cohort_id=cohort.pk,
        changes={"facilitator": facilitator.pk, "members": sorted(people)},
    )
    return learning_set


@transaction.atomic
def learning_set_meeting_record(
    *,
    learning_set: ActionLearningSet,
    met_on: datetime.date,
    attendees: Sequence[User],
    notes: str,
    acting_user: User,
) -> LearningSetMeeting:
    """Record a meeting: the day, which members came (anyone else is refused) and short
    notes. Audited as ``learning_set.meeting_record``."""
    members = set(learning_set.memberships.values_list("person_id", flat=True))
    outsiders = [person for person in attendees if person.pk not in members]
    if outsiders:
        raise ValidationError({"attendees": f"{outsiders[0]} is not a member of this set."})
    if met_on > timezone.localdate() + datetime.timedelta(days=1):
        raise ValidationError({"met_on": "Record a meeting once it has happened."})
    meeting = LearningSetMeeting(
        learning_set=learning_set, met_on=met_on, notes=notes.strip(), recorded_by=acting_user
    )
    meeting.full_clean()
    meeting.save()
    meeting.attendees.set(attendees)
    audit_record(
        actor=acting_user,
        action="learning_set.meeting_record",
        target=meeting,
        cohort_id=learning_set.cohort_id,
        changes={"met_on": met_on.isoformat(), "present": sorted(p.pk for p in attendees)},
    )
    return meeting


@transaction.atomic
def learning_set_action_create(
    *,
    learning_set: ActionLearningSet,
    owner: User,
    text: str,
    due_on: datetime.date | None,
    acting_user: User,
) -> LearningSetAction:
    """An action for one member of the set. Audited as ``learning_set.action_create``."""
    if not learning_set.memberships.filter(person=owner).exists():
        raise ValidationError({"owner": "Choose a member of this set."})
    action = LearningSetAction(
        learning_set=learning_set,
        owner=owner,
        text=text.strip(),
        due_on=due_on,
        created_by=acting_user,
    )
    action.full_clean()
    action.save()
    audit_record(
        actor=acting_user,
        action="learning_set.action_create",
        target=action,
        cohort_id=learning_set.cohort_id,
        person_id=owner.pk,
        changes={"due_on": due_on.isoformat() if due_on else None},
    )
    return action


@transaction.atomic
def learning_set_action_mark(
    *, action: LearningSetAction, done: bool, acting_user: User
) -> LearningSetAction:
    """Mark an action done today, or open again. Marking it as it already is changes
    nothing (a double click). Audited as ``learning_set.action_done`` or ``_reopen``."""
    action = LearningSetAction.objects.select_for_update().get(pk=action.pk)
    if action.done == done:
        return action
    action.done_on = timezone.localdate() if done else None
    action.full_clean()
    action.save(update_fields=["done_on"])
    audit_record(
        actor=acting_user,
        action="learning_set.action_done" if done else "learning_set.action_reopen",
        target=action,
        cohort_id=action.learning_set.cohort_id,
        person_id=action.owner_id,
    )
    return action


# Leadership challenges --------------------------------------------------------------------------


@transaction.atomic
def challenge_create(
    *,
    cohort: Cohort,
    trimester: int,
    title: str,
    held_on: datetime.date,
    brief: str,
    rubric: Sequence[tuple[str, Sequence[str]]],
    acting_user: User | None,
    milestone: Milestone | None = None,
) -> LeadershipChallenge:
    """A trimester's challenge with its rubric (criteria with levels, lowest first; at least
    one) and, optionally, the cohort's milestone that ends the trimester (one of this
    cohort's). Audited as ``challenge.create``."""
    if not rubric:
        raise ValidationError({"rubric": "Give at least one criterion with its levels."})
    challenge = LeadershipChallenge(
        cohort=cohort,
        trimester=trimester,
        title=title.strip(),
        held_on=held_on,
        brief=brief.strip(),
        rubric=[{"title": title_, "levels": list(levels)} for title_, levels in rubric],
        milestone=milestone,
    )
    challenge.full_clean()
    challenge.save()
    audit_record(
        actor=acting_user,
        action="challenge.create",
        target=challenge,
        cohort_id=cohort.pk,
        changes={
            "trimester": trimester,
            "held_on": held_on.isoformat(),
            "milestone": str(milestone) if milestone else None,
        },
    )
    return challenge


@transaction.atomic
def challenge_debrief_save(
    *, challenge: LeadershipChallenge, debrief: str, acting_user: User
) -> LeadershipChallenge:
    """Write (or rewrite) the debrief. Audited as ``challenge.debrief``."""
    challenge = LeadershipChallenge.objects.select_for_update().get(pk=challenge.pk)
    challenge.debrief = debrief.strip()
    challenge.full_clean()
    challenge.save(update_fields=["debrief"])
    audit_record(
        actor=acting_user,
        action="challenge.debrief",
        target=challenge,
        cohort_id=challenge.cohort_id,
    )
    return challenge


@transaction.atomic
def challenge_outcome_record(
    *,
    challenge: LeadershipChallenge,
    participant: User,
    levels: Sequence[int],
    observation: str,
    acting_user: User,
) -> ChallengeOutcome:
    """Record (or correct) what was observed of one participant: one level position per
    rubric criterion. Audited as ``challenge.outcome_record`` with the levels."""
    if not _enrolled(challenge.cohort, participant, Enrolment.Role.PARTICIPANT):
        raise ValidationError("Choose a participant of this cohort.")
    if len(levels) != len(challenge.rubric) or any(
        not 1 <= level <= len(criterion["levels"])
        for level, criterion in zip(levels, challenge.rubric, strict=False)
    ):
        raise ValidationError("Choose a level for every criterion.")
    outcome = (
        ChallengeOutcome.objects.select_for_update()
        .filter(challenge=challenge, participant=participant)
        .first()
    ) or ChallengeOutcome(challenge=challenge, participant=participant)
    outcome.levels = list(levels)
    outcome.observation = observation.strip()
    outcome.observed_by = acting_user
    outcome.recorded_at = timezone.now()
    outcome.full_clean()
    outcome.save()
    audit_record(
        actor=acting_user,
        action="challenge.outcome_record",
        target=outcome,
        cohort_id=challenge.cohort_id,
        person_id=participant.pk,
        changes={"levels": list(levels)},
    )
    return outcome


# Coaching ---------------------------------------------------------------------------------------


@transaction.atomic
def ethics_agree(*, coach: User, signed_name: str, acting_user: User) -> EthicsAgreement:
    """The coach signs the current code of ethics (their typed name, the version, the time).
    Signing again changes nothing. Audited as ``coaching.ethics_agree``."""
    existing = EthicsAgreement.objects.filter(coach=coach, version=CODE_OF_ETHICS_VERSION).first()
    if existing is not None:
        return existing
    if not signed_name.strip():
        raise ValidationError({"signed_name": "Type your full name to sign."})
    agreement = EthicsAgreement(
        coach=coach, version=CODE_OF_ETHICS_VERSION, signed_name=signed_name.strip()
    )
    agreement.full_clean()
    agreement.save()
    audit_record(
        actor=acting_user,
        action="coaching.ethics_agree",
        target=agreement,
        person_id=coach.pk,
        changes={"version": CODE_OF_ETHICS_VERSION},
    )
    return agreement


@transaction.atomic
def coach_assign(
    *, cohort: Cohort, coach: User, coachee: User, acting_user: User | None
) -> CoachAssignment:
    """Give a participant a coach of the cohort. Audited as ``coaching.assign``."""
    if not _enrolled(cohort, coach, Enrolment.Role.COACH):
        raise ValidationError({"coach": "Choose a coach of this cohort."})
    if not _enrolled(cohort, coachee, Enrolment.Role.PARTICIPANT):
        raise ValidationError({"coachee": "Choose a participant of this cohort."})
    assignment = CoachAssignment(cohort=cohort, coach=coach, coachee=coachee)
    assignment.full_clean()
    assignment.save()
    audit_record(
        actor=acting_user,
        action="coaching.assign",
        target=assignment,
        cohort_id=cohort.pk,
        person_id=coachee.pk,
        changes={"coach": coach.pk},
    )
    return assignment


@transaction.atomic
def coaching_session_log(
    *,
    assignment: CoachAssignment,
    held_on: datetime.date,
    duration_minutes: int,
    private_note: str,
    acting_user: User,
) -> CoachingSession:
    """Log a session. Only the assignment's coach logs, and only once they have signed the
    current code of ethics. Audited as ``coaching.session_log`` with the date and length
    (never the note)."""
    if acting_user.pk != assignment.coach_id:
        raise ValidationError("Only the coach logs their sessions.")
    if not selectors.has_signed_current_code(acting_user):
        raise ValidationError("Sign the code of ethics before logging coaching sessions.")
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "Log a session once it has happened."})
    session = CoachingSession(
        assignment=assignment,
        held_on=held_on,
        duration_minutes=duration_minutes,
        private_note=private_note.strip(),
    )
    session.full_clean()
    session.save()
    audit_record(
        actor=acting_user,
        action="coaching.session_log",
        target=session,
        cohort_id=assignment.cohort_id,
        person_id=assignment.coachee_id,
        changes={"held_on": held_on.isoformat(), "minutes": duration_minutes},
    )
    return session
