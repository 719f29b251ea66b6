"""Reads about schedules, attendance and calendars, and who may see which session.

Every selector runs a fixed number of queries whatever the number of sessions or people
(their tests assert the exact count)."""

import datetime
import functools
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from cohorts.models import Cohort, Enrolment, Programme
from cohorts.selectors import (
    CohortAccess,
    access_annotations,
    access_columns,
    access_from_columns,
    access_of,
    remember_roles,
)
from leadership.models import User
from leadership.prepared import Prepared
from leadership.sqlrows import ModelColumns, holds_an_id

from .models import Attendance, CalendarFeed, Module, Session, ShortCourseSignup

ATTENDED = (Attendance.Status.PRESENT, Attendance.Status.LATE)
# How a held session without a register reads wherever attendance is shown or exported.
REGISTER_NOT_TAKEN = "Register not taken"
# How long after its last templated module a cohort's schedule may run (moves, catch-ups).
SCHEDULE_SLACK_WEEKS = 13


# --- Access ------------------------------------------------------------------------------


# A session with its module, cohort and programme (and facilitator), and the viewer's access
# to its cohort and roles everywhere, in one hand-written statement: the same query built
# through the ORM (four tables' columns, four access subqueries) cost about three times its
# run on every session page, the register's most of all (issue 21), and it is prepared once
# per connection (``leadership.prepared``: planning it cost more than running it). PostgreSQL
# only (its boolean literals, the JSON columns as the ORM reads them there); SQLite (the quick
# start) keeps the ORM's query. Only table and column names (ours) are formatted in.
_SESSION = ModelColumns(Session, "session")
_MODULE = ModelColumns(Module, "module")
_COHORT = ModelColumns(Cohort, f'"{Cohort._meta.db_table}"')  # as the access SQL names it
_PROGRAMME = ModelColumns(Programme, "programme")
_FACILITATOR = ModelColumns(User, "facilitator")
_SESSION_FROM = f"""
FROM {Session._meta.db_table} session
JOIN {Module._meta.db_table} module ON module.id = session.module_id
JOIN {Cohort._meta.db_table} ON {_COHORT.alias}.id = module.cohort_id
JOIN {Programme._meta.db_table} programme ON programme.id = {_COHORT.alias}.programme_id"""


@functools.cache
def _session_sql(with_facilitator: bool, access: str) -> Prepared:
    facilitator = (
        f"\nLEFT JOIN {User._meta.db_table} facilitator ON facilitator.id = session.facilitator_id"
        if with_facilitator
        else ""
    )
    columns = [
        _SESSION,
        _MODULE,
        _COHORT,
        _PROGRAMME,
        *([_FACILITATOR] if with_facilitator else []),
    ]
    return Prepared(
        "modules_session_for_user",
        f"SELECT {', '.join(c.sql for c in columns)}, {access}"  # noqa: S608  # nosec B608
        f"{_SESSION_FROM}{facilitator}\nWHERE session.id = %s",
    )


def get_session_for_user(
    user, session_id, *, roles=None, with_facilitator: bool = True
) -> tuple[Session, CohortAccess]:
    """The session (with its facilitator unless a page does not show them: the register) and
    the user's access to its cohort: 404 for outsiders and unknown ids, ``PermissionDenied``
    for members whose role is not among ``roles`` (None allows any). One query: the access
    comes with the session (``_session_sql``; the ORM's on SQLite)."""
    try:
        session_pk = int(session_id)
    except (TypeError, ValueError) as exc:
        raise Http404("No such session.") from exc
    if connection.vendor != "postgresql" or not user.is_authenticated:
        return _session_for_user_orm(user, session_pk, roles, with_facilitator)
    if not holds_an_id(session_pk):  # the parameter could not hold it
        raise Http404("No such session.")
    access_sql, access_params = access_columns(user)
    with connection.cursor() as cursor:
        _session_sql(with_facilitator, access_sql).execute(cursor, (*access_params, session_pk))
        row = cursor.fetchone()
    if row is None:
        raise Http404("No such session.")
    session = _SESSION.load(row)
    at = _SESSION.width
    module = _MODULE.load(row, at)
    at += _MODULE.width
    cohort = _COHORT.load(row, at)
    at += _COHORT.width
    cohort.programme = _PROGRAMME.load(row, at)
    at += _PROGRAMME.width
    if with_facilitator:
        facilitator = _FACILITATOR.load(row, at) if row[at] is not None else None
        session.facilitator = facilitator
        at += _FACILITATOR.width
    module.cohort = cohort
    session.module = module
    access = access_from_columns(user, row[at : at + 4])
    access.require(roles)
    return session, access


def _session_for_user_orm(
    user, session_pk: int, roles, with_facilitator: bool
) -> tuple[Session, CohortAccess]:
    related = ["module__cohort__programme", *(["facilitator"] if with_facilitator else [])]
    try:
        session = (
            Session.objects.select_related(*related)
            .annotate(**access_annotations(user))
            .get(pk=session_pk)
        )
    except Session.DoesNotExist as exc:
        raise Http404("No such session.") from exc
    access = access_of(session)
    access.require(roles)
    remember_roles(user, session)
    return session, access


def get_module_for_user(user, module_id, *, roles=None) -> tuple[Module, CohortAccess]:
    """The module and the user's access, with the same rules as ``get_session_for_user``. One
    query."""
    try:
        module = (
            Module.objects.select_related("cohort__programme")
            .annotate(**access_annotations(user))
            .get(pk=int(module_id))
        )
    except (Module.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such module.") from exc
    access = access_of(module)
    access.require(roles)
    remember_roles(user, module)
    return module, access


def live_feed_for_token(token: str) -> CalendarFeed:
    """The live calendar feed with ``token`` (and its person); 404 if unknown or revoked."""
    feed = (
        CalendarFeed.objects.select_related("person")
        .filter(token=token, revoked_at=None, person__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404("No such calendar.")
    return feed


def live_feed_for_person(person: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(person=person, revoked_at=None).first()


# --- Schedule ----------------------------------------------------------------------------


def cohort_date_range(cohort: Cohort) -> tuple[datetime.date, datetime.date]:
    """The days a session of ``cohort`` may fall on: from its start date to
    ``SCHEDULE_SLACK_WEEKS`` after the latest module template's offset (one query)."""
    latest = cohort.programme.module_templates.aggregate(latest=Max("offset_weeks"))["latest"]
    weeks = (latest if latest is not None else 52) + SCHEDULE_SLACK_WEEKS
    return cohort.starts_on, cohort.starts_on + datetime.timedelta(weeks=weeks)


def _participants(cohort_id: int):
    return Enrolment.objects.filter(
        cohort_id=cohort_id,
        role=Enrolment.Role.PARTICIPANT,
        status__in=Enrolment.ACTIVE_STATUSES,
    )


def _count(model, **filters):
    """A correlated ``COUNT(*)`` of ``model`` rows for the outer session."""
    rows = (
        model.objects.filter(session=OuterRef("pk"), **filters)
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _sessions_annotated(viewer: User | None):
    """Sessions with their apologies and sign-up counts, and the viewer's own attendance
    status, note and sign-up: all in the one query."""
    sessions = Session.objects.select_related("facilitator").annotate(
        apologies_count=_count(Attendance, status=Attendance.Status.APOLOGIES),
        signup_count=_count(ShortCourseSignup),
    )
    if viewer is not None:
        own = Attendance.objects.filter(session=OuterRef("pk"), person=viewer)
        sessions = sessions.annotate(
            my_status=Subquery(own.values("status")[:1]),
            my_note=Subquery(own.values("note")[:1]),
            my_signed_up=Exists(
                ShortCourseSignup.objects.filter(session=OuterRef("pk"), person=viewer)
            ),
        )
    return sessions


def _set_expected(session: Session, participant_count: int) -> None:
    """How many are expected: sign-ups for a short course, otherwise every participant, less
    those who sent apologies."""
    base = session.signup_count if session.takes_signups else participant_count
    session.expected_count = max(base - session.apologies_count, 0)
    session.seats_left = (
        max(session.seat_limit - session.signup_count, 0) if session.takes_signups else None
    )


def _set_register_state(session: Session, tz, now: datetime.datetime) -> None:
    """``register_open``: its day has come and it was not cancelled (the register page takes
    it); ``register_missing``: it was held and its register has not been taken."""
    today = now.astimezone(tz).date()
    live = not session.is_cancelled
    session.register_open = live and session.starts_at.astimezone(tz).date() <= today
    session.register_missing = live and session.starts_at <= now and not session.register_taken


def cohort_schedule(cohort: Cohort, *, viewer: User | None = None) -> list[Module]:
    """The modules of ``cohort`` in order, each with ``.session_list`` (annotated as in
    ``_sessions_annotated`` plus ``expected_count`` and ``seats_left``). Four queries:
    modules, their sessions, their facilitators, the participant count."""
    modules = list(
        cohort.modules.prefetch_related(
            Prefetch(
                "sessions",
                queryset=_sessions_annotated(viewer).order_by("starts_at"),
                to_attr="session_list",
            ),
            "facilitators",
        )
    )
    participant_count = _participants(cohort.pk).count()
    now = timezone.now()
    for module in modules:
        for session in module.session_list:
            _set_expected(session, participant_count)
            _set_register_state(session, cohort.tzinfo, now)
        module.first_session = module.session_list[0] if module.session_list else None
    return sorted(
        modules,
        key=lambda m: (m.first_session is None, m.first_session and m.first_session.starts_at),
    )


def cohort_session(session: Session, *, viewer: User | None = None) -> Session:
    """``session`` again, annotated as in ``cohort_schedule`` (counts, the viewer's own status
    and sign-up, ``expected_count``, ``seats_left``). Two queries."""
    annotated = (
        _sessions_annotated(viewer).select_related("module__cohort__programme").get(pk=session.pk)
    )
    _set_expected(annotated, _participants(annotated.module.cohort_id).count())
    now = timezone.now()
    annotated.is_past = annotated.starts_at <= now
    _set_register_state(annotated, annotated.module.cohort.tzinfo, now)
    return annotated


def session_apologies(session: Session) -> list[Attendance]:
    """Apologies sent for ``session``, with the person, for faculty and administrators."""
    return list(
        session.attendances.filter(status=Attendance.Status.APOLOGIES)
        .select_related("person")
        .order_by("person__last_name", "person__first_name")
    )


def possible_facilitators(cohort: Cohort):
    """The people who may facilitate a session of ``cohort``: its active faculty."""
    return User.objects.filter(
        enrolments__cohort=cohort,
        enrolments__role=Enrolment.Role.FACULTY,
        enrolments__status__in=Enrolment.ACTIVE_STATUSES,
    ).distinct()


@dataclass(frozen=True)
class Clash:
    kind: str  # "overlap", "venue" or "facilitator"
    session: Session
    other: Session
    message: str


def schedule_clashes(cohort: Cohort, sessions: list[Session]) -> list[Clash]:
    """Clashes of ``cohort``'s scheduled ``sessions``: two of them overlapping, a venue
    booked by another cohort at the same time, a facilitator in two places. One query
    (the candidates overlapping the cohort's span)."""
    mine = [s for s in sessions if not s.is_cancelled]
    if not mine:
        return []
    venues = {s.venue_name for s in mine if s.venue_name}
    facilitators = {s.facilitator_id for s in mine if s.facilitator_id}
    candidates = list(
        Session.objects.filter(
            status=Session.Status.SCHEDULED,
            starts_at__lt=max(s.ends_at for s in mine),
            ends_at__gt=min(s.starts_at for s in mine),
        )
        .filter(
            models_q_any(
                module__cohort=cohort, venue_name__in=venues, facilitator_id__in=facilitators
            )
        )
        .select_related("module__cohort", "facilitator")
    )
    clashes: list[Clash] = []
    seen: set[tuple[str, int, int]] = set()
    for session in mine:
        for other in candidates:
            if other.pk == session.pk:
                continue
            if not (other.starts_at < session.ends_at and session.starts_at < other.ends_at):
                continue
            same_cohort = other.module.cohort_id == cohort.pk
            found = []
            if same_cohort:
                found.append(("overlap", f"overlaps {other.module.title} {other.title}".strip()))
            else:
                if session.venue_name and other.venue_name == session.venue_name:
                    found.append(
                        (
                            "venue",
                            f"{session.venue_name} is also booked by "
                            f"{other.module.cohort.name} ({other.module.title})",
                        )
                    )
                if session.facilitator_id and other.facilitator_id == session.facilitator_id:
                    found.append(
                        (
                            "facilitator",
                            f"{session.facilitator} is also facilitating "
                            f"{other.module.cohort.name} ({other.module.title})",
                        )
                    )
            for kind, message in found:
                key = (kind, min(session.pk, other.pk), max(session.pk, other.pk))
                if key in seen:
                    continue
                seen.add(key)
                clashes.append(Clash(kind, session, other, message))
    return clashes


def models_q_any(**lookups) -> Q:
    """``Q(a) | Q(b) | …`` for the lookups given."""
    query = Q(pk__in=[])
    for key, value in lookups.items():
        query |= Q(**{key: value})
    return query


@dataclass(frozen=True)
class NextSession:
    """The schedule card's next session: what it shows of it and its link's id."""

    pk: int
    title: str
    starts_at: datetime.datetime
    module_title: str


# The schedule card's rows: the cohort's modules with their sessions joined on, as plain SQL
# (the ORM's ``values_list`` of the same cost more to build than to run, issue 21). Only table
# names are formatted in; the cohort is a parameter. SQLite (the quick start) runs it.
_SCHEDULE_SQL = f"""
SELECT m.id, m.title, s.id, s.title, s.starts_at, s.status
FROM {Module._meta.db_table} m
LEFT JOIN {Session._meta.db_table} s ON s.module_id = m.id
WHERE m.cohort_id = %s
ORDER BY m.position, s.starts_at
"""  # noqa: S608 — only table names are formatted in; every value is a parameter # nosec B608


def _moment(value: datetime.datetime | str) -> datetime.datetime:
    """A time column's value, aware: SQLite hands plain SQL a naive time (or text) in UTC."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


def schedule_summary_for_cohort(cohort: Cohort) -> dict:
    """What the cohort page shows about the schedule: the modules with their first and last
    day and how many sessions are held and to come, and the next session. One query
    (``_SCHEDULE_SQL``): the modules with their sessions joined on (a row a session, or one for
    a module without any), as plain values, since the card only displays them (two queries and
    a model a module and a session before)."""
    now = timezone.now()
    modules: dict[int, dict] = {}
    held, upcoming, next_session = 0, 0, None
    with connection.cursor() as cursor:
        cursor.execute(_SCHEDULE_SQL, [cohort.pk])
        fetched = cursor.fetchall()
    for module_pk, module_title, pk, title, starts, status in fetched:
        module = modules.setdefault(
            module_pk, {"module_title": module_title, "days": [], "session_count": 0}
        )
        if pk is None:  # a module without sessions
            continue
        starts_at = _moment(starts)
        module["days"].append(starts_at)
        if status == Session.Status.CANCELLED:
            continue
        module["session_count"] += 1
        if starts_at <= now:
            held += 1
            continue
        upcoming += 1
        if next_session is None or starts_at < next_session.starts_at:
            next_session = NextSession(pk, title, starts_at, module_title)
    rows = [
        {
            "module_title": module["module_title"],
            "first_day": module["days"][0],
            "last_day": module["days"][-1],
            "session_count": module["session_count"],
        }
        for module in modules.values()
        if module["days"]
    ]
    rows.sort(key=itemgetter("first_day"))
    return {
        "cohort": cohort,
        "rows": rows,
        "held": held,
        "upcoming": upcoming,
        "next_session": next_session,
        "has_schedule": bool(modules),
    }


def upcoming_sessions_for(person: User, limit: int = 5) -> list[Session]:
    """The next ``limit`` sessions ``person`` is expected at (not cancelled, not yet ended),
    soonest first, with module, cohort and the person's own attendance status (e.g. apologies
    sent) as ``my_status``. For the participant's start page; one query. Only ``my_status``
    is annotated: the counts and note of ``_sessions_annotated`` are the schedule's, and
    compiling their subqueries cost more than the rest of this query."""
    own = Attendance.objects.filter(session=OuterRef("pk"), person=person)
    return list(
        Session.objects.annotate(my_status=Subquery(own.values("status")[:1]))
        .expected_for(person)
        .filter(status=Session.Status.SCHEDULED, ends_at__gt=timezone.now())
        .select_related("module__cohort")
        .order_by("starts_at")[:limit]
    )


def my_schedule(person: User) -> list[Session]:
    """Every session of the cohorts ``person`` takes part in or teaches, including sign-up
    sessions they could join, with ``my_status``, ``my_note``, ``my_signed_up`` and seat counts.
    Two queries (sessions, participant counts per cohort)."""
    active = Enrolment.objects.filter(
        person=person,
        status__in=Enrolment.ACTIVE_STATUSES,
        role__in=(Enrolment.Role.PARTICIPANT, Enrolment.Role.FACULTY),
    ).values("cohort_id")
    sessions = list(
        _sessions_annotated(person)
        .filter(module__cohort__in=active)
        .select_related("module__cohort")
        .order_by("starts_at")
    )
    counts = dict(
        Enrolment.objects.filter(
            cohort_id__in={s.module.cohort_id for s in sessions},
            role=Enrolment.Role.PARTICIPANT,
            status__in=Enrolment.ACTIVE_STATUSES,
        )
        .values_list("cohort_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    now = timezone.now()
    for session in sessions:
        _set_expected(session, counts.get(session.module.cohort_id, 0))
        session.is_past = session.starts_at <= now
    return sessions


def calendar_sessions_for(person: User) -> list[Session]:
    """The sessions in ``person``'s calendar feed: every session they are expected at,
    cancelled ones included (so calendars remove them). One query."""
    return list(
        Session.objects.expected_for(person).select_related("module__cohort").order_by("starts_at")
    )


# --- Attendance --------------------------------------------------------------------------


def register_people(session: Session) -> list[User]:
    """Who is on the register: the cohort's active participants, or for a sign-up session
    those signed up, in name order (``register_rows``' people). One query."""
    return [person for person, _mark in register_rows(session)]


def register_people_for(sessions: list[Session]) -> dict[int, list[User]]:
    """``register_people`` for many sessions at once: session id → its register, in the same
    order. One query, and one more when any of them takes sign-ups; the sessions must come
    with ``module`` loaded."""
    by_cohort: dict[int, list[User]] = defaultdict(list)
    people = (
        User.objects.filter(
            enrolments__cohort_id__in={s.module.cohort_id for s in sessions},
            enrolments__role=Enrolment.Role.PARTICIPANT,
            enrolments__status__in=Enrolment.ACTIVE_STATUSES,
        )
        .annotate(register_cohort_id=F("enrolments__cohort_id"))
        .order_by("last_name", "first_name", "pk")
        .distinct()
    )
    for person in people:
        by_cohort[person.register_cohort_id].append(person)
    signed_up: set[tuple[int, int]] = set()
    if any(s.takes_signups for s in sessions):
        signed_up = set(
            ShortCourseSignup.objects.filter(
                session__in=[s for s in sessions if s.takes_signups]
            ).values_list("session_id", "person_id")
        )
    return {
        s.pk: [
            person
            for person in by_cohort[s.module.cohort_id]
            if not s.takes_signups or (s.pk, person.pk) in signed_up
        ]
        for s in sessions
    }


def faculty_for_sessions(sessions: list[Session]) -> dict[int, list[User]]:
    """Session id → the faculty responsible for its register: its facilitator when it has one,
    else its module's facilitators, else every active faculty member of its cohort. Two
    queries however many sessions (module facilitators; cohort faculty); the sessions must
    come with ``facilitator`` and ``module`` loaded."""
    if not sessions:
        return {}
    module_ids = {s.module_id for s in sessions}
    by_module: dict[int, list[User]] = defaultdict(list)
    for row in Module.facilitators.through.objects.filter(module_id__in=module_ids).select_related(
        "user"
    ):
        by_module[row.module_id].append(row.user)
    by_cohort: dict[int, list[User]] = defaultdict(list)
    for enrolment in (
        Enrolment.objects.filter(
            cohort_id__in={s.module.cohort_id for s in sessions},
            role=Enrolment.Role.FACULTY,
            status=Enrolment.Status.ENROLLED,
        )
        .select_related("person")
        .order_by("person_id")
    ):
        by_cohort[enrolment.cohort_id].append(enrolment.person)
    return {
        s.pk: (
            [s.facilitator]
            if s.facilitator is not None
            else by_module[s.module_id] or by_cohort[s.module.cohort_id]
        )
        for s in sessions
    }


class RegisterMark(NamedTuple):
    """What the register shows of a person's attendance row at the session."""

    status: str
    note: str


# The active enrolment statuses as named parameters (``active0``, ``active1``, …).
_ATTENDANCE_ACTIVE = ", ".join(f"%(active{n})s" for n in range(len(Enrolment.ACTIVE_STATUSES)))
# Who is on a session's register (``register_rows``): its cohort's active participants, or for
# a session that takes sign-ups those of them signed up; each with the status and note of
# their row at the session joined on (at most one: ``attendance_unique``; one enrolment a
# person and role: ``enrolment_unique_role_in_cohort``). Plain SQL, which SQLite runs too:
# built through the ORM (a filtered relation, DISTINCT) the query cost more Python time than
# the rest of the register's queries together (issue 21); prepared once per connection on
# PostgreSQL (``leadership.prepared``). Only table names (ours) are formatted in; every value
# is a parameter.
_REGISTER_SQL = f"""
SELECT person.id, person.email, person.first_name, person.last_name, mark.status, mark.note
FROM {Enrolment._meta.db_table} enrolment
JOIN {User._meta.db_table} person ON person.id = enrolment.person_id
LEFT JOIN {Attendance._meta.db_table} mark
    ON mark.session_id = %(session)s AND mark.person_id = person.id
WHERE enrolment.cohort_id = %(cohort)s AND enrolment.role = %(participant)s
    AND enrolment.status IN ({_ATTENDANCE_ACTIVE}){{signed_up}}
ORDER BY person.last_name, person.first_name, person.id
"""  # noqa: S608  # nosec B608
_REGISTER_OF_ALL = Prepared("modules_register", _REGISTER_SQL.format(signed_up=""))
_REGISTER_OF_SIGNED_UP = Prepared(
    "modules_register_signed_up",
    _REGISTER_SQL.format(
        signed_up=f"""
    AND EXISTS (
        SELECT 1 FROM {ShortCourseSignup._meta.db_table} signup
        WHERE signup.session_id = %(session)s AND signup.person_id = person.id
    )"""  # noqa: S608  # nosec B608
    ),
)


def register_rows(session: Session) -> list[tuple[User, RegisterMark | None]]:
    """(person, their mark or None) for everyone on the register (``_REGISTER_SQL``), in name
    order. One query: each person with only what the register shows of them (name, e-mail)
    and the status and note of their row at the session, not the row's other columns."""
    params: dict[str, Any] = {
        "session": session.pk,
        "cohort": session.module.cohort_id,
        "participant": Enrolment.Role.PARTICIPANT.value,
        **{f"active{n}": s.value for n, s in enumerate(Enrolment.ACTIVE_STATUSES)},
    }
    with connection.cursor() as cursor:
        (_REGISTER_OF_SIGNED_UP if session.takes_signups else _REGISTER_OF_ALL).execute(
            cursor, params
        )
        rows = cursor.fetchall()
    db = connection.alias
    return [
        (
            # Only the fields read, in the model's field order.
            User.from_db(db, ("id", "email", "first_name", "last_name"), (pk, email, first, last)),
            None if status is None else RegisterMark(status, note),  # a row always has a status
        )
        for pk, email, first, last, status, note in rows
    ]


@dataclass(frozen=True)
class ParticipantAttendance:
    person: User
    expected: int
    attended: int
    apologies: int
    rate: float | None  # attended / expected, None before any session is held
    meets_rule: bool | None  # None before any session is held

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(self.rate * 100)


def attendance_summary_for_cohort(
    cohort: Cohort, *, people: list[User] | None = None
) -> list[ParticipantAttendance]:
    """Per active participant of ``cohort`` (or only ``people``): the sessions counted so far
    (held, with the register taken) that they were expected at (sign-up sessions only if
    signed up), how many they attended (present or late), their apologies, the rate, and
    whether the rate meets the programme's ``completion_min_attendance_percent``. A held
    session whose register was not taken is left out altogether: it says nothing about who
    came (``registers_missing`` lists them). Four queries whatever the size of the cohort:
    participants, counted sessions, sign-ups to them, attendance at them."""
    counted_sessions = Session.objects.filter(module__cohort=cohort).counted()
    return _attendance_summary(
        cohort, people, counted_sessions, list(counted_sessions.values_list("pk", "seat_limit"))
    )


def _attendance_summary(
    cohort: Cohort,
    people: list[User] | None,
    counted_sessions: QuerySet[Session],
    counted: list[tuple[int, int | None]],
) -> list[ParticipantAttendance]:
    """``attendance_summary_for_cohort`` from the counted sessions' (id, seat limit) as read by
    the caller: three queries."""
    enrolments = _participants(cohort.pk).select_related("person")
    if people is not None:
        enrolments = enrolments.filter(person__in=people)
    participants = [e.person for e in enrolments.order_by("person__last_name", "person__pk")]
    # Subqueries rather than id lists, so the count of queries never depends on the data.
    signed_up = set(
        ShortCourseSignup.objects.filter(
            session__in=counted_sessions.filter(seat_limit__isnull=False)
        ).values_list("session_id", "person_id")
    )
    statuses = Attendance.objects.filter(session__in=counted_sessions).values_list(
        "session_id", "person_id", "status"
    )
    return _summarise(cohort, participants, counted, signed_up, statuses)


def _summarise(
    cohort: Cohort,
    participants: list[User],
    counted: list[tuple[int, int | None]],
    signed_up: set[tuple[int, int]],
    statuses: Iterable[tuple[int, int, str]],
) -> list[ParticipantAttendance]:
    """Each participant's figures from the counted sessions' (id, seat limit), the (session,
    person) sign-ups to those that take them, and the (session, person, status) rows at them:
    the rule, written once for ``attendance_summary_for_cohort`` and ``cohort_attendance``."""
    signup_sessions = {pk for pk, limit in counted if limit is not None}
    attended: Counter = Counter()
    apologies: Counter = Counter()
    for session_id, person_id, status in statuses:
        if session_id in signup_sessions and (session_id, person_id) not in signed_up:
            continue
        if status in ATTENDED:
            attended[person_id] += 1
        elif status == Attendance.Status.APOLOGIES:
            apologies[person_id] += 1
    plain = len(counted) - len(signup_sessions)
    signups_by_person = Counter(person_id for _session, person_id in signed_up)
    threshold = cohort.programme.completion_min_attendance_percent
    summary = []
    for person in participants:
        expected = plain + signups_by_person[person.pk]
        rate = attended[person.pk] / expected if expected else None
        summary.append(
            ParticipantAttendance(
                person=person,
                expected=expected,
                attended=attended[person.pk],
                apologies=apologies[person.pk],
                rate=rate,
                meets_rule=None if rate is None else rate * 100 >= threshold,
            )
        )
    return summary


def registers_missing(cohort: Cohort) -> list[Session]:
    """The held sessions of ``cohort`` whose register has not been taken, most recent first,
    with their module. One query."""
    return list(
        Session.objects.filter(module__cohort=cohort)
        .register_missing()
        .select_related("module")
        .order_by("-starts_at", "pk")
    )


@dataclass(frozen=True)
class CohortAttendance:
    """What the attendance pages show: each participant's figures and the registers that
    are missing (left out of every rate)."""

    rows: list[ParticipantAttendance]
    missing: list[Session]


# What the attendance pages (the cohort's attendance page, the cohort page's attendance card)
# read, in one statement: the held sessions (counted when their register was taken, else
# missing), most recent first; the active participants in name order; the sign-ups to the
# counted sessions that take them; and the attendance rows at the counted sessions. Built
# through the ORM these were four queries, and building them cost several times what running
# them did (issue 21). A row's first column says which of the four it is; each kind fills the
# columns of its own types (so PostgreSQL needs no casts) and carries its order in ``rn``.
# Plain SQL that SQLite (the quick start) runs too, prepared once per connection on
# PostgreSQL (``leadership.prepared``); only table names (ours) are formatted in, every value
# is a parameter.
_COHORT_ATTENDANCE_SQL = f"""
WITH held AS (
    SELECT session.id, session.module_id, session.seat_limit, session.register_taken_at,
        session.title, session.starts_at, module.title AS module_title
    FROM {Session._meta.db_table} session
    JOIN {Module._meta.db_table} module ON module.id = session.module_id
    WHERE module.cohort_id = %(cohort)s AND session.status = %(scheduled)s
        AND session.starts_at <= %(now)s
),
counted AS (SELECT id, seat_limit FROM held WHERE register_taken_at IS NOT NULL)
SELECT 0 AS kind, id AS a, module_id AS b, seat_limit AS c,
    register_taken_at IS NOT NULL AS taken, starts_at, title AS t1, module_title AS t2,
    NULL AS t3, row_number() OVER (ORDER BY starts_at DESC, id) AS rn
FROM held
UNION ALL
SELECT 1, person.id, NULL, NULL, NULL, NULL, person.first_name, person.last_name,
    person.email, row_number() OVER (ORDER BY person.last_name, person.id)
FROM {Enrolment._meta.db_table} enrolment
JOIN {User._meta.db_table} person ON person.id = enrolment.person_id
WHERE enrolment.cohort_id = %(cohort)s AND enrolment.role = %(participant)s
    AND enrolment.status IN ({_ATTENDANCE_ACTIVE})
UNION ALL
SELECT 2, signup.session_id, signup.person_id, NULL, NULL, NULL, NULL, NULL, NULL, 0
FROM {ShortCourseSignup._meta.db_table} signup
JOIN counted ON counted.id = signup.session_id
WHERE counted.seat_limit IS NOT NULL
UNION ALL
SELECT 3, attendance.session_id, attendance.person_id, NULL, NULL, NULL, attendance.status,
    NULL, NULL, 0
FROM {Attendance._meta.db_table} attendance
JOIN counted ON counted.id = attendance.session_id
ORDER BY kind, rn
"""  # noqa: S608  # nosec B608
_COHORT_ATTENDANCE = Prepared("modules_cohort_attendance", _COHORT_ATTENDANCE_SQL)


def _as_datetime(value) -> datetime.datetime:
    """A date and time read by plain SQL: PostgreSQL gives it aware; SQLite, as text in UTC."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=datetime.UTC)


def cohort_attendance(cohort: Cohort, *, now: datetime.datetime | None = None) -> CohortAttendance:
    """``attendance_summary_for_cohort`` and ``registers_missing`` in one query
    (``_COHORT_ATTENDANCE_SQL``), the rates counted by the same rule (``_summarise``). Each
    participant comes with only what the pages show of them (name, e-mail) and each missing
    register's session with its title, start and module title."""
    now = now or timezone.now()
    params: dict[str, Any] = {
        "cohort": cohort.pk,
        # As the database stores it (SQLite: text in UTC), as the ORM would pass it.
        "now": connection.ops.adapt_datetimefield_value(now),
        "scheduled": Session.Status.SCHEDULED.value,
        "participant": Enrolment.Role.PARTICIPANT.value,
        **{f"active{n}": s.value for n, s in enumerate(Enrolment.ACTIVE_STATUSES)},
    }
    with connection.cursor() as cursor:
        _COHORT_ATTENDANCE.execute(cursor, params)
        rows = cursor.fetchall()
    counted: list[tuple[int, int | None]] = []
    missing: list[Session] = []
    participants: list[User] = []
    signed_up: set[tuple[int, int]] = set()
    statuses: list[tuple[int, int, str]] = []
    db = connection.alias
    for kind, a, b, c, taken, starts_at, t1, t2, t3, _rn in rows:
        if kind == 0 and taken:
            counted.append((a, c))
        elif kind == 0:
            # Model rows of only the fields read (in the models' field order), so the pages'
            # templates read them as they read the ORM's.
            session = Session.from_db(
                db, ("id", "module_id", "title", "starts_at"), (a, b, t1, _as_datetime(starts_at))
            )
            session.module = Module.from_db(db, ("id", "title"), (b, t2))
            missing.append(session)
        elif kind == 1:
            participants.append(
                User.from_db(db, ("id", "email", "first_name", "last_name"), (a, t3, t1, t2))
            )
        elif kind == 2:
            signed_up.add((a, b))
        else:
            statuses.append((a, b, t1))
    return CohortAttendance(
        rows=_summarise(cohort, participants, counted, signed_up, statuses), missing=missing
    )


def attendance_for_person(person: User) -> list[tuple[Cohort, ParticipantAttendance]]:
    """``person``'s attendance summary in each cohort they take part in (one query, then four
    per cohort; a participant is in one cohort at a time)."""
    cohorts = Cohort.objects.with_role(person, Enrolment.Role.PARTICIPANT).select_related(
        "programme"
    )
    result = []
    for cohort in cohorts:
        summary = attendance_summary_for_cohort(cohort, people=[person])
        if summary:
            result.append((cohort, summary[0]))
    return result


EXPORT_HEADER = [
    "Cohort",
    "Module",
    "Session",
    "Date",
    "Start",
    "End",
    "Duration (hours)",
    "Session status",
    "Participant",
    "E-mail",
    "Profession",
    "Department",
    "Attendance",
    "Note",
]


def attendance_export_rows(cohort: Cohort) -> list[list]:
    """One row per session × expected participant of ``cohort`` (times in the cohort's time
    zone). Attendance is "Register not taken" for every row of a held session without a
    register, and "Not recorded" where a taken register has no mark for the person. Four
    queries."""
    tz = cohort.tzinfo
    sessions = list(
        Session.objects.filter(module__cohort=cohort).select_related("module").order_by("starts_at")
    )
    participants = [
        e.person
        for e in _participants(cohort.pk)
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "person__pk")
    ]
    signed_up = set(
        ShortCourseSignup.objects.filter(session__module__cohort=cohort).values_list(
            "session_id", "person_id"
        )
    )
    attendance = {
        (a.session_id, a.person_id): a
        for a in Attendance.objects.filter(session__module__cohort=cohort)
    }
    now = timezone.now()
    rows = []
    for session in sessions:
        missing = (
            not session.is_cancelled and session.starts_at <= now and not session.register_taken
        )
        start, end = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
        hours = round((session.ends_at - session.starts_at).total_seconds() / 3600, 2)
        for person in participants:
            if session.takes_signups and (session.pk, person.pk) not in signed_up:
                continue
            row = attendance.get((session.pk, person.pk))
            rows.append(
                [
                    cohort.name,
                    session.module.title,
                    session.title,
                    start.date(),
                    start.strftime("%H:%M"),
                    end.strftime("%H:%M"),
                    hours,
                    session.get_status_display(),
                    person.get_full_name(),
                    person.email,
                    person.get_profession_display(),
                    person.department,
                    REGISTER_NOT_TAKEN
                    if missing
                    else (row.get_status_display() if row else "Not recorded"),
                    row.note if row and not missing else "",
                ]
            )
    return rows


@dataclass(frozen=True)
class RateCell:
    attended: int
    expected: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.attended / self.expected) if self.expected else None


def programme_attendance_comparison(programme: Programme) -> dict:
    """Attendance across the cohorts of ``programme``: per cohort overall, and per module
    title × cohort (short courses left out, as only those signed up are expected). The
    expected count is each counted session (held, register taken) × the cohort's current
    active participants; attended counts present or late. Held sessions without a register
    are left out of the rates and counted per cohort as ``missing``. Four queries: cohorts,
    participant counts, held sessions per module, attended rows per module."""
    cohorts = list(programme.cohorts.order_by("starts_on", "name"))
    ids = [c.pk for c in cohorts]
    participants = dict(
        Enrolment.objects.filter(
            cohort_id__in=ids,
            role=Enrolment.Role.PARTICIPANT,
            status__in=Enrolment.ACTIVE_STATUSES,
        )
        .values_list("cohort_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    held = (
        Session.objects.held()
        .filter(module__cohort_id__in=ids, seat_limit__isnull=True)
        .values_list("module__cohort_id", "module__title")
        .annotate(
            n=Count("pk", filter=Q(register_taken_at__isnull=False)),
            missing=Count("pk", filter=Q(register_taken_at__isnull=True)),
            first=Min("starts_at"),
        )
        .order_by()
    )
    still_enrolled = Enrolment.objects.filter(
        cohort_id=OuterRef("session__module__cohort_id"),
        person_id=OuterRef("person_id"),
        role=Enrolment.Role.PARTICIPANT,
        status__in=Enrolment.ACTIVE_STATUSES,
    )
    attended_rows = (
        Attendance.objects.filter(
            Exists(still_enrolled),
            session__module__cohort_id__in=ids,
            session__seat_limit__isnull=True,
            session__status=Session.Status.SCHEDULED,
            session__starts_at__lte=timezone.now(),
            session__register_taken_at__isnull=False,
            status__in=ATTENDED,
        )
        .values_list("session__module__cohort_id", "session__module__title")
        .annotate(n=Count("pk"))
        .order_by()
    )
    expected: dict[tuple[int, str], int] = defaultdict(int)
    missing: Counter = Counter()
    # Modules in date order: each title where it was first held in any of the cohorts.
    first_held: dict[str, datetime.datetime] = {}
    for cohort_id, title, n, not_taken, first in held:
        expected[(cohort_id, title)] += n * participants.get(cohort_id, 0)
        missing[cohort_id] += not_taken
        first_held[title] = min(first, first_held.get(title, first))
    titles = sorted(first_held, key=lambda title: (first_held[title], title))
    attended = {(cohort_id, title): n for cohort_id, title, n in attended_rows}
    by_cohort = []
    for cohort in cohorts:
        exp = sum(v for (cid, _t), v in expected.items() if cid == cohort.pk)
        att = sum(v for (cid, _t), v in attended.items() if cid == cohort.pk)
        by_cohort.append(
            {"cohort": cohort, "cell": RateCell(att, exp), "missing": missing[cohort.pk]}
        )
    by_module = [
        {
            "title": title,
            "cells": [
                RateCell(attended.get((c.pk, title), 0), expected.get((c.pk, title), 0))
                for c in cohorts
            ],
        }
        for title in titles
    ]
    return {
        "cohorts": cohorts,
        "by_cohort": by_cohort,
        "by_module": by_module,
        "registers_missing": sum(missing.values()),
    }


def short_courses_open(cohort: Cohort) -> QuerySet[Session]:
    """The cohort's sessions that take sign-ups, are not cancelled and have not started, in
    date order, each with ``signup_count``. One query."""
    return (
        Session.objects.filter(
            module__cohort=cohort,
            seat_limit__isnull=False,
            status=Session.Status.SCHEDULED,
            starts_at__gt=timezone.now(),
        )
        .select_related("module__cohort")
        .annotate(signup_count=_count(ShortCourseSignup))
        .order_by("starts_at", "pk")
    )


def modules_in_date_order(cohort: Cohort) -> QuerySet[Module]:
    """The cohort's modules by the start of each one's first session (a moved module takes
    its new place; one without sessions comes last), then by position in the sequence. One
    query."""
    return (
        Module.objects.filter(cohort=cohort)
        .annotate(first_starts_at=Min("sessions__starts_at"))
        .order_by(F("first_starts_at").asc(nulls_last=True), "position", "pk")
    )
