"""Reading the audit trail: which events a person may see, a page at a time, filtered, and
labelled for the page. The kernel records the events (``leadership.services.audit_record``)
and names their actions (``leadership.audit.ACTION_LABELS``)."""

import datetime
from dataclasses import dataclass
from typing import cast

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


def reader_and_cohorts(user: User) -> tuple[TrailReader, list[Cohort]]:
    """Whose trail ``user`` reads, and the cohorts they may narrow it to (with their
    programme's name; newest first), for the audit trail page's filter. One query: the
    programmes they administer, each cohort joined on (a programme without cohorts is a row
    too: its own events are theirs to read); every cohort for a superuser, who reads every
    event."""
    if user.is_superuser:
        return TrailReader(user=user, programme_ids=None), list(
            Cohort.objects.select_related("programme")
        )
    rows = (
        Programme.objects.administered_by(user)
        .order_by("-cohorts__starts_on", "cohorts__name", "cohorts__pk")  # as Cohort.Meta
        .values_list("pk", "name", "cohorts__pk", "cohorts__name")
    )
    programme_ids: set[int] = set()
    cohorts = []
    for programme_id, programme_name, cohort_id, cohort_name in rows:
        programme_ids.add(programme_id)
        if cohort_id is not None:
            programme = Programme(pk=programme_id, name=programme_name)
            cohorts.append(Cohort(pk=cohort_id, name=cohort_name, programme=programme))
    return TrailReader(user=user, programme_ids=sorted(programme_ids)), cohorts


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
    from the position ``cursor`` names (their actors come with ``people_of``).

    One query whatever the length of the trail or the depth of the page: each visible set
    (``visible_event_sets``) gives its ``AUDIT_PAGE_SIZE + 1`` rows next to
    the position from an index, and the page is the newest of those (UNION ALL; the sets are
    disjoint). No count: the page says "Newer" and "Older", not "page 3 of 2,000".

    ``person`` matches part of the name or e-mail of the person the event is about, or of the
    person who acted; the dates are whole days in the current time zone."""
    sets = [
        _filtered(events, filters)
        for events in visible_event_sets(reader, own=not filters.cohort_id)
    ]
    branches = [
        # No join of the actor in each set: building it into every branch of the UNION cost
        # more than the query took to run; ``people_of`` reads the actors with the people.
        cursor.slice(events, time="created_at", size=AUDIT_PAGE_SIZE)
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
    """Give each event ``label``, ``change_lines``, ``person`` (the person it is about) and
    ``actor`` (who did it), both from ``people`` (``people_of``), for display."""
    for event in events:
        event.label = ACTION_LABELS.get(event.action, event.action)
        event.change_lines = change_lines(event.changes)
        event.person = people.get(cast(int, event.person_id))  # None finds no one
        if event.actor_id is not None:
            event.actor = people[event.actor_id]
    return events


def people_of(events: list[AuditEvent]) -> dict[int, User]:
    """The people a page of events is about and those who acted, by id, with what their names
    are written from. One query."""
    ids = {pk for event in events for pk in (event.person_id, event.actor_id) if pk}
    if not ids:
        return {}
    return User.objects.only("first_name", "last_name", "email").in_bulk(ids)
