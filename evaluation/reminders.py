"""The e-mails that ask attendees to evaluate a session: planned by beat's sweep
(``home/planners.py``), sent by the notification pipeline.

Who is asked: the session's participants whose attendance is *present* or *late* (not absent,
not apologies, not unrecorded), so only once its register is taken — within ``OPEN_FOR`` of
the session's end. Each gets one e-mail with the link when they are first asked, and at most
one reminder ``REMIND_AFTER`` later if they have not answered and the evaluation is still open
for at least a day. Both are idempotent: dedup keys per evaluation and person, and the
invitation row records the reminder."""

import datetime
from collections import defaultdict
from functools import partial

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from cohorts.models import Cohort, Enrolment
from leadership import notifications
from leadership.models import Notification, User
from modules.models import Attendance, Session
from modules.selectors import ATTENDED

from . import services
from .models import EvaluationForm, EvaluationInvitation

REMIND_AFTER = datetime.timedelta(days=3)
REMINDER_NEEDS_LEFT = datetime.timedelta(days=1)


def _key(kind: str, evaluation_id: int, person: User) -> str:
    """At most one e-mail of ``kind`` per evaluation and person, ever."""
    return f"{kind}:{evaluation_id}:{person.pk}"


def _context(session: Session) -> dict:
    cohort = session.module.cohort
    starts = session.starts_at.astimezone(cohort.tzinfo)
    closes = (session.ends_at + services.OPEN_FOR).astimezone(cohort.tzinfo)
    return {
        "programme_name": cohort.programme.name,
        **cohort.email_voice(),
        "cohort_name": cohort.name,
        "session_title": session.module.title + (f" — {session.title}" if session.title else ""),
        "session_date": f"{starts:%A} {starts.day} {starts:%B %Y}",
        "closes_on": f"{closes:%A} {closes.day} {closes:%B}",
        "link": notifications.absolute_url(
            reverse("evaluation:respond", kwargs={"session_id": session.pk})
        ),
    }


def _attended(session_ref: str = "pk") -> Q:
    """Attendance rows of active participants who were there (present or late)."""
    return Q(
        session=OuterRef(session_ref),
        status__in=ATTENDED,
        person__enrolments__cohort=OuterRef("module__cohort"),
        person__enrolments__role=Enrolment.Role.PARTICIPANT,
        person__enrolments__status__in=Enrolment.ACTIVE_STATUSES,
    )


def plan_session_evaluations(*, now: datetime.datetime) -> int:
    """Open the evaluation of every session that ended within ``OPEN_FOR``, has its register
    taken and follows a kind of module its programme has a form in use for, and ask each
    attendee not yet asked (one e-mail each). When everything is recorded this is one query.
    Returns e-mails recorded."""
    not_asked = Attendance.objects.filter(_attended()).exclude(
        Exists(
            EvaluationInvitation.objects.filter(
                evaluation__session=OuterRef("session"), person=OuterRef("person")
            )
        )
    )
    form_in_use = EvaluationForm.objects.filter(
        programme=OuterRef("module__cohort__programme"),
        module_kind=OuterRef("module__kind"),
        is_active=True,
    )
    sessions = list(
        Session.objects.filter(
            Exists(not_asked),
            Exists(form_in_use) | Q(evaluation__isnull=False),
            status=Session.Status.SCHEDULED,
            register_taken_at__isnull=False,
            ends_at__lte=now,
            ends_at__gt=now - services.OPEN_FOR,
        )
        .exclude(module__cohort__status=Cohort.Status.CANCELLED)
        .select_related("module__cohort__programme", "evaluation")
        .order_by("ends_at", "pk")
    )
    if not sessions:
        return 0
    forms = {
        (form.programme_id, form.module_kind): form
        for form in EvaluationForm.objects.filter(
            programme__in={s.module.cohort.programme_id for s in sessions}, is_active=True
        ).prefetch_related("items")
    }
    attendees: dict[int, list[User]] = defaultdict(list)
    for row in (
        Attendance.objects.filter(session__in=sessions, status__in=ATTENDED)
        .filter(
            Exists(
                Enrolment.objects.filter(
                    cohort=OuterRef("session__module__cohort"),
                    person=OuterRef("person"),
                    role=Enrolment.Role.PARTICIPANT,
                    status__in=Enrolment.ACTIVE_STATUSES,
                )
            )
        )
        .select_related("person")
        .order_by("person_id")
    ):
        attendees[row.session_id].append(row.person)
    created = 0
    for session in sessions:
        evaluation = getattr(session, "evaluation", None)
        with transaction.atomic():
            if evaluation is None:
                form = forms[(session.module.cohort.programme_id, session.module.kind)]
                ids = [item.question_id for item in form.items.all()]
                evaluation, _ = services.session_evaluation_open(
                    session=session, form=form, question_ids=ids
                )
            people = attendees[session.pk]
            services.evaluation_invite(evaluation=evaluation, people=people)
            created += notifications.notify_many(
                recipients=people,
                kind=Notification.Kind.SESSION_EVALUATION,
                dedup_key=partial(_key, "evaluation", evaluation.pk),
                template="session_evaluation",
                context=_context(session),
                subject=session,
                cohort_id=session.module.cohort_id,
            )
    return created


def plan_evaluation_reminders(*, now: datetime.datetime) -> int:
    """One reminder to each person asked ``REMIND_AFTER`` ago who has not answered, while the
    evaluation stays open for at least ``REMINDER_NEEDS_LEFT``; never a second. One query when
    there is nothing to send. Returns e-mails recorded."""
    due = list(
        EvaluationInvitation.objects.filter(
            responded_on__isnull=True,
            reminded_at__isnull=True,
            created_at__lte=now - REMIND_AFTER,
            evaluation__closes_at__gt=now + REMINDER_NEEDS_LEFT,
        )
        .select_related("person", "evaluation__session__module__cohort__programme")
        .order_by("evaluation_id", "person_id")
    )
    by_evaluation: dict[int, list[EvaluationInvitation]] = defaultdict(list)
    for invitation in due:
        by_evaluation[invitation.evaluation_id].append(invitation)
    created = 0
    for evaluation_id, invitations in by_evaluation.items():
        session = invitations[0].evaluation.session
        with transaction.atomic():
            created += notifications.notify_many(
                recipients=[i.person for i in invitations],
                kind=Notification.Kind.SESSION_EVALUATION,
                dedup_key=partial(_key, "evaluation-reminder", evaluation_id),
                template="session_evaluation_reminder",
                context=_context(session),
                subject=session,
                cohort_id=session.module.cohort_id,
            )
            EvaluationInvitation.objects.filter(
                pk__in=[i.pk for i in invitations], reminded_at__isnull=True
            ).update(reminded_at=now)
    return created
