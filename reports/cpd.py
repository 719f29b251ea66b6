"""CPD evidence: the hours a participant attended, for certificates, transcripts and the public
verification page. Clinicians need it for revalidation and recertification, so it errs on the
side of saying less: only sessions whose register was taken and that mark the person present
(or late) count; a held session whose register was not taken counts as not attended, and the
record says how many hours that leaves out."""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cohorts.models import Cohort
from leadership.models import User
from modules.models import Attendance, Session, ShortCourseSignup

ATTENDED = frozenset({Attendance.Status.PRESENT, Attendance.Status.LATE})


def hours(minutes: int) -> Decimal:
    """Minutes as hours to one decimal place (half up): 90 → 1.5."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class ModuleHours:
    title: str
    attended_minutes: int = 0
    held_sessions: int = 0
    attended_sessions: int = 0

    @property
    def attended_hours(self) -> Decimal:
        return hours(self.attended_minutes)


@dataclass
class CpdRecord:
    """What a participant's CPD evidence states: the programme, the cohort, its dates (first
    to last session held or scheduled), the hours attended, and each module."""

    programme_name: str
    cohort_name: str
    first_day: datetime.date | None
    last_day: datetime.date | None
    attended_minutes: int
    not_taken_minutes: int
    not_taken_sessions: int
    modules: list[ModuleHours] = field(default_factory=list)

    @property
    def attended_hours(self) -> Decimal:
        return hours(self.attended_minutes)

    @property
    def not_taken_hours(self) -> Decimal:
        return hours(self.not_taken_minutes)


def cpd_record(cohort: Cohort, person: User, *, now: datetime.datetime | None = None) -> CpdRecord:
    """``person``'s CPD evidence in ``cohort`` as of ``now``. Sessions they were expected at
    count: every session that is not cancelled, except sign-up sessions (short courses) they
    did not sign up for. Two queries (sessions with their signed-up flag; their attendance)."""
    now = now or timezone.now()
    signed_up = ShortCourseSignup.objects.filter(session=OuterRef("pk"), person=person)
    sessions = list(
        Session.objects.filter(module__cohort=cohort, status=Session.Status.SCHEDULED)
        .filter(Q(seat_limit__isnull=True) | Q(Exists(signed_up)))
        .select_related("module")
        .order_by("starts_at", "pk")
    )
    marks = dict(
        Attendance.objects.filter(session__module__cohort=cohort, person=person).values_list(
            "session_id", "status"
        )
    )
    tz = cohort.tzinfo
    modules: dict[int, ModuleHours] = {}
    attended = not_taken = not_taken_count = 0
    for session in sessions:
        module = modules.setdefault(session.module_id, ModuleHours(title=session.module.title))
        if session.starts_at > now:
            continue
        minutes = int((session.ends_at - session.starts_at).total_seconds() // 60)
        module.held_sessions += 1
        if session.register_taken_at is None:
            not_taken += minutes
            not_taken_count += 1
        elif marks.get(session.pk) in ATTENDED:
            attended += minutes
            module.attended_minutes += minutes
            module.attended_sessions += 1
    return CpdRecord(
        programme_name=cohort.programme.name,
        cohort_name=cohort.name,
        first_day=sessions[0].starts_at.astimezone(tz).date() if sessions else None,
        last_day=sessions[-1].ends_at.astimezone(tz).date() if sessions else None,
        attended_minutes=attended,
        not_taken_minutes=not_taken,
        not_taken_sessions=not_taken_count,
        modules=list(modules.values()),  # in the order their first sessions come
    )
