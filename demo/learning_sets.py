"""Demo data for the Tower Hamlets / Healthskills cohort ("2026 cohort" of the primary-care
network programme): three action learning sets with their meetings and actions, the first
trimester's leadership challenge (linked to the milestone that ends the trimester) with
outcomes and a debrief, and three coaches — the demo faculty login among them — with
coaching logs (one coach has not signed the code of ethics yet, so the office sees it). The
coaches log in with the demo password (judith.okoro@demo.example.org coaches and facilitates
a set).

Idempotent: nothing is made when the cohort already has a set. Without the cohort
(``demo.cohorts`` makes it) nothing is made."""

import datetime

from django.db import transaction

from cohorts.models import Cohort, Enrolment
from cohorts.services import enrolment_create, person_create
from demo.cohorts import DEMO_PASSWORD
from leadership.models import User
from learning_sets import selectors, services
from modules.models import MilestoneTemplate

PROGRAMME_SLUG = "primary-care-network-leadership"
ORGANISATION = "Healthskills"
COACHES = [
    # (e-mail local part, first, last, signs the code of ethics)
    ("judith.okoro", "Judith", "Okoro", True),
    ("martin.fell", "Martin", "Fell", False),
]
MEETING_NOTES = [
    "First meeting: agreed ground rules (confidentiality, one problem each, questions not "
    "advice). {first} brought the winter access pressure; the set asked about the data "
    "behind it.",
    "{first} tried the questions from last time with their practice team. Theme: holding "
    "a difficult conversation with a partner about rota fairness.",
    "Reviewed actions; two done, one carried over. Theme: influencing without authority "
    "across practices in the network.",
]
ACTIONS = [
    "Pull three months of same-day demand data before the next set",
    "Ask a practice partner for feedback on how the huddle went",
    "Map who decides on extended-hours rotas in the network",
    "Try one coaching question in a team meeting and note what happened",
]
CHALLENGE_BRIEF = (
    "In ten minutes, lead a huddle of colleagues you do not manage to agree one change "
    "to reduce avoidable COPD admissions this winter. An actor plays a sceptical practice "
    "partner; faculty and coaches observe against the rubric."
)
RUBRIC = [
    ("Sets direction", ["Not yet", "Developing", "Consistent"]),
    ("Uses data to persuade", ["Not yet", "Developing", "Consistent"]),
    ("Handles challenge", ["Not yet", "Developing", "Consistent"]),
]
OBSERVATIONS = [
    "Opened with the admissions chart and a clear ask; stayed calm when challenged.",
    "Good rapport; the ask came late and the data stayed on the slide.",
    "Named the disagreement and moved the group to a small test of change.",
    "Listened well; could state the change in one sentence earlier.",
]
COACHING_NOTES = [
    "Contracting: goals for the year — confidence leading partners' meetings.",
    "Explored a conflict with a practice partner; options and a first step.",
    "Reviewed the first step; energy and boundaries as a new GP partner.",
    "Preparing for the leadership challenge; what 'good enough' looks like.",
]


def _coach(local: str, first: str, last: str) -> User:
    email = f"{local}@demo.example.org"
    return User.objects.filter(email=email).first() or person_create(
        email=email,
        first_name=first,
        last_name=last,
        profession="other",
        job_title="Executive Coach",
        department="",
        organisation=ORGANISATION,
        acting_user=None,
        password=DEMO_PASSWORD,
    )


def _enrol(cohort: Cohort, person: User, role: str) -> None:
    if not Enrolment.objects.filter(cohort=cohort, person=person, role=role).exists():
        enrolment_create(cohort=cohort, person=person, role=role, acting_user=None)


@transaction.atomic
def load(today: datetime.date) -> None:
    cohort = (
        Cohort.objects.filter(programme__slug=PROGRAMME_SLUG, status=Cohort.Status.RUNNING)
        .order_by("starts_on")
        .first()
    )
    if cohort is None or cohort.learning_sets.exists():
        return
    faculty = selectors.people_in_role(cohort, Enrolment.Role.FACULTY).first()
    demo_faculty = User.objects.filter(email="faculty@demo.example.org").first()
    participants = list(selectors.people_in_role(cohort, Enrolment.Role.PARTICIPANT))
    if faculty is None or len(participants) < 12:
        return
    coaches = []
    for local, first, last, signs in COACHES:
        coach = _coach(local, first, last)
        _enrol(cohort, coach, Enrolment.Role.COACH)
        coaches.append((coach, signs))
    if demo_faculty is not None:
        _enrol(cohort, demo_faculty, Enrolment.Role.COACH)
        coaches.insert(0, (demo_faculty, True))
    for coach, signs in coaches:
        if signs:
            services.ethics_agree(coach=coach, signed_name=str(coach), acting_user=coach)

    # Three sets, each redesign team's members spread across them.
    facilitators = [faculty, coaches[1][0], coaches[0][0]]
    groups = selectors.suggest_groups(cohort, participants, 6)
    for number, (group, facilitator) in enumerate(zip(groups, facilitators, strict=False)):
        learning_set = services.learning_set_create(
            cohort=cohort,
            name=f"Set {'ABC'[number]}",
            facilitator=facilitator,
            members=group,
            acting_user=None,
        )
        for meeting_number, notes in enumerate(MEETING_NOTES):
            met_on = cohort.starts_on + datetime.timedelta(weeks=2 + 4 * meeting_number)
            if met_on > today:
                break
            absent = group[(meeting_number + number) % len(group)] if meeting_number else None
            services.learning_set_meeting_record(
                learning_set=learning_set,
                met_on=met_on,
                attendees=[p for p in group if p != absent],
                notes=notes.format(first=group[meeting_number].first_name),
                acting_user=facilitator,
            )
            for offset in range(2):
                owner = group[(meeting_number * 2 + offset) % len(group)]
                action = services.learning_set_action_create(
                    learning_set=learning_set,
                    owner=owner,
                    text=ACTIONS[(meeting_number + offset + number) % len(ACTIONS)],
                    due_on=met_on + datetime.timedelta(weeks=4),
                    acting_user=facilitator,
                )
                if meeting_number < len(MEETING_NOTES) - 1 and offset == 0:
                    services.learning_set_action_mark(
                        action=action, done=True, acting_user=facilitator
                    )

    # The first trimester's challenge, held a fortnight ago, with nearly everyone observed;
    # it ends trimester 1 (the cohort's first leadership-challenge milestone, when it has one).
    challenge = services.challenge_create(
        cohort=cohort,
        trimester=1,
        title="Leading a huddle you do not chair",
        held_on=today - datetime.timedelta(weeks=2),
        brief=CHALLENGE_BRIEF,
        rubric=RUBRIC,
        milestone=selectors.cohort_milestones(cohort)
        .filter(kind=MilestoneTemplate.Kind.LEADERSHIP_CHALLENGE)
        .first(),
        acting_user=None,
    )
    observers = [faculty, coaches[1][0]]
    for index, participant in enumerate(participants[:-2]):
        services.challenge_outcome_record(
            challenge=challenge,
            participant=participant,
            levels=[1 + (index + n) % 3 for n in range(len(RUBRIC))],
            observation=OBSERVATIONS[index % len(OBSERVATIONS)],
            acting_user=observers[index % len(observers)],
        )
    services.challenge_debrief_save(
        challenge=challenge,
        debrief="Most participants set direction well; using data to persuade was the "
        "weakest criterion, so Insight day 4 adds a session on presenting run charts.",
        acting_user=faculty,
    )

    # Coaching: each coach takes four participants; signed coaches log monthly sessions.
    for number, (coach, signs) in enumerate(coaches):
        for coachee in participants[number * 4 : number * 4 + 4]:
            assignment = services.coach_assign(
                cohort=cohort, coach=coach, coachee=coachee, acting_user=None
            )
            if not signs:
                continue
            for session_number, note in enumerate(COACHING_NOTES):
                held_on = cohort.starts_on + datetime.timedelta(weeks=1 + 4 * session_number)
                if held_on > today:
                    break
                services.coaching_session_log(
                    assignment=assignment,
                    held_on=held_on,
                    duration_minutes=60 if session_number else 90,
                    private_note=note,
                    acting_user=coach,
                )
