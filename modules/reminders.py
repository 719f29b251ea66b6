"""Session reminders and registers not taken: planned by beat's sweep (``home/planners.py``),
sent by the notification pipeline. Session reminders' dedup keys carry the session's
``sequence``, so a moved session gets fresh reminders and the old pending ones are cancelled
(``session_reminders_cancel``). A register not taken brings one reminder to the session's
faculty shortly after it ends and, still missing two working days later, one notice to the
programme office. A change to the schedule is e-mailed to the cohort once per change, with the
updated sessions as an .ics (``schedule_change_notify``)."""

import datetime
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Cohort, Enrolment, Programme
from leadership import notifications
from leadership.models import Notification, NotificationPreference, User

from . import selectors
from .calendars import calendar_for
from .models import Attendance, Session
from .workdays import Closure, add_working_days, closures_for_cohorts


def reminder_offsets(session: Session) -> list[int]:
    """Days before a session that reminders go out, largest first: its programme's rule, or
    the site's ``SESSION_REMINDER_DAYS`` when the programme has none."""
    return session.module.cohort.programme.effective_session_reminder_days


def _due_offset(session: Session, now: datetime.datetime) -> int | None:
    """The one offset whose window contains ``now``: from its send time until the next
    (smaller) offset's send time, or the session's start. A session scheduled late still gets
    the most recent reminder it is inside the window of, never a burst of all of them."""
    offsets = reminder_offsets(session)
    for index, days in enumerate(offsets):
        opens = session.starts_at - datetime.timedelta(days=days)
        closes = (
            session.starts_at - datetime.timedelta(days=offsets[index + 1])
            if index + 1 < len(offsets)
            else session.starts_at
        )
        if opens <= now < closes:
            return days
    return None


def _when_label(session: Session, now: datetime.datetime) -> str:
    tz = session.module.cohort.tzinfo
    days = (session.starts_at.astimezone(tz).date() - now.astimezone(tz).date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


def session_key_prefix(session: Session) -> str:
    return f"session:{session.pk}:"


def plan_session_reminders(*, now: datetime.datetime) -> int:
    """Record the reminders due now for every session starting within the largest offset, to
    everyone expected (participants — or those signed up to a short course — and the
    facilitator), except people who sent apologies. Idempotent. Returns rows created.

    The sweep runs this every minute, and nearly always everything due is recorded already:
    who is expected, their apologies, their opt-outs and the reminders recorded are read for
    all the sessions at once (six queries), and only a session with someone still to remind
    has its calendar and e-mail built and its rows written (in its own transaction)."""
    # A programme's own days are at most SESSION_REMINDER_DAYS_MAX (``ReminderDaysValidator``).
    furthest = max(settings.SESSION_REMINDER_DAYS_MAX, *settings.SESSION_REMINDER_DAYS, 1)
    horizon = now + datetime.timedelta(days=furthest)
    sessions = (
        Session.objects.filter(
            status=Session.Status.SCHEDULED, starts_at__gt=now, starts_at__lte=horizon
        )
        .select_related("module__cohort__programme", "facilitator")
        .order_by("starts_at")
    )
    due = [
        (session, days) for session in sessions if (days := _due_offset(session, now)) is not None
    ]
    if not due:
        return 0
    expected = _expected_at([session for session, _days in due])
    keys = {
        (session.pk, person.pk): _reminder_key(session, person, days)
        for session, days in due
        for person in expected[session.pk]
    }
    recorded = set(
        Notification.objects.filter(dedup_key__in=keys.values()).values_list("dedup_key", flat=True)
    )
    kind = Notification.Kind.SESSION_REMINDER
    opted_out: set[int] = set()
    if kind not in notifications.required_kinds():
        opted_out = set(
            NotificationPreference.objects.filter(
                kind=kind, person_id__in={person_id for _session_id, person_id in keys}
            ).values_list("person_id", flat=True)
        )
    created = 0
    for session, days in due:
        people = expected[session.pk]
        if all(
            keys[session.pk, person.pk] in recorded or person.pk in opted_out for person in people
        ):
            continue
        with transaction.atomic():
            created += _plan_one(session, days, now, people)
    return created


def _expected_at(sessions: list[Session]) -> dict[int, list[User]]:
    """Session id → who is reminded of it: its register without those who sent apologies,
    then its facilitator unless they sent apologies. Two or three queries for all."""
    apologised = set(
        Attendance.objects.filter(
            session__in=sessions, status=Attendance.Status.APOLOGIES
        ).values_list("session_id", "person_id")
    )
    registers = selectors.register_people_for(sessions)
    expected = {}
    for session in sessions:
        people = [p for p in registers[session.pk] if (session.pk, p.pk) not in apologised]
        facilitator = session.facilitator
        if facilitator and (session.pk, facilitator.pk) not in apologised:
            people.append(facilitator)
        expected[session.pk] = people
    return expected


def _reminder_key(session: Session, person: User, days: int) -> str:
    return f"{session_key_prefix(session)}seq{session.sequence}:{person.pk}:{days}d"


def _plan_one(session: Session, days: int, now: datetime.datetime, people: list[User]) -> int:
    cohort = session.module.cohort
    tz = cohort.tzinfo
    ics = calendar_for([session], name=cohort.name).decode()
    starts, ends = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
    context = {
        "programme_name": cohort.programme.name,
        **cohort.email_voice(),
        "cohort_name": cohort.name,
        "session_title": session.module.title + (f" — {session.title}" if session.title else ""),
        "session_date": f"{starts:%A} {starts.day} {starts:%B %Y}",
        "session_times": f"{starts:%H:%M}–{ends:%H:%M} ({cohort.time_zone})",
        "venue_name": session.venue_name,
        "venue_address": " ".join(session.venue_address.split()),
        "what_to_prepare": session.what_to_prepare,
        "when_label": _when_label(session, now),
        "link": notifications.absolute_url(
            reverse("modules:session_detail", kwargs={"session_id": session.pk})
        ),
    }
    attachment = {"filename": "session.ics", "content": ics, "mimetype": "text/calendar"}
    return notifications.notify_many(
        recipients=people,
        kind=Notification.Kind.SESSION_REMINDER,
        dedup_key=partial(_reminder_key, session, days=days),
        template="session_reminder",
        context=context,
        subject=session,
        cohort_id=cohort.pk,
        attachments=[attachment],
    )


def session_reminders_cancel(session: Session) -> int:
    """Cancel a session's pending reminders (it moved or was cancelled); the next sweep plans
    fresh ones under the new sequence if it still takes place."""
    return notifications.cancel_pending(dedup_key_prefix=session_key_prefix(session))


# --- Registers not taken -----------------------------------------------------------------

LIVE_COHORTS = (Cohort.Status.PLANNED, Cohort.Status.RUNNING)


def _registers_not_taken(now: datetime.datetime):
    """Sessions of live cohorts that ended within the look-back without a register."""
    lookback = datetime.timedelta(days=settings.REGISTER_CHASE_LOOKBACK_DAYS)
    return (
        Session.objects.filter(
            status=Session.Status.SCHEDULED,
            register_taken_at__isnull=True,
            ends_at__lte=now,
            ends_at__gte=now - lookback,
            module__cohort__status__in=LIVE_COHORTS,
        )
        .select_related("module__cohort__programme", "facilitator")
        .order_by("ends_at", "pk")
    )


def _key(kind: str, session_id: int, person: User) -> str:
    """At most one e-mail of ``kind`` per session and person, ever."""
    return f"{kind}:{session_id}:{person.pk}"


def _register_context(session: Session) -> dict:
    cohort = session.module.cohort
    starts = session.starts_at.astimezone(cohort.tzinfo)
    return {
        "programme_name": cohort.programme.name,
        **cohort.email_voice(),
        "cohort_name": cohort.name,
        "session_title": session.module.title + (f" — {session.title}" if session.title else ""),
        "session_date": f"{starts:%A} {starts.day} {starts:%B %Y}",
        "link": notifications.absolute_url(
            reverse("modules:attendance_register", kwargs={"session_id": session.pk})
        ),
    }


def plan_register_reminders(*, now: datetime.datetime) -> int:
    """Remind a session's faculty (``selectors.faculty_for_sessions``) once, from
    ``REGISTER_REMINDER_AFTER_MINUTES`` after it ends, that its register has not been taken.
    At most one e-mail per session and person ever (the dedup key has no date); opt-outs as
    for every kind. Returns rows created."""
    after = datetime.timedelta(minutes=settings.REGISTER_REMINDER_AFTER_MINUTES)
    sessions = [s for s in _registers_not_taken(now) if s.ends_at + after <= now]
    faculty = selectors.faculty_for_sessions(sessions)
    created = 0
    for session in sessions:
        with transaction.atomic():
            created += notifications.notify_many(
                recipients=faculty[session.pk],
                kind=Notification.Kind.REGISTER_REMINDER,
                dedup_key=partial(_key, "register-reminder", session.pk),
                template="register_reminder",
                context=_register_context(session),
                subject=session,
                cohort_id=session.module.cohort_id,
            )
    return created


def office_due_at(session: Session, closed: Sequence[Closure] = ()) -> datetime.datetime:
    """When the programme office hears of a missing register: 09:00 (the cohort's time) on
    the ``REGISTER_OFFICE_AFTER_WORKING_DAYS``-th working day after the session's day, not
    counting the cohort's close-down periods ``closed`` (nobody is in the office to act)."""
    cohort = session.module.cohort
    tz = cohort.tzinfo
    day = add_working_days(
        cohort.holiday_region,
        session.starts_at.astimezone(tz).date(),
        settings.REGISTER_OFFICE_AFTER_WORKING_DAYS,
        closed,
    )
    return datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=tz)


def plan_register_office_notices(*, now: datetime.datetime) -> int:
    """Tell the programme's administrators once per session when its register is still not
    taken ``REGISTER_OFFICE_AFTER_WORKING_DAYS`` working days after the session's day. At
    most one e-mail per session and administrator; opt-outs as for every kind. Returns rows
    created."""
    waiting = list(_registers_not_taken(now))
    closed = closures_for_cohorts(
        list({s.module.cohort_id: s.module.cohort for s in waiting}.values())
    )
    sessions = [s for s in waiting if office_due_at(s, closed[s.module.cohort_id]) <= now]
    if not sessions:
        return 0
    administrators: dict[int, list[User]] = defaultdict(list)
    for row in Programme.administrators.through.objects.filter(
        programme_id__in={s.module.cohort.programme_id for s in sessions},
        user__is_active=True,
    ).select_related("user"):
        administrators[row.programme_id].append(row.user)
    faculty = selectors.faculty_for_sessions(sessions)
    created = 0
    for session in sessions:
        cohort = session.module.cohort
        context = _register_context(session)
        context["days"] = settings.REGISTER_OFFICE_AFTER_WORKING_DAYS
        context["faculty"] = ", ".join(str(person) for person in faculty[session.pk])
        with transaction.atomic():
            created += notifications.notify_many(
                recipients=administrators[cohort.programme_id],
                kind=Notification.Kind.REGISTER_MISSING,
                dedup_key=partial(_key, "register-missing", session.pk),
                template="register_missing",
                context=context,
                subject=session,
                cohort_id=cohort.pk,
            )
    return created


# --- Schedule changes ----------------------------------------------------------------------


@dataclass(frozen=True)
class SessionChange:
    """One session as it was before a change; the session itself is as it is now."""

    session: Session
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    venue: str
    status: str


def session_change(session: Session) -> SessionChange:
    """Remember ``session`` as it is, before changing it."""
    return SessionChange(
        session=session,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        venue=_venue(session),
        status=session.status,
    )


def _venue(session: Session) -> str:
    address = " ".join(session.venue_address.split())
    return ", ".join(part for part in (session.venue_name, address) if part)


def _when(starts_at: datetime.datetime, ends_at: datetime.datetime, tz) -> str:
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    return f"{start:%a} {start.day} {start:%b %Y}, {start:%H:%M}–{end:%H:%M}"


def _described(change: SessionChange, tz) -> dict | None:
    """The change in words, or None when nothing people plan around changed."""
    session = change.session
    before = _when(change.starts_at, change.ends_at, tz)
    after = _when(session.starts_at, session.ends_at, tz)
    lines = []
    if session.is_cancelled and change.status != Session.Status.CANCELLED:
        lines.append(f"Cancelled (was {before})")
    elif change.status == Session.Status.CANCELLED and not session.is_cancelled:
        lines.append(f"Back on: {after}")
    elif before != after:
        lines.append(f"{before} → {after}")
    if not session.is_cancelled and change.venue != _venue(session):
        lines.append(f"Venue: {change.venue or 'none given'} → {_venue(session) or 'none given'}")
    if not lines:
        return None
    title = session.module.title + (f" — {session.title}" if session.title else "")
    return {"title": title, "lines": lines}


def schedule_change_notify(*, cohort: Cohort, changes: list[SessionChange]) -> int:
    """E-mail everyone actively enrolled in ``cohort`` once about one batch of schedule
    changes (a move with its cascade, a session edited, a module's venue): each session with
    its old → new date, time and venue (or its cancellation), and the changed sessions as one
    .ics that updates the events calendars already hold. Sessions wholly in the past are left
    out (a correction of the record is nobody's news); nothing is sent when nothing is left.
    Call it inside the transaction of the change; returns how many e-mails were recorded."""
    now = timezone.now()
    tz = cohort.tzinfo
    kept = [
        (change, described)
        for change in changes
        if (change.starts_at > now or change.session.starts_at > now)
        and (described := _described(change, tz)) is not None
    ]
    if not kept:
        return 0
    kept.sort(key=lambda pair: pair[0].session.starts_at)
    sessions = [change.session for change, _described in kept]
    people = [
        enrolment.person
        for enrolment in Enrolment.objects.filter(
            cohort=cohort, status=Enrolment.Status.ENROLLED
        ).select_related("person")
    ]
    recipients = list({person.pk: person for person in people}.values())
    ics = calendar_for(sessions, name=cohort.name).decode()
    batch = uuid.uuid4().hex
    return notifications.notify_many(
        recipients=recipients,
        kind=Notification.Kind.SCHEDULE_CHANGE,
        dedup_key=lambda person: f"schedule-change:{cohort.pk}:{batch}:{person.pk}",
        template="schedule_change",
        context={
            "programme_name": cohort.programme.name,
            **cohort.email_voice(),
            "cohort_name": cohort.name,
            "time_zone": cohort.time_zone,
            "changes": [described for _change, described in kept],
            "link": notifications.absolute_url(reverse("modules:my_schedule")),
        },
        subject=cohort,
        cohort_id=cohort.pk,
        attachments=[
            {"filename": "schedule-changes.ics", "content": ics, "mimetype": "text/calendar"}
        ],
    )


# --- Apologies -----------------------------------------------------------------------------


def apologies_notify(apology: Attendance) -> int:
    """Tell a session's faculty (``selectors.faculty_for_sessions``) that a participant sent
    apologies, with their reason. One e-mail per faculty member each time apologies are sent
    (sending them again with a new reason is news); opt-outs as for every kind. Call it inside
    the transaction that records the apologies; returns how many e-mails were recorded."""
    session = apology.session
    cohort = session.module.cohort
    faculty = [
        person
        for person in selectors.faculty_for_sessions([session])[session.pk]
        if person.pk != apology.person_id
    ]
    starts = session.starts_at.astimezone(cohort.tzinfo)
    stamp = f"{apology.recorded_at:%Y%m%dT%H%M%S%f}"
    return notifications.notify_many(
        recipients=faculty,
        kind=Notification.Kind.APOLOGIES_RECEIVED,
        dedup_key=lambda person: f"apologies:{apology.pk}:{stamp}:{person.pk}",
        template="apologies_received",
        context={
            "programme_name": cohort.programme.name,
            **cohort.email_voice(),
            "cohort_name": cohort.name,
            "participant_name": apology.person.get_full_name() or apology.person.email,
            "session_title": session.module.title
            + (f" — {session.title}" if session.title else ""),
            "session_date": f"{starts:%A} {starts.day} {starts:%B %Y}",
            "reason": apology.note,
            "link": notifications.absolute_url(
                reverse("modules:session_detail", kwargs={"session_id": session.pk})
            ),
        },
        subject=session,
        cohort_id=cohort.pk,
    )
