"""Demo schedules: every demo cohort without a schedule gets one, with the register taken for
most past sessions, a few apologies for the coming ones and sign-ups for the short course.
Idempotent: a cohort that already has a schedule is left alone."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from cohorts.models import Cohort, Enrolment
from leadership.models import User
from modules import selectors, services
from modules.models import Attendance, Session
from modules.workdays import first_working_run

from .cohorts import DEMO_DOMAIN

PREPARE = {
    "Strategy": "Read your organisation's strategic plan and bring one service priority.",
    "Operations design": "Map one patient journey in your service, start to finish.",
    "Culture and change": "Bring an example of a change that stalled, and why.",
    "Improvement and innovation": "Bring three months of one measure your team watches.",
    "System review": "Bring your team's run charts and a one-page summary.",
}
APOLOGY_REASONS = [
    "Rostered on call that day.",
    "Annual leave booked before the programme started.",
    "Presenting at a conference.",
]


def _demo_person(local: str) -> User | None:
    return User.objects.filter(email=f"{local}@{DEMO_DOMAIN}").first()


def _role(cohort: Cohort, role: str) -> list[User]:
    return [
        e.person
        for e in cohort.enrolments.filter(role=role, status__in=Enrolment.ACTIVE_STATUSES)
        .select_related("person")
        .order_by("person__last_name", "person__pk")
    ]


def _dress(session: Session, facilitator: User | None, acting_user: User | None) -> None:
    """Give a generated session a facilitator and something to prepare."""
    tz = session.module.cohort.tzinfo
    services.session_update(
        session=session,
        acting_user=acting_user,
        day=session.starts_at.astimezone(tz).date(),
        start_time=session.starts_at.astimezone(tz).time(),
        end_time=session.ends_at.astimezone(tz).time(),
        title=session.title,
        venue_name=session.venue_name,
        venue_address=session.venue_address,
        facilitator=facilitator,
        what_to_prepare=PREPARE.get(session.module.title, "")
        if not session.title.startswith("Day 2")
        else "",
        seat_limit=session.seat_limit,
        status=session.status,
    )


def _take_register(session: Session, people: list[User], recorder: User | None) -> None:
    rng = random.Random(session.pk)  # the same register on every machine
    entries: dict[int, tuple[str, str]] = {}
    for person in people:
        roll = rng.random()
        status = (
            Attendance.Status.PRESENT
            if roll < 0.86
            else Attendance.Status.LATE
            if roll < 0.92
            else Attendance.Status.APOLOGIES
            if roll < 0.97
            else Attendance.Status.ABSENT
        )
        entries[person.pk] = (status, "Traffic on the harbour bridge" if status == "late" else "")
    services.attendance_register_save(session=session, entries=entries, acting_user=recorder)


def _short_courses_ahead(cohort: Cohort, admin: User | None, today: datetime.date) -> None:
    """A short course that has already gone by is moved a fortnight ahead, as an administrator
    would, so the demo shows sign-ups and seats (in cohorts still running then)."""
    _first, last = selectors.cohort_date_range(cohort)
    for session in Session.objects.filter(
        module__cohort=cohort, seat_limit__isnull=False, starts_at__lte=timezone.now()
    ).select_related("module"):
        day, _skipped = first_working_run(
            cohort.holiday_region, today + datetime.timedelta(days=14), 1
        )
        if day <= last:
            services.module_move(module=session.module, starts_on=day, acting_user=admin)


def _fill(cohort: Cohort, admin: User | None, today: datetime.date) -> None:
    participants = _role(cohort, Enrolment.Role.PARTICIPANT)
    faculty = _role(cohort, Enrolment.Role.FACULTY)
    facilitator = faculty[0] if faculty else None
    _short_courses_ahead(cohort, admin, today)
    now = timezone.now()
    sessions = list(
        Session.objects.filter(module__cohort=cohort)
        .select_related("module__cohort")
        .order_by("starts_at")
    )
    for session in sessions:
        _dress(session, facilitator, admin)
    past = [s for s in sessions if s.starts_at <= now and not s.takes_signups]
    future = [s for s in sessions if s.starts_at > now]
    # The register of the latest past session is left for the demo to take.
    for session in past[:-1]:
        _take_register(session, participants, facilitator or admin)
    for session in future:
        if session.takes_signups:
            for person in participants[: min(12, session.seat_limit or 0)]:
                services.short_course_signup(session=session, person=person, acting_user=person)
    for session, person, reason in zip(
        [s for s in future if not s.takes_signups][:3],
        participants[3:6],
        APOLOGY_REASONS,
        strict=False,
    ):
        services.apology_send(session=session, person=person, reason=reason, acting_user=person)


@transaction.atomic
def load(today: datetime.date) -> None:
    """Generate the schedule of every cohort that has none (and whose programme has module
    templates), then dress it with facilitators, registers, apologies and sign-ups."""
    admin = _demo_person("admin")
    cohorts = Cohort.objects.filter(modules__isnull=True, programme__module_templates__isnull=False)
    for cohort in cohorts.distinct().select_related("programme"):
        services.schedule_generate(cohort=cohort, acting_user=admin)
        _fill(cohort, admin, today)
    # Make sure the demo participant has their calendar link ready to show.
    participant = _demo_person("participant")
    if participant is not None and selectors.live_feed_for_person(participant) is None:
        services.calendar_feed_create(person=participant, acting_user=participant)
