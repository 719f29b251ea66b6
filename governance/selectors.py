"""Reading the audit trail: which events a person may see, a page at a time, filtered, and
labelled for the page. The kernel records the events (``leadership.services.audit_record``)
and names their actions (``leadership.audit.ACTION_LABELS``)."""

import datetime
import json
from dataclasses import dataclass
from typing import cast

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from cohorts.models import Cohort, Programme
from leadership.audit import ACTION_LABELS, change_lines, own_account_events
from leadership.keyset import Cursor, KeysetPage
from leadership.models import AuditEvent, User

AUDIT_PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    cohort_id: int | None = None
    person: str = ""
    action: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


@dataclass(frozen=True)
class TrailReader:
    """Whose trail a person reads: ``programme_ids`` None for a superuser (every event), else
    the programmes they administer (maybe none); ``user`` for their own account events."""

    user: User
    programme_ids: list[int] | None


def trail_reader(user: User) -> TrailReader:
    """Whose trail ``user`` reads. One query (``reader_and_cohorts``)."""
    return reader_and_cohorts(user)[0]


@dataclass(frozen=True, slots=True)
class CohortChoice:
    """A cohort the audit trail page's filter offers, written as ``str(cohort)`` is."""

    pk: int
    programme_id: int
    label: str

    def __str__(self) -> str:
        return self.label


_COHORTS = Cohort._meta.db_table
_PROGRAMMES = Programme._meta.db_table
_ADMINISTRATORS = Programme.administrators.through._meta.db_table
_EVERY_COHORT = f"""
    SELECT p.id, p.name, c.id, c.name FROM {_COHORTS} c
      JOIN {_PROGRAMMES} p ON p.id = c.programme_id
     ORDER BY c.starts_on DESC, c.name, c.id"""  # noqa: S608 — table names only  # nosec B608
_ADMINISTERED_COHORTS = f"""
    SELECT p.id, p.name, c.id, c.name FROM {_PROGRAMMES} p
      JOIN {_ADMINISTRATORS} a ON a.programme_id = p.id
      LEFT JOIN {_COHORTS} c ON c.programme_id = p.id
     WHERE a.user_id = %s
     ORDER BY c.starts_on DESC, c.name, c.id"""  # noqa: S608 — table names only  # nosec B608


def reader_and_cohorts(user: User) -> tuple[TrailReader, list[CohortChoice]]:
    """Whose trail ``user`` reads, and the cohorts they may narrow it to (with their
    programme's name; newest first, as ``Cohort.Meta``), for the audit trail page's filter.
    One query: the programmes they administer (``Programme.objects.administered_by``: the
    rows of its administrators table), each cohort joined on (a programme without cohorts is
    a row too: its own events are theirs to read); every cohort for a superuser, who reads
    every event. Written here rather than through the ORM, whose building of the query and
    of a Cohort and a Programme for each row cost more than the audit trail's own query."""
    with connection.cursor() as db:
        if user.is_superuser:
            db.execute(_EVERY_COHORT)
        else:
            db.execute(_ADMINISTERED_COHORTS, [user.pk])
        rows = db.fetchall()
    programme_ids = {programme_id for programme_id, *_cohort in rows}
    cohorts = [
        CohortChoice(pk=cohort_id, programme_id=programme_id, label=f"{programme} — {cohort}")
        for programme_id, programme, cohort_id, cohort in rows
        if cohort_id is not None
    ]
    reader = TrailReader(
        user=user, programme_ids=None if user.is_superuser else sorted(programme_ids)
    )
    return reader, cohorts


def visible_event_sets(reader: TrailReader, *, own: bool = True) -> list[QuerySet[AuditEvent]]:
    """The audit events ``reader`` may see, as disjoint sets each read newest first from one
    index:

    * the events without a cohort that they caused themselves, their sign-ins left out
      (``leadership.audit.own_account_events`` says why), from
      ``(actor_id, created_at, id) WHERE cohort_id IS NULL``;
    * each programme's events (``(programme_id, created_at, id)``): events about its cohorts
      and about the programme itself, whose programme was recorded with them, less the
      reader's own of the first set.

    A programme's own events (changed, its administrators changed) are mostly its office's:
    they are left out of the programme's set, not out of the reader's own, so that each set
    finds its page among the first rows of its index. (The other way round, the reader's own
    set read every programme event they had ever caused to keep none of them: 5,000 rows for
    a page in the bench.) A programme's set passes over only the reader's own rows among its
    newest, a few among its cohorts' many.

    A superuser reads one set, the whole trail (``(created_at, id)``); someone who
    administers nothing, only their own. One set per programme rather than
    ``programme_id IN``, so each is an ordered index range: the page is the newest of each
    set's newest rows. ``own=False`` leaves out their own account events (when only one
    cohort's are wanted)."""
    if reader.programme_ids is None:
        return [AuditEvent.objects.all()]
    own_events = own_account_events(reader.user)
    sets = [AuditEvent.objects.filter(programme_id=pk) for pk in reader.programme_ids]
    if own:
        sets = [events.exclude(own_events) for events in sets]
        sets.append(AuditEvent.objects.filter(own_events))
    return sets


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in the current time zone, so a date filter is a range
    on ``created_at`` that its indexes serve (``created_at::date`` would serve none)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _filtered(events: QuerySet[AuditEvent], filters: AuditFilters) -> QuerySet[AuditEvent]:
    if filters.cohort_id:
        events = events.filter(cohort_id=filters.cohort_id)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.date_from:
        events = events.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        next_day = filters.date_to + datetime.timedelta(days=1)
        events = events.filter(created_at__lt=_day_start(next_day))
    if filters.person:
        term = filters.person
        matching = User.objects.filter(
            Q(email__icontains=term) | Q(first_name__icontains=term) | Q(last_name__icontains=term)
        ).values("pk")
        events = events.filter(Q(person_id__in=matching) | Q(actor_id__in=matching))
    return events


def audit_trail_page(reader: TrailReader, filters: AuditFilters, cursor: Cursor) -> KeysetPage:
    """One page of the events ``reader`` (``trail_reader``) may see, newest first, filtered,
    from the position ``cursor`` names, as ``TrailEntry`` rows with who acted and whom each
    is about.

    One query whatever the length of the trail or the depth of the page: each visible set
    (``visible_event_sets``) gives its ``AUDIT_PAGE_SIZE + 1`` rows next to the position from
    an index, and the page is the newest of those (UNION ALL; the sets are disjoint), the
    people joined on. No count: the page says "Newer" and "Older", not "page 3 of 2,000".

    ``person`` matches part of the name or e-mail of the person the event is about, or of the
    person who acted; the dates are whole days in the current time zone.

    On PostgreSQL the statement is written here (``_trail_sql``): built by the ORM, the UNION
    cost about a quarter of the page's time to compile, more than it takes to run. SQLite (the
    quick start) reads the same page through the ORM (``audit_trail_page_orm``), which is
    also what tests/governance/test_audit_trail_sql.py holds the statement to."""
    if connection.vendor != "postgresql":
        return audit_trail_page_orm(reader, filters, cursor)
    statement = _trail_sql(reader, filters, cursor)
    if statement is None:
        return KeysetPage.from_rows([], cursor, time="created_at", size=AUDIT_PAGE_SIZE)
    with connection.cursor() as db:
        db.execute(*statement)
        entries = [_entry(*row) for row in db.fetchall()]
    return KeysetPage.from_rows(entries, cursor, time="created_at", size=AUDIT_PAGE_SIZE)


@dataclass(frozen=True, slots=True)
class TrailEntry:
    """An audit event as the audit trail page shows it (``audit_rows``)."""

    pk: int
    created_at: datetime.datetime
    action: str
    label: str  # the action in plain words
    target_repr: str
    change_lines: list[str]
    actor: str | None  # who acted (their name); None when the system did
    person_id: int | None  # whom it is about
    person: str | None  # their name; None when it is about no one (or no one is found)


def _name(first_name: str | None, last_name: str | None, email: str | None) -> str | None:
    """What ``str(user)`` reads: the full name, or the e-mail without one; None for no one
    (the LEFT JOIN found nobody: every account has an e-mail address)."""
    if email is None:
        return None
    return f"{first_name} {last_name}".strip() or email


def _entry(pk, created_at, action, target_repr, changes, person_id, actor_id, *names) -> TrailEntry:
    """A row of ``_trail_sql``'s statement as the page shows it."""
    return TrailEntry(
        pk=pk,
        created_at=created_at,
        action=action,
        label=ACTION_LABELS.get(action, action),
        target_repr=target_repr,
        # Django reads jsonb as text (``JSONField.from_db_value`` decodes it), so here too.
        change_lines=change_lines(json.loads(changes)),
        actor=_name(*names[:3]),
        person_id=person_id,
        person=_name(*names[3:]),
    )


_EVENTS = AuditEvent._meta.db_table
_PEOPLE = User._meta.db_table
# What a page reads of each event, in the order ``_entry`` takes them.
_COLUMNS = "e.id, e.created_at, e.action, e.target_repr, e.changes, e.person_id, e.actor_id"
# The events a programme office caused without a cohort, their sign-ins left out: the
# condition of ``own_account_events`` (and of the partial index ``audit_own_idx``, written as
# Django writes it, so that the planner sees the one imply the other).
_NOT_SIGN_IN = "NOT (e.action::text LIKE 'auth.%%' OR e.action::text LIKE 'mfa.%%')"
_OWN = f"e.actor_id = %s AND e.cohort_id IS NULL AND {_NOT_SIGN_IN}"
# ``NOT (own)`` as the ORM's ``exclude`` writes it: an event without an actor is not the
# reader's own (``e.actor_id = %s`` alone would be NULL for it, and NOT NULL keeps no row).
_NOT_OWN = f"NOT (e.actor_id IS NOT NULL AND {_OWN})"
_PERSON_MATCHES = f"""SELECT u.id FROM {_PEOPLE} u
 WHERE UPPER(u.email::text) LIKE UPPER(%s) OR UPPER(u.first_name::text) LIKE UPPER(%s)
    OR UPPER(u.last_name::text) LIKE UPPER(%s)"""  # noqa: S608 — table names only  # nosec B608


def _trail_sql(
    reader: TrailReader, filters: AuditFilters, cursor: Cursor
) -> tuple[str, list] | None:
    """The statement (and its parameters) for ``audit_trail_page``: the sets of
    ``visible_event_sets`` with ``_filtered``'s filters and ``Cursor.slice``'s position, each
    a parenthesised ``SELECT … ORDER BY … LIMIT`` read from its index, their UNION ALL
    ordered and cut to a page, then the actors and the people the events are about joined
    on. None when the reader sees no set. Only table names are formatted in; every value is a
    parameter."""
    shared: list[str] = []  # conditions every set takes, with their parameters
    shared_params: list = []
    if filters.cohort_id:
        shared.append("e.cohort_id = %s")
        shared_params.append(filters.cohort_id)
    if filters.action:
        shared.append("e.action = %s")
        shared_params.append(filters.action)
    if filters.date_from:
        shared.append("e.created_at >= %s")
        shared_params.append(_day_start(filters.date_from))
    if filters.date_to:
        shared.append("e.created_at < %s")
        shared_params.append(_day_start(filters.date_to + datetime.timedelta(days=1)))
    if filters.person:
        shared.append(f"(e.person_id IN ({_PERSON_MATCHES}) OR e.actor_id IN ({_PERSON_MATCHES}))")
        pattern = f"%{connection.ops.prep_for_like_query(filters.person)}%"
        shared_params += [pattern] * 6
    order = "DESC"
    if cursor.position is not None:
        # As ``Cursor.slice``: the first half bounds the index scan.
        at, pk = cursor.position.at, cursor.position.pk
        if cursor.direction == "newer":
            order = "ASC"
            shared.append("e.created_at >= %s AND (e.created_at > %s OR e.id > %s)")
        else:
            shared.append("e.created_at <= %s AND (e.created_at < %s OR e.id < %s)")
        shared_params += [at, at, pk]

    sets: list[tuple[list[str], list]] = []  # each set's own conditions and parameters
    if reader.programme_ids is None:
        sets.append(([], []))
    else:
        own = not filters.cohort_id
        for programme_id in reader.programme_ids:
            if own:
                sets.append((["e.programme_id = %s", _NOT_OWN], [programme_id, reader.user.pk]))
            else:
                sets.append((["e.programme_id = %s"], [programme_id]))
        if own:
            sets.append(([_OWN], [reader.user.pk]))
    if not sets:
        return None
    limit = AUDIT_PAGE_SIZE + 1
    branches, params = [], []
    for conditions, set_params in sets:
        where = " AND ".join(conditions + shared) or "TRUE"
        branches.append(
            f"(SELECT {_COLUMNS} FROM {_EVENTS} e WHERE {where}"  # noqa: S608  # nosec B608
            f" ORDER BY e.created_at {order}, e.id {order} LIMIT {limit})"
        )
        params += set_params + shared_params
    page = " UNION ALL ".join(branches)
    if len(branches) > 1:
        page += f" ORDER BY created_at {order}, id {order} LIMIT {limit}"
    # Each row's actor and person by their primary key (LATERAL … LIMIT 1, which the planner
    # keeps as a lookup a row): a plain LEFT JOIN hashed the whole people table twice for the
    # page's 51 rows, most of the statement's time at a thousand people.
    sql = f"""
        SELECT t.*, a.first_name, a.last_name, a.email, p.first_name, p.last_name, p.email
          FROM ({page}) t
          LEFT JOIN LATERAL (SELECT u.first_name, u.last_name, u.email FROM {_PEOPLE} u
                              WHERE u.id = t.actor_id LIMIT 1) a ON TRUE
          LEFT JOIN LATERAL (SELECT u.first_name, u.last_name, u.email FROM {_PEOPLE} u
                              WHERE u.id = t.person_id LIMIT 1) p ON TRUE
         ORDER BY t.created_at {order}, t.id {order}"""  # noqa: S608 — see the docstring  # nosec B608
    return sql, params


def audit_trail_page_orm(reader: TrailReader, filters: AuditFilters, cursor: Cursor) -> KeysetPage:
    """``audit_trail_page`` through the ORM, for SQLite (the quick start): each visible set's
    rows next to the position, a query each, the page the newest of them (merged here:
    SQLite refuses a UNION of ordered, limited sets), and the people in one more query
    (``people_of``). It is also what the PostgreSQL statement is tested against."""
    newer = cursor.direction == "newer"
    events = sorted(
        (
            event
            for events in visible_event_sets(reader, own=not filters.cohort_id)
            for event in cursor.slice(
                _filtered(events, filters), time="created_at", size=AUDIT_PAGE_SIZE
            )
        ),
        key=lambda event: (event.created_at, event.pk),
        reverse=not newer,
    )[: AUDIT_PAGE_SIZE + 1]
    people = people_of(events)
    entries = []
    for event in events:
        person = people.get(cast(int, event.person_id))  # None finds no one
        entries.append(
            TrailEntry(
                pk=event.pk,
                created_at=event.created_at,
                action=event.action,
                label=ACTION_LABELS.get(event.action, event.action),
                target_repr=event.target_repr,
                change_lines=change_lines(event.changes),
                actor=None if event.actor_id is None else str(people[event.actor_id]),
                person_id=event.person_id,
                person=None if person is None else str(person),
            )
        )
    return KeysetPage.from_rows(entries, cursor, time="created_at", size=AUDIT_PAGE_SIZE)


def people_of(events: list[AuditEvent]) -> dict[int, User]:
    """The people a page of events is about and those who acted, by id, with what their names
    are written from. One query."""
    ids = {pk for event in events for pk in (event.person_id, event.actor_id) if pk}
    if not ids:
        return {}
    return User.objects.only("first_name", "last_name", "email").order_by().in_bulk(ids)
