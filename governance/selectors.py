"""Reading the audit trail: which events a person may see, a page at a time, filtered, and
labelled for the page. The kernel records the events (``leadership.services.audit_record``)
and names their actions (``leadership.audit.ACTION_LABELS``)."""

import datetime
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, Func, OuterRef, Q, QuerySet
from django.utils import timezone

from cohorts.models import Enrolment, Programme
from leadership.audit import ACTION_LABELS
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
    the programmes they administer (maybe none), and about how many people are enrolled in
    them (``people``, counted per programme)."""

    programme_ids: list[int] | None
    people: int = 0


def trail_reader(user: User) -> TrailReader:
    """Whose trail ``user`` reads. One query (none for a superuser): the programmes they
    administer, each with the number of people enrolled in it."""
    if user.is_superuser:
        return TrailReader(programme_ids=None)
    rows = Programme.objects.administered_by(user).annotate(
        people=Count("cohorts__enrolments__person_id", distinct=True)
    )
    counted = list(rows.values_list("pk", "people"))
    return TrailReader(
        programme_ids=[pk for pk, _ in counted], people=sum(people for _, people in counted)
    )


def _people(reader: TrailReader) -> QuerySet:
    """Everyone enrolled in ``reader``'s programmes, as a subquery of person ids."""
    enrolled = Enrolment.objects.filter(cohort__programme_id__in=reader.programme_ids)
    return enrolled.values("person_id")


# Up to this many people, their cohort-less events are read person by person (a page each at
# most); beyond it, newest first across everyone's, keeping theirs (see ``_people_events``).
PEOPLE_ONE_BY_ONE = 200


def visible_event_sets(reader: TrailReader) -> list[QuerySet[AuditEvent]]:
    """The events ``reader`` may see that are about their programmes, one set per programme,
    each read newest first from ``(programme_id, created_at, id)``: events about its cohorts
    and about the programme itself, whose programme was recorded with them. One set per
    programme rather than ``programme_id IN``, so each is an ordered index range. A superuser
    reads one set, the whole trail (``(created_at, id)``); someone who administers nothing,
    none. The cohort-less events about their people are ``people_events``."""
    if reader.programme_ids is None:
        return [AuditEvent.objects.all()]
    return [AuditEvent.objects.filter(programme_id=pk) for pk in reader.programme_ids]


def people_events(reader: TrailReader, person=None) -> QuerySet[AuditEvent] | None:
    """Cohort-less events (accounts, log-ins, calendar feeds, exports) about a person enrolled
    in one of ``reader``'s programmes, decided by today's enrolments (or about ``person``, an
    id or an ``OuterRef``, who is one of them); None for a superuser (``visible_event_sets``
    has them all) or when there is nobody. Disjoint from ``visible_event_sets``."""
    if reader.programme_ids is None or not reader.people:
        return None
    about = {"person_id": person} if person is not None else {"person_id__in": _people(reader)}
    return AuditEvent.objects.filter(cohort_id__isnull=True, **about).filter(
        Q(programme_id__isnull=True) | ~Q(programme_id__in=reader.programme_ids)
    )


def _newest_of_each_person(
    reader: TrailReader, filters: AuditFilters, cursor: Cursor
) -> QuerySet[AuditEvent]:
    """``people_events``, filtered, narrowed to each person's own page from ``cursor``: one
    short index range per person (``(person_id, created_at, id)``), so no more than a page per
    person is read however quiet they are against the rest of the trail. (Newest first across
    everyone's instead, keeping theirs, reads the whole trail when they are few and quiet:
    PostgreSQL cannot know that from its statistics.)"""
    own = people_events(reader, person=OuterRef("pk"))
    own = cursor.slice(_filtered(own, filters), time="created_at", size=AUDIT_PAGE_SIZE)
    newest = (
        User.objects.filter(pk__in=_people(reader))
        .annotate(event=Func(ArraySubquery(own.values("pk")), function="unnest"))
        .values("event")
    )
    return AuditEvent.objects.filter(pk__in=newest)


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
    each with its actor, from the position ``cursor`` names.

    One query whatever the length of the trail or the depth of the page: each visible set
    (``visible_event_sets``, ``people_events``) gives its ``AUDIT_PAGE_SIZE + 1`` rows next to
    the position from an index, and the page is the newest of those (UNION ALL; the sets are
    disjoint). No count: the page says "Newer" and "Older", not "page 3 of 2,000".

    ``person`` matches part of the name or e-mail of the person the event is about, or of the
    person who acted; the dates are whole days in the current time zone."""
    sets = [_filtered(events, filters) for events in visible_event_sets(reader)]
    about_people = people_events(reader)
    if about_people is not None and not filters.cohort_id:
        if reader.people <= PEOPLE_ONE_BY_ONE:
            sets.append(_newest_of_each_person(reader, filters, cursor))
        else:
            sets.append(_filtered(about_people, filters))
    branches = [
        cursor.slice(events.select_related("actor"), time="created_at", size=AUDIT_PAGE_SIZE)
        for events in sets
    ]
    if not branches:
        return KeysetPage.from_rows([], cursor, time="created_at", size=AUDIT_PAGE_SIZE)
    page = branches[0]
    if len(branches) > 1:
        page = branches[0].union(*branches[1:], all=True)
        ordering = ("created_at", "pk") if cursor.direction == "newer" else ("-created_at", "-pk")
        page = page.order_by(*ordering)[: AUDIT_PAGE_SIZE + 1]
    return KeysetPage.from_rows(list(page), cursor, time="created_at", size=AUDIT_PAGE_SIZE)


def label_events(events: list[AuditEvent], people: dict[int, User]) -> list[AuditEvent]:
    """Give each event ``label``, ``change_lines`` and ``person`` (the person it is about,
    from ``people``) for display."""
    for event in events:
        event.label = ACTION_LABELS.get(event.action, event.action)
        event.change_lines = change_lines(event.changes)
        event.person = people.get(event.person_id)
    return events


def people_of(events: list[AuditEvent]) -> dict[int, User]:
    """The people a page of events is about, by id. One query."""
    ids = {event.person_id for event in events if event.person_id}
    return User.objects.in_bulk(ids) if ids else {}


def change_lines(changes: dict) -> list[str]:
    lines = []
    for key, value in changes.items():
        if isinstance(value, list) and len(value) == 2:
            lines.append(f"{key.replace('_', ' ')}: {value[0]} → {value[1]}")
        elif value not in ("", None, [], {}):
            lines.append(f"{key.replace('_', ' ')}: {value}")
    return lines
