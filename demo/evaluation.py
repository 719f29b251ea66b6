"""Session evaluations for the demo: Enhanced Care Management's question bank and form, every
held session of the completed Cohort 2 evaluated (about three in four attendees answering, so
every result passes the threshold), two of its redesign teams with measures whose outcomes the
evaluation report counts, and in the running Cohort 3 the latest registered session's
evaluation still open — on the demo participant's start page, not yet answered by them."""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cohorts.models import Cohort, Enrolment, Programme
from evaluation import services
from evaluation.models import EvaluationForm, EvaluationQuestion, SessionEvaluation
from leadership.models import User
from measures import services as measure_services
from modules.models import Attendance, Session
from modules.selectors import ATTENDED
from redesign_projects import services as project_services
from redesign_projects.models import RedesignTeam

from .cohorts import demo_email

QUESTIONS = [
    ("The session was worth the time away from my service", "rating", [], True),
    ("I can use what I learned in my own work this month", "rating", [], True),
    ("The facilitation helped me take part", "rating", [], True),
    ("The pace was", "choice", ["Too slow", "About right", "Too fast"], True),
    ("What worked best for you?", "text", [], False),
    ("What one thing would you change?", "text", [], False),
]
COMMENTS = {
    "What worked best for you?": [
        "Working through our own ward's data with the other teams.",
        "The case study from the emergency department: close to home.",
        "Time with the executive sponsor to test our aim.",
        "The small-group work on the driver diagram.",
        "Hearing how another hospital ran its PDSA cycles.",
    ],
    "What one thing would you change?": [
        "Send the pre-reading a week earlier.",
        "Less time on slides after lunch.",
        "More time for the action learning sets.",
        "A shorter first session; the second day was better paced.",
    ],
}
# Each module's mean leaning (1–5): later modules land better, as the cohort settles in.
LEAN = [3.6, 3.9, 4.1, 4.3, 4.4]
TEAMS: list[tuple[str, str, str, str, list[float]]] = [
    (
        "Discharge before noon", "Discharges before noon", "%", "up",
        [18, 21, 19, 22, 20, 19, 31, 34, 33, 36, 35, 37, 38, 36],
    ),
    (
        "Falls on the ward", "Falls per 1,000 bed days", "falls", "down",
        [7.1, 6.4, 7.8, 6.9, 7.3, 6.6, 7.0, 7.5, 6.8, 7.2, 6.9, 7.1],
    ),
]  # fmt: skip


def _admin() -> User | None:
    return User.objects.filter(email=demo_email("admin")).first()


def _form(programme: Programme, admin: User) -> EvaluationForm:
    form = EvaluationForm.objects.filter(programme=programme, is_active=True).first()
    if form is not None:
        return form
    questions = [
        services.evaluation_question_create(
            programme=programme, text=text, kind=kind, choices=choices, required=required,
            acting_user=admin,
        )
        for text, kind, choices, required in QUESTIONS
    ]  # fmt: skip
    return services.evaluation_form_save(
        programme=programme,
        name="After each module day",
        module_kind="module",
        questions=questions,
        acting_user=admin,
    )


def _values(questions, rng: random.Random, lean: float) -> dict[int, str]:
    values = {}
    for question in questions:
        if question.kind == EvaluationQuestion.Kind.RATING:
            values[question.pk] = str(min(5, max(1, round(rng.gauss(lean, 0.8)))))
        elif question.kind == EvaluationQuestion.Kind.CHOICE:
            values[question.pk] = rng.choices(question.choices, weights=[1, 6, 2])[0]
        elif rng.random() < 0.45:
            values[question.pk] = rng.choice(COMMENTS.get(question.text, ["Thank you."]))
    return values


def _evaluate(session: Session, form: EvaluationForm, *, share: float, skip=(), closes_at=None):
    """Open ``session``'s evaluation, ask its attendees, and have about ``share`` of them (never
    anyone in ``skip``) answer a day after it."""
    attendees = [
        a.person
        for a in Attendance.objects.filter(session=session, status__in=ATTENDED)
        .select_related("person")
        .order_by("person_id")
    ]
    evaluation, created = services.session_evaluation_open(
        session=session,
        form=form,
        question_ids=[item.question_id for item in form.items.all()],
        closes_at=closes_at,
    )
    if not created:
        return
    services.evaluation_invite(evaluation=evaluation, people=attendees)
    questions = [item.question for item in form.items.select_related("question")]
    rng = random.Random(session.pk)
    lean = LEAN[min(session.module.position, len(LEAN)) - 1]
    for person in attendees:
        if person in skip or rng.random() > share:
            continue
        services.evaluation_respond(
            evaluation=evaluation,
            questions=questions,
            values=_values(questions, rng, lean),
            person=person,
            now=min(session.ends_at + datetime.timedelta(days=1), timezone.now()),
        )


def _teams_with_measures(cohort: Cohort, admin: User, today: datetime.date) -> None:
    if RedesignTeam.objects.filter(cohort=cohort).exists():
        return
    people = list(
        User.objects.filter(
            enrolments__cohort=cohort, enrolments__role=Enrolment.Role.PARTICIPANT
        ).order_by("pk")
    )
    for index, (team_name, name, unit, better, values) in enumerate(TEAMS):
        members = people[index * 4 : index * 4 + 4]
        if not members:
            return
        team = project_services.team_create(
            cohort=cohort, name=team_name, clinical_lead=members[0], members=members,
            aim=f"{name}: better by the end of the programme.", acting_user=admin,
        )  # fmt: skip
        measure = measure_services.measure_create(
            team=team, name=name, unit=unit, better=better, acting_user=admin
        )
        first = (cohort.starts_on.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        periods = []
        month = first
        for _value in values:
            periods.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        text = "\n".join(
            f"{p.isoformat()},{Decimal(str(v))}" for p, v in zip(periods, values, strict=True)
        )
        measure_services.datapoints_import(measure=measure, text=text, acting_user=admin)


@transaction.atomic
def load(today: datetime.date) -> None:
    programme = Programme.objects.filter(slug="enhanced-care-management").first()
    admin = _admin()
    if programme is None or admin is None:
        return
    form = _form(programme, admin)
    now = timezone.now()
    completed = Cohort.objects.filter(programme=programme, name="Cohort 2").first()
    if completed is not None:
        _teams_with_measures(completed, admin, today)
        for session in Session.objects.filter(
            module__cohort=completed, module__kind="module", register_taken_at__isnull=False
        ).select_related("module__cohort"):
            _evaluate(session, form, share=0.75)
    running = Cohort.objects.filter(programme=programme, name="Cohort 3").first()
    participant = User.objects.filter(email=demo_email("participant")).first()
    if running is None:
        return
    latest = (
        Session.objects.filter(
            module__cohort=running, module__kind="module", register_taken_at__isnull=False,
            ends_at__lte=now,
        )
        .select_related("module__cohort")
        .order_by("-ends_at")
        .first()
    )  # fmt: skip
    if latest is not None and not SessionEvaluation.objects.filter(session=latest).exists():
        if participant is not None:
            Attendance.objects.filter(session=latest, person=participant).update(status="present")
        _evaluate(
            latest, form, share=0.6, skip=[participant],
            closes_at=max(latest.ends_at + services.OPEN_FOR, now + datetime.timedelta(days=10)),
        )  # fmt: skip
