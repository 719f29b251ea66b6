"""The learning sets' part of subject access and erasure (``governance/privacy.py`` runs
both): a person's places in action learning sets, the meetings they came to, their actions,
their leadership challenge outcomes, their coaching (as coach or coachee, notes included: the
note is theirs to read on the page too) and their signatures on the coaching code of ethics.

Meeting notes are the set's record, like a team's text: a member's export lists the meetings
(date, whether they came) without them; the facilitator's export holds the notes they wrote."""

from django.db.models import Q

from leadership.models import User
from leadership.privacy import ERASED_TEXT, SubjectAccessData, in_scope, reference, when

from . import selectors
from .models import (
    ChallengeOutcome,
    CoachingSession,
    EthicsAgreement,
    LearningSetAction,
    LearningSetMeeting,
    LearningSetMember,
)


def export_learning(person: User, cohort_ids: set[int] | None) -> SubjectAccessData:
    """Their sets and meetings, actions, challenge outcomes (the observer as a role),
    coaching sessions (the other person as a ``reference``) and ethics signatures, in
    ``cohort_ids`` (None: every cohort). Read-only, eight queries."""
    data = SubjectAccessData()
    places = in_scope(
        LearningSetMember.objects.filter(person=person).select_related("learning_set__cohort"),
        "cohort",
        cohort_ids,
    )
    data.sections["action_learning_sets"] = [
        {
            "cohort": p.learning_set.cohort.name,
            "set": p.learning_set.name,
            "facilitator": reference(p.learning_set.facilitator_id),
        }
        for p in places
    ]
    meetings = in_scope(
        LearningSetMeeting.objects.filter(
            Q(learning_set__memberships__person=person) | Q(recorded_by=person)
        )
        .distinct()
        .select_related("learning_set"),
        "learning_set__cohort",
        cohort_ids,
    )
    attended = set(person.learning_set_meetings_attended.values_list("pk", flat=True))
    data.sections["learning_set_meetings"] = [
        {
            "set": m.learning_set.name,
            "date": when(m.met_on),
            "you_came": m.pk in attended,
            "notes_you_recorded": m.notes if m.recorded_by_id == person.pk else "",
        }
        for m in meetings
    ]
    actions = in_scope(
        LearningSetAction.objects.filter(owner=person).select_related("learning_set"),
        "learning_set__cohort",
        cohort_ids,
    )
    data.sections["learning_set_actions"] = [
        {
            "set": a.learning_set.name,
            "action": a.text,
            "due": when(a.due_on),
            "done_on": when(a.done_on),
        }
        for a in actions
    ]
    outcomes = in_scope(
        ChallengeOutcome.objects.filter(participant=person).select_related("challenge__cohort"),
        "challenge__cohort",
        cohort_ids,
    )
    data.sections["leadership_challenge_outcomes"] = [
        {
            "cohort": o.challenge.cohort.name,
            "challenge": str(o.challenge),
            "date": when(o.challenge.held_on),
            "levels": {s.criterion: s.level for s in selectors.scores(o.challenge, o)},
            "observation": o.observation,
            "observed_by": "programme staff",
            "recorded_at": when(o.recorded_at),
        }
        for o in outcomes
    ]
    sessions = in_scope(
        CoachingSession.objects.filter(
            Q(assignment__coach=person) | Q(assignment__coachee=person)
        ).select_related("assignment"),
        "assignment__cohort",
        cohort_ids,
    )
    data.sections["coaching_sessions"] = [
        {
            "your_role": "coach" if s.assignment.coach_id == person.pk else "coachee",
            "with": reference(
                s.assignment.coachee_id
                if s.assignment.coach_id == person.pk
                else s.assignment.coach_id
            ),
            "date": when(s.held_on),
            "minutes": s.duration_minutes,
            "note": s.private_note,
        }
        for s in sessions
    ]
    data.sections["coaching_code_of_ethics_signed"] = [
        {"version": a.version, "signed_name": a.signed_name, "signed_at": when(a.agreed_at)}
        for a in EthicsAgreement.objects.filter(coach=person)
    ]
    return data


def erase_person(*, person: User) -> None:
    """Replace with ``ERASED_TEXT`` the text about them or written by them here: their
    actions, the observations of their challenge outcomes, the notes of their coaching
    sessions (as coach or coachee), the meeting notes they recorded and the name they typed
    to sign the code of ethics. Rows, levels, dates and minutes stay, so the cohort's figures
    do not move."""
    LearningSetAction.objects.filter(owner=person).update(text=ERASED_TEXT)
    ChallengeOutcome.objects.filter(participant=person).exclude(observation="").update(
        observation=ERASED_TEXT
    )
    CoachingSession.objects.filter(
        Q(assignment__coach=person) | Q(assignment__coachee=person)
    ).exclude(private_note="").update(private_note=ERASED_TEXT)
    LearningSetMeeting.objects.filter(recorded_by=person).exclude(notes="").update(
        notes=ERASED_TEXT
    )
    EthicsAgreement.objects.filter(coach=person).update(signed_name=ERASED_TEXT)
