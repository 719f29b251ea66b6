"""Demo notification log for the running demo cohort: sent, pending and failed e-mails, so
the log page and its retry button have something to show. Idempotent (dedup keys).

The demo logins whose role needs two-factor authentication (the administrator and the
clinical leader) get an authenticator app holding the published demo secret (README, "Demo
logins"; ``python manage.py demo_code`` prints its current code)."""

import datetime

from django.db.models import Q
from django.utils import timezone

from cohorts.models import Cohort, Enrolment
from leadership.mfa import totp_enrol
from leadership.models import Notification, User

from .cohorts import DEMO_DOMAIN

# The demo's published secret (README, "Demo logins"): demo data only, never a real account.
DEMO_TOTP_SECRET = "LEADERSHIPDEMOTWOFACTORSECRETKEY"


def load(today: datetime.date) -> None:
    _give_demo_authenticator_apps()
    cohort = Cohort.objects.filter(
        programme__slug="enhanced-care-management", name="Cohort 3"
    ).first()
    if cohort is None:
        return
    people = [
        e.person
        for e in Enrolment.objects.filter(cohort=cohort, role=Enrolment.Role.PARTICIPANT)
        .select_related("person")
        .order_by("person__last_name")[:12]
    ]
    now = timezone.now()
    module_day = timezone.localdate() + datetime.timedelta(days=14)
    rows = []
    for n, person in enumerate(people):
        if n < 8:
            status, when, error = Notification.Status.SENT, now - datetime.timedelta(days=3), ""
        elif n < 11:
            status, when, error = Notification.Status.PENDING, now + datetime.timedelta(days=4), ""
        else:
            status, when, error = (
                Notification.Status.FAILED,
                now - datetime.timedelta(days=1),
                "SMTPRecipientsRefused: 550 5.1.1 Mailbox unavailable",
            )
        rows.append(
            Notification(
                recipient=person,
                kind=Notification.Kind.SESSION_REMINDER,
                dedup_key=f"demo:cohort{cohort.pk}:{person.pk}",
                cohort_id=cohort.pk,
                template="session_reminder",
                context={
                    "programme_name": cohort.programme.name,
                    "session_title": "Culture and change",
                    "session_date": f"{module_day:%A} {module_day.day} {module_day:%B %Y}",
                    "session_times": "09:00–17:00 (Pacific/Auckland)",
                    "venue_name": "Waitematā Learning Centre",
                    "venue_address": "",
                    "what_to_prepare": "",
                    "when_label": "in two weeks",
                },
                scheduled_for=when,
                next_attempt_at=when,
                status=status,
                attempts=0 if status == Notification.Status.PENDING else (5 if error else 1),
                last_error=error,
                sent_at=when if status == Notification.Status.SENT else None,
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)


def _give_demo_authenticator_apps() -> None:
    must = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").filter(
        Q(administered_programmes__isnull=False)
        | Q(
            enrolments__role=Enrolment.Role.CLINICAL_LEADER,
            enrolments__status__in=Enrolment.ACTIVE_STATUSES,
        )
    )
    for user in must.distinct():
        totp_enrol(user=user, secret=DEMO_TOTP_SECRET)
