"""Writes for session evaluations: a programme's settings, question bank and forms (audited,
naming the administrator), opening a held session's evaluation and asking its attendees
(``reminders``), and recording one person's answers.

Answering is deliberately *not* audited: an audit event naming the person next to the time
their answers were stored would undo the anonymity the answers are kept with (see
``models``). What is recorded about them is only the "has responded" day on their invitation.
"""

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cohorts.models import Programme
from leadership.models import User
from leadership.services import audit_record
from modules.models import ModuleTemplate, Session

from .models import (
    RATING_SCALE,
    EvaluationAnswer,
    EvaluationForm,
    EvaluationFormQuestion,
    EvaluationInvitation,
    EvaluationQuestion,
    EvaluationResponse,
    EvaluationSettings,
    SessionEvaluation,
)

# Answers are taken for this long after a session ends.
OPEN_FOR = datetime.timedelta(days=14)
MAX_QUESTIONS = 12


@transaction.atomic
def evaluation_settings_save(
    *, programme: Programme, min_responses: int, acting_user: User
) -> EvaluationSettings:
    """Set how many answers a session or module needs before its results show."""
    row, _created = EvaluationSettings.objects.get_or_create(programme=programme)
    before = row.min_responses
    row.min_responses = min_responses
    row.full_clean()
    row.save()
    audit_record(
        actor=acting_user,
        action="evaluation_settings.save",
        target=programme,
        changes={"min_responses": [before, min_responses]},
    )
    return row


@transaction.atomic
def evaluation_question_create(
    *,
    programme: Programme,
    text: str,
    kind: str,
    choices: Sequence[str] = (),
    scale_labels: Sequence[str] | None = None,
    required: bool = True,
    acting_user: User,
) -> EvaluationQuestion:
    """Add a question to the programme's bank. Questions are never edited once made (answers
    refer to them); a changed question is a new one."""
    question = EvaluationQuestion(
        programme=programme,
        text=text.strip(),
        kind=kind,
        choices=[c.strip() for c in choices if c.strip()] if kind == "choice" else [],
        required=required,
    )
    if kind == EvaluationQuestion.Kind.RATING and scale_labels:
        question.scale_labels = [label.strip() for label in scale_labels]
    question.full_clean()
    question.save()
    audit_record(
        actor=acting_user,
        action="evaluation_question.create",
        target=programme,
        changes={"question": question.text, "kind": kind},
    )
    return question


@transaction.atomic
def evaluation_form_save(
    *,
    programme: Programme,
    name: str,
    module_kind: str,
    questions: Sequence[EvaluationQuestion],
    is_active: bool = True,
    form: EvaluationForm | None = None,
    acting_user: User,
) -> EvaluationForm:
    """Create (``form`` None) or change a form: its name, the kind of module whose sessions it
    follows, and its questions in order (from the programme's bank). Evaluations already
    opened keep the questions they were opened with."""
    if module_kind not in ModuleTemplate.Kind.values:
        raise ValidationError({"module_kind": "Choose a kind of module."})
    if not questions:
        raise ValidationError({"questions": "Choose at least one question."})
    if len(questions) > MAX_QUESTIONS:
        raise ValidationError({"questions": f"Keep it short: at most {MAX_QUESTIONS} questions."})
    if any(q.programme_id != programme.pk for q in questions):
        raise ValidationError({"questions": "Choose questions from this programme's bank."})
    clash = EvaluationForm.objects.filter(
        programme=programme, module_kind=module_kind, is_active=True
    )
    if form is not None:
        clash = clash.exclude(pk=form.pk)
    if is_active and clash.exists():
        raise ValidationError(
            {"module_kind": "Another form in use already follows this kind of module."}
        )
    form = form or EvaluationForm(programme=programme)
    form.name, form.module_kind, form.is_active = name.strip(), module_kind, is_active
    form.full_clean()
    form.save()
    form.items.all().delete()
    EvaluationFormQuestion.objects.bulk_create(
        EvaluationFormQuestion(form=form, question=q, position=n)
        for n, q in enumerate(questions, start=1)
    )
    audit_record(
        actor=acting_user,
        action="evaluation_form.save",
        target=programme,
        changes={
            "form": form.name,
            "module_kind": module_kind,
            "in_use": is_active,
            "questions": [q.text for q in questions],
        },
    )
    return form


def session_evaluation_open(
    *,
    session: Session,
    form: EvaluationForm,
    question_ids: list[int],
    closes_at: datetime.datetime | None = None,
) -> tuple[SessionEvaluation, bool]:
    """The session's evaluation, opened now with ``form``'s questions if it has none. Call it
    inside a transaction (the planner's). Open until ``closes_at``: by default ``OPEN_FOR``
    after the session ends."""
    return SessionEvaluation.objects.get_or_create(
        session=session,
        defaults={
            "form": form,
            "questions": question_ids,
            "closes_at": closes_at or session.ends_at + OPEN_FOR,
        },
    )


def evaluation_invite(*, evaluation: SessionEvaluation, people: Iterable[User]) -> None:
    """Record that ``people`` are asked (once each, whatever runs twice)."""
    EvaluationInvitation.objects.bulk_create(
        [EvaluationInvitation(evaluation=evaluation, person=person) for person in people],
        ignore_conflicts=True,
    )


def _answer(question: EvaluationQuestion, value: str) -> EvaluationAnswer | None:
    """The answer row for ``value`` (None when an optional question is left empty); raises
    ``ValidationError`` naming the question for anything it does not accept."""
    value = (value or "").strip()
    if not value:
        if question.required:
            raise ValidationError({f"q{question.pk}": "Answer this question."})
        return None
    answer = EvaluationAnswer(question=question)
    if question.kind == EvaluationQuestion.Kind.RATING:
        if value not in {str(n) for n in RATING_SCALE}:
            raise ValidationError({f"q{question.pk}": "Choose a point on the scale."})
        answer.rating = int(value)
    elif question.kind == EvaluationQuestion.Kind.CHOICE:
        if value not in question.choices:
            raise ValidationError({f"q{question.pk}": "Choose one of the options."})
        answer.choice = value
    else:
        if len(value) > 2000:
            raise ValidationError({f"q{question.pk}": "Keep it under 2,000 characters."})
        answer.text = value
    return answer


@transaction.atomic
def evaluation_respond(
    *,
    evaluation: SessionEvaluation,
    questions: Sequence[EvaluationQuestion],
    values: dict[int, str],
    person: User,
    now: datetime.datetime | None = None,
) -> EvaluationResponse:
    """Store ``person``'s answers (question id → value) anonymously and mark them as having
    responded, once: a second answer, an answer after the evaluation closes or from someone
    not asked is refused (``ValidationError``), leaving nothing stored. Not audited and
    nothing e-mailed (see the module docstring). ``now`` is when they answer (demo data
    answers in the past)."""
    now = now or timezone.now()
    invitation = (
        EvaluationInvitation.objects.select_for_update()
        .filter(evaluation=evaluation, person=person)
        .first()
    )
    if invitation is None:
        raise ValidationError("You were not asked to evaluate this session.")
    if invitation.responded_on is not None:
        raise ValidationError("You have already answered this evaluation. Thank you.")
    if now >= evaluation.closes_at:
        raise ValidationError("This evaluation has closed.")
    answers = [a for q in questions if (a := _answer(q, values.get(q.pk, ""))) is not None]
    if not answers:
        raise ValidationError("Answer at least one question.")
    response = EvaluationResponse.objects.create(evaluation=evaluation)
    for answer in answers:
        answer.response = response
        answer.full_clean()
    EvaluationAnswer.objects.bulk_create(answers)
    tz = evaluation.session.module.cohort.tzinfo
    invitation.responded_on = now.astimezone(tz).date()
    invitation.save(update_fields=["responded_on"])
    return response
