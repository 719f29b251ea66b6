"""The weekly digest for clinical leaders: one e-mail per sponsored running cohort per week,
planned by beat's sweep from Monday 07:00 in the cohort's time zone (idempotent per ISO week)."""

import datetime

from django.urls import reverse

from cohorts.models import Cohort, Enrolment
from leadership import notifications
from leadership.models import Notification
from modules.selectors import attendance_summary_for_cohort, registers_missing
from redesign_projects.selectors import teams_summary_for_cohort


def cohort_week_figures(cohort: Cohort) -> dict:
    """Attendance so far (sessions whose register was taken), registers not taken and work
    overdue, as the digest states them."""
    attendance = attendance_summary_for_cohort(cohort)
    expected = sum(row.expected for row in attendance)
    attended = sum(row.attended for row in attendance)
    below_rule = sum(1 for row in attendance if row.meets_rule is False)
    teams = teams_summary_for_cohort(cohort)
    return {
        "attendance_percent": round(100 * attended / expected) if expected else None,
        "registers_missing": len(registers_missing(cohort)),
        "below_rule": below_rule,
        "overdue": teams.overdue_count,
        "unplaced": len(teams.unplaced),
    }


def plan_leader_digests(*, now: datetime.datetime) -> int:
    """Record this week's digest for every clinical leader of every running cohort once their
    week has started (Monday 07:00 local). Returns rows created."""
    leaders = Enrolment.objects.filter(
        role=Enrolment.Role.CLINICAL_LEADER,
        status=Enrolment.Status.ENROLLED,
        cohort__status=Cohort.Status.RUNNING,
    ).select_related("person", "cohort__programme")
    by_cohort: dict[int, list[Enrolment]] = {}
    for enrolment in leaders:
        by_cohort.setdefault(enrolment.cohort_id, []).append(enrolment)
    created = 0
    for enrolments in by_cohort.values():
        cohort = enrolments[0].cohort
        local = now.astimezone(cohort.tzinfo)
        if local.weekday() == 0 and local.hour < 7:
            continue
        year, week, _day = local.isocalendar()
        pending = [
            e
            for e in enrolments
            if not Notification.objects.filter(
                dedup_key=f"leader-digest:{cohort.pk}:{e.person_id}:{year}-W{week:02d}"
            ).exists()
        ]
        if not pending:
            continue
        figures = cohort_week_figures(cohort)
        for enrolment in pending:
            row = notifications.notify(
                recipient=enrolment.person,
                kind=Notification.Kind.LEADER_DIGEST,
                dedup_key=f"leader-digest:{cohort.pk}:{enrolment.person_id}:{year}-W{week:02d}",
                template="leader_digest",
                context={
                    "programme_name": cohort.programme.name,
                    **cohort.email_voice(),
                    "cohort_name": cohort.name,
                    **figures,
                    "link": notifications.absolute_url(
                        reverse("cohorts:cohort_detail", kwargs={"cohort_id": cohort.pk})
                    ),
                },
                subject=cohort,
                cohort_id=cohort.pk,
            )
            created += row is not None
    return created
