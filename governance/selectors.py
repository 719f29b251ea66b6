"""Reading the audit trail: which events a person may see, filtered, and labelled for the
page. The kernel records the events (``leadership.services.audit_record``) and names their
actions (``leadership.audit.ACTION_LABELS``)."""

import datetime
from dataclasses import dataclass
from typing import cast

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from cohorts.models import Cohort, Programme
from leadership.audit import ACTION_LABELS, change_lines, own_account_events
from leadership.models import AuditEvent, User

AUDIT_PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    cohort_id: int | None = None
    person: str = ""
    action: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def events_visible_to(user: User) -> QuerySet[AuditEvent]:
    """The audit events ``user`` may read: every event for a superuser; for a programme
    administrator, events about the cohorts of their programmes, events about their
    programmes themselves, and the events without a cohort that they caused themselves (not
    their sign-ins; ``leadership.audit.own_account_events`` says why). Nobody else sees any
    (empty queryset).

    Built from subqueries, so reading it is still a single query."""
    if user.is_superuser:
        return AuditEvent.objects.all()
    cohorts = Cohort.objects.administered_by(user)
    programme_ids = Programme.objects.administered_by(user).values("pk")
    return AuditEvent.objects.filter(
        Q(cohort_id__in=cohorts.values("pk"))
        | own_account_events(user)
        | Q(
            target_type__app_label="cohorts",
            target_type__model="programme",
            target_id__in=_as_text(programme_ids),
        )
    )


def _as_text(ids: QuerySet) -> QuerySet:
    """``target_id`` is text (it names rows of any model); compare programme ids as text."""
    return ids.annotate(pk_text=Cast("pk", CharField())).values("pk_text")


def audit_trail(user: User, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The events ``user`` may read, newest first, filtered, each with its actor. One query
    per page, plus the paginator's count: the page does not grow with the trail.

    ``person`` matches part of the name or e-mail of the person the event is about, or of the
    person who acted."""
    events = events_visible_to(user).select_related("actor", "target_type")
    if filters.cohort_id:
        events = events.filter(cohort_id=filters.cohort_id)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.date_from:
        events = events.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        events = events.filter(created_at__date__lte=filters.date_to)
    if filters.person:
        term = filters.person
        matching = User.objects.filter(
            Q(email__icontains=term) | Q(first_name__icontains=term) | Q(last_name__icontains=term)
        ).values("pk")
        events = events.filter(Q(person_id__in=matching) | Q(actor_id__in=matching))
    return events.order_by("-created_at", "-id")


def label_events(events: list[AuditEvent], people: dict[int, User]) -> list[AuditEvent]:
    """Give each event ``label``, ``change_lines`` and ``person`` (the person it is about,
    from ``people``) for display."""
    for event in events:
        event.label = ACTION_LABELS.get(event.action, event.action)
        event.change_lines = change_lines(event.changes)
        event.person = people.get(cast(int, event.person_id))  # None finds no one
    return events


def people_of(events: list[AuditEvent]) -> dict[int, User]:
    """The people a page of events is about, by id. One query."""
    ids = {event.person_id for event in events if event.person_id}
    return User.objects.in_bulk(ids) if ids else {}
