"""The audit trail: who did what to whom, when. Reading and filtering it, and the one narrow
door through which erasure and retention may touch rows the database otherwise refuses to
change (see migration ``leadership/0003_audit_append_only``)."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from .models import AuditEvent, User

# Plain words for the actions the apps record. An action missing here is shown as recorded.
ACTION_LABELS = {
    "auth.login": "Logged in",
    "auth.login_failed": "Failed login",
    "auth.logout": "Logged out",
    "auth.mfa_failed": "Wrong two-factor code",
    "auth.sso_linked": "Single sign-on linked",
    "mfa.totp_enabled": "Two-factor authentication turned on",
    "mfa.totp_disabled": "Two-factor authentication turned off",
    "mfa.recovery_code_used": "Recovery code used",
    "mfa.recovery_codes_regenerated": "Recovery codes regenerated",
    "person.create": "Account created",
    "person.invite": "Invited to set a password",
    "person.admin_add": "Account added in the admin site",
    "person.admin_change": "Account changed in the admin site (incl. staff, superuser, active)",
    "person.groups": "Account groups changed in the admin site",
    "person.erase": "Person erased (anonymised)",
    "person.export": "Personal data exported (subject access)",
    "programme.administrators": "Programme administrators changed (role)",
    "programme.admin_add": "Programme added in the admin site",
    "programme.admin_change": "Programme changed in the admin site",
    "programme.copy": "Programme copied",
    "programme.update": "Programme changed",
    "cohort.create": "Cohort created",
    "cohort.status": "Cohort status changed",
    "cohort.import": "Participants imported",
    "cohort.people_export": "People list exported",
    "enrolment.create": "Enrolled (role given)",
    "enrolment.status": "Enrolment status changed",
    "enrolment.admin_add": "Enrolment added in the admin site",
    "enrolment.admin_change": "Enrolment (role, status) changed in the admin site",
    "schedule.generate": "Schedule generated",
    "module.move": "Module moved",
    "module.update": "Module changed",
    "attendance.export": "Attendance exported",
    "session.update": "Session changed",
    "attendance.record": "Attendance recorded",
    "attendance.apologies": "Apologies sent",
    "attendance.apologies_withdrawn": "Apologies withdrawn",
    "short_course.signup": "Signed up for a short course",
    "short_course.cancel": "Short course place cancelled",
    "calendar_feed.create": "Calendar feed created",
    "calendar_feed.revoke": "Calendar feed revoked",
    "redesign_team.create": "Redesign team created",
    "redesign_team.update": "Redesign team changed",
    "redesign_team.restructure": "Redesign teams restructured",
    "assignment.create": "Assignment created",
    "assignment.update": "Assignment changed",
    "extension.grant": "Extension granted",
    "submission.save_draft": "Submission draft saved",
    "submission.submit": "Submitted",
    "feedback.save": "Feedback drafted",
    "feedback.release": "Feedback released",
    "feedback.release_all": "All feedback released",
    "peer_comment.create": "Peer comment added",
    "measure.create": "Measure created",
    "measure.update": "Measure changed",
    "measure.rebase": "Measure limits recalculated",
    "datapoint.create": "Data point entered",
    "datapoint.update": "Data point corrected",
    "datapoint.import": "Data points imported",
    "pdsa_cycle.create": "PDSA cycle created",
    "pdsa_cycle.update": "PDSA cycle changed",
    "chart_rules.set": "Chart rules changed",
    "pairing.create": "Pairing proposed",
    "pairing.activate": "Pairing started",
    "pairing.end": "Pairing ended",
    "pairing.project_update": "Pair project changed",
    "pairing_preference.save": "Pairing preferences saved",
    "shadowing.create": "Shadowing logged",
    "report.request": "Report requested",
    "report.retry": "Report built again",
    "report.download": "Report downloaded",
    "report.export": "Report figures exported",
    "certificate.issue": "Certificate issued",
    "certificate.revoke": "Certificate revoked",
    "notification.retry": "E-mail sent again",
}

AUDIT_PAGE_SIZE = 50


@contextmanager
def audit_maintenance() -> Iterator[None]:
    """Open the database's append-only guard for the rest of the current transaction.

    Only erasure (rewriting an erased person's name out of ``target_repr`` and ``changes``)
    and retention (deleting rows past their period) use it. The flag is transaction-local
    (``set_config(..., true)``), so it ends when the transaction does; it must be used inside
    ``transaction.atomic``."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_maintenance() needs an open transaction.")
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('leadership.audit_maintenance', 'on', true)")
    # No ``finally``: after an error the enclosing atomic block rolls back (to its savepoint),
    # and PostgreSQL undoes the set_config with it; a query here would only hide the error.
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('leadership.audit_maintenance', '', true)")


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
    programmes themselves, and events without a cohort that they caused themselves (the
    exports and erasures they did; not their own sign-ins). Nobody else sees any (empty
    queryset).

    Events without a cohort are about a whole account — logins with network addresses, two-
    factor authentication, changes in the admin site, calendar feeds, other offices' exports —
    and one account can be in several offices' programmes: enrolling someone must not show
    an office what the person did before, or does elsewhere. Those stay with superusers (and
    the person, in their own export).

    Built from subqueries, so reading it is still a single query."""
    from cohorts.models import Cohort, Programme

    if user.is_superuser:
        return AuditEvent.objects.all()
    cohorts = Cohort.objects.administered_by(user)
    programme_ids = Programme.objects.filter(administrators=user).values("pk")
    return AuditEvent.objects.filter(
        Q(cohort_id__in=cohorts.values("pk"))
        | (Q(cohort_id__isnull=True, actor=user) & ~_sign_ins())
        | Q(
            target_type__app_label="cohorts",
            target_type__model="programme",
            target_id__in=_as_text(programme_ids),
        )
    )


def _sign_ins() -> Q:
    """Logins, log-outs and two-factor events: an account's own, not a programme's."""
    return Q(action__startswith="auth.") | Q(action__startswith="mfa.")


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
