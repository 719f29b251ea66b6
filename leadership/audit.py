"""The audit trail: the plain words for each recorded action, the programme each event
concerns, and the one narrow door through which erasure and retention may touch rows the
database otherwise refuses to change (see migration ``leadership/0003_audit_append_only``).
Events are recorded with ``leadership.services.audit_record``; the audit trail page reads them
(``governance``)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection, models, transaction
from django.db.models import BigIntegerField, OuterRef, Q, Subquery
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast

# The programme an event concerns: an id, an expression the INSERT evaluates, or None.
ProgrammeOf = Callable[[models.Model, int | None], int | Combinable | None]

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
    "programme.create": "Programme created (from blank)",
    "programme.update": "Programme changed",
    "cohort.create": "Cohort created",
    "cohort.status": "Cohort status changed",
    "cohort.import": "Participants imported",
    "cohort.people_export": "People list exported",
    "cohort.people_export_person": "Exported in a selection of people",
    "announcement.recipient": "Sent an announcement (chosen on the people list)",
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
    "api_token.create": "API token created",
    "api_token.revoke": "API token revoked",
    "api_token.use": "API token used",
    "api_points.receive": "Data points received through the API",
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


# --- the programme an event concerns -------------------------------------------------------
# Programme administrators read the events of their programmes. Recording each event's
# programme (``AuditEvent.programme_id``) makes "the events this person may read" an index
# range rather than a scan of the whole trail. The kernel knows nothing of programmes, so the
# app that defines them says how to find an event's (``cohorts.apps``).

_programme_of: ProgrammeOf | None = None


def register_programme_of(resolver: ProgrammeOf) -> None:
    """Say how ``audit_record`` finds the programme of an event from its target and cohort id.
    Called once, by the app that defines programmes, when Django starts."""
    global _programme_of  # noqa: PLW0603 — one registration at start-up, read by every write
    _programme_of = resolver


def programme_of(target: models.Model, cohort_id: int | None) -> int | Combinable | None:
    """The programme of an event about ``target`` in cohort ``cohort_id``: an id, or an
    expression (a subquery) that the event's INSERT evaluates, so recording it costs no query."""
    return None if _programme_of is None else _programme_of(target, cohort_id)


def backfill_programmes(*, events, cohorts, programme_type_id: int | None) -> int:
    """Fill in ``programme_id`` on events recorded without one: their cohort's programme, or
    the programme itself for events about a programme. Never changes a recorded programme (the
    append-only trigger refuses that). Takes managers so that a migration can pass its
    historical models. Returns how many events were filled in."""
    with transaction.atomic(), audit_maintenance():
        filled = (
            events.filter(programme_id__isnull=True, cohort_id__isnull=False)
            .filter(cohort_id__in=cohorts.values("pk"))
            .update(
                programme_id=Subquery(
                    cohorts.filter(pk=OuterRef("cohort_id")).values("programme_id")[:1]
                )
            )
        )
        if programme_type_id is not None:
            filled += events.filter(
                programme_id__isnull=True, cohort_id__isnull=True, target_type_id=programme_type_id
            ).update(programme_id=Cast("target_id", BigIntegerField()))
    return filled


def change_lines(changes: dict) -> list[str]:
    """An event's recorded changes as lines to display: "field: old → new" or "field: value"."""
    lines = []
    for key, value in changes.items():
        if isinstance(value, list) and len(value) == 2:
            lines.append(f"{key.replace('_', ' ')}: {value[0]} → {value[1]}")
        elif value not in ("", None, [], {}):
            lines.append(f"{key.replace('_', ' ')}: {value}")
    return lines


def own_account_events(user) -> Q:
    """Events without a cohort that ``user`` caused, their own sign-ins left out: all that a
    programme office may read of the account-wide part of the trail (the exports and erasures
    it did).

    Events without a cohort are about a whole account — logins with network addresses, two-
    factor authentication, changes in the admin site, calendar feeds, other offices' exports —
    and one account can be in several offices' programmes: enrolling someone must not show an
    office what the person did before, or does elsewhere. Those stay with superusers (and the
    person, in their own subject-access export)."""
    sign_ins = Q(action__startswith="auth.") | Q(action__startswith="mfa.")
    return Q(cohort_id__isnull=True, actor=user) & ~sign_ins
