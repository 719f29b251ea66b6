"""Builders for evaluation tests: a programme's form, a held session with its register taken,
and its evaluation opened with people asked (and answering) through the services."""

import datetime

from django.utils import timezone

from cohorts.models import Enrolment
from evaluation import services
from evaluation.models import EvaluationQuestion, SessionEvaluation
from modules.models import Attendance
from tests.factories import EnrolmentFactory, UserFactory
from tests.modules.helpers import make_module, make_session


def make_form(programme, administrator, *, kind="module", name="After each module day"):
    """A rating, a single-choice and a free-text question in a form for ``kind``."""
    rating = services.evaluation_question_create(
        programme=programme,
        text=f"The session was worth my time ({name})",
        kind=EvaluationQuestion.Kind.RATING,
        acting_user=administrator,
    )
    choice = services.evaluation_question_create(
        programme=programme,
        text=f"The pace was ({name})",
        kind=EvaluationQuestion.Kind.CHOICE,
        choices=["Too slow", "About right", "Too fast"],
        acting_user=administrator,
    )
    text = services.evaluation_question_create(
        programme=programme,
        text=f"What would you change? ({name})",
        kind=EvaluationQuestion.Kind.TEXT,
        required=False,
        acting_user=administrator,
    )
    return services.evaluation_form_save(
        programme=programme,
        name=name,
        module_kind=kind,
        questions=[rating, choice, text],
        acting_user=administrator,
    )


def held_session(cohort, *, days_ago=1, position=9, title="Culture and change", module=None):
    """A session that ended ``days_ago`` days ago with its register taken."""
    module = module or make_module(cohort, position=position, title=title)
    session = make_session(module, timezone.localdate() - datetime.timedelta(days=days_ago))
    session.register_taken_at = session.ends_at
    session.save(update_fields=["register_taken_at"])
    return session


def attendees(cohort, session, count: int, *, prefix="attendee", status="present"):
    people = []
    for n in range(count):
        person = UserFactory(email=f"{prefix}{n}@example.org")
        EnrolmentFactory(cohort=cohort, person=person, role=Enrolment.Role.PARTICIPANT)
        Attendance.objects.create(session=session, person=person, status=status)
        people.append(person)
    return people


def open_evaluation(session, form, people) -> SessionEvaluation:
    evaluation, _ = services.session_evaluation_open(
        session=session, form=form, question_ids=[i.question_id for i in form.items.all()]
    )
    services.evaluation_invite(evaluation=evaluation, people=people)
    return evaluation


def answer(evaluation, person, *, rating="4", choice="About right", text=""):
    questions = list(EvaluationQuestion.objects.in_bulk(evaluation.questions).values())
    values = {}
    for question in questions:
        values[question.pk] = {"rating": rating, "choice": choice, "text": text}[question.kind]
    return services.evaluation_respond(
        evaluation=evaluation, questions=questions, values=values, person=person
    )
