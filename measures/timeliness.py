"""Timely monthly data: each monthly measure's latest value is due by the ``DUE_DAY``th of the
following month. The team or pair that owns it is reminded when the month ends
(``plan_measure_data_reminders``, a planner in ``home/planners.py``), and their start page says
how late it is ("March's value is 12 days late") once the due day has passed. Weekly measures
are left out: their rhythm is the team's own."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Max, Q, QuerySet
from django.urls import reverse

from cohorts.models import Cohort, Enrolment
from leadership import notifications
from leadership.models import Notification, User
from pairings.models import Pairing
from redesign_projects.models import TeamMembership

from .models import Measure

# A month's value is due by the end of this day of the next month.
DUE_DAY = 7
LIVE_COHORTS = (Cohort.Status.PLANNED, Cohort.Status.RUNNING)


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _previous_month(month: datetime.date) -> datetime.date:
    return (month - datetime.timedelta(days=1)).replace(day=1)


def _next_month(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


def due_date(month: datetime.date) -> datetime.date:
    """The last day on which ``month``'s value is on time."""
    return _next_month(month).replace(day=DUE_DAY)


def latest_due_month(today: datetime.date) -> datetime.date:
    """The most recent month whose value is past its due date on ``today``."""
    month = _previous_month(_month_start(today))
    return month if today > due_date(month) else _previous_month(month)


@dataclass(frozen=True)
class LateValue:
    """A monthly measure whose latest due value is missing, and by how many days."""

    measure: Measure
    month: datetime.date
    days_late: int

    @property
    def text(self) -> str:
        days = "1 day" if self.days_late == 1 else f"{self.days_late} days"
        return f"{self.month:%B}’s value is {days} late"


def late_monthly_values(
    *,
    team_ids: Iterable[int] | QuerySet,
    pairing_ids: Iterable[int] | QuerySet,
    today: datetime.date,
) -> list[LateValue]:
    """The monthly measures of ``team_ids`` and ``pairing_ids`` whose latest due month has no
    value (nor any later one), most late first. A measure created after that month's due date
    is not late for it. One query."""
    month = latest_due_month(today)
    due = due_date(month)
    measures = (
        Measure.objects.filter(
            Q(team_id__in=team_ids) | Q(pairing_id__in=pairing_ids),
            frequency=Measure.Frequency.MONTHLY,
            created_at__date__lte=due,
        )
        .select_related("team", "pairing__clinician", "pairing__manager")
        .annotate(latest_period=Max("datapoints__period"))
        .filter(Q(latest_period__isnull=True) | Q(latest_period__lt=month))
        .order_by("position", "pk")
    )
    return [LateValue(measure, month, (today - due).days) for measure in measures]


def _owners(measures: list[Measure]) -> dict[int, list[User]]:
    """measure id → the people who enter its data: the team's current members who still take
    part, or the open pair's two members. One query for the teams."""
    team_ids = {m.team_id for m in measures if m.team_id}
    members: dict[int, list[User]] = defaultdict(list)
    active = Enrolment.objects.filter(
        role=Enrolment.Role.PARTICIPANT, status__in=Enrolment.ACTIVE_STATUSES
    )
    for membership in (
        TeamMembership.objects.current()
        .filter(team_id__in=team_ids)
        .filter(
            person_id__in=active.values("person_id"),
        )
        .select_related("person")
        .order_by("team_id", "person_id")
    ):
        members[membership.team_id].append(membership.person)
    owners: dict[int, list[User]] = {}
    for measure in measures:
        if measure.team_id:
            owners[measure.pk] = members[measure.team_id]
        elif measure.pairing is not None:
            owners[measure.pk] = [measure.pairing.clinician, measure.pairing.manager]
    return owners


def plan_measure_data_reminders(*, now: datetime.datetime) -> int:
    """Once a month, in the first ``DUE_DAY`` days (in each cohort's time zone), remind the
    team or pair owning each monthly measure of a live cohort to enter last month's value, if
    it is not there yet. One e-mail per person, measure and month (the dedup key); people who
    opted out of this kind get none. Returns how many were recorded."""
    measures = list(
        Measure.objects.filter(frequency=Measure.Frequency.MONTHLY)
        .filter(
            Q(team__cohort__status__in=LIVE_COHORTS)
            | Q(
                pairing__cohort__status__in=LIVE_COHORTS,
                pairing__status=Pairing.Status.ACTIVE,
            )
        )
        .select_related(
            "team__cohort__programme",
            "pairing__cohort__programme",
            "pairing__clinician",
            "pairing__manager",
        )
        .annotate(latest_period=Max("datapoints__period"))
    )
    due_now = []
    for measure in measures:
        owner = measure.team or measure.pairing
        assert owner is not None  # measure_belongs_to_a_team_or_a_pairing
        today = now.astimezone(owner.cohort.tzinfo).date()
        if today.day > DUE_DAY:
            continue
        month = _previous_month(_month_start(today))
        if measure.latest_period is not None and measure.latest_period >= month:
            continue
        if measure.created_at.date() > due_date(month):
            continue
        due_now.append((measure, owner, month))
    if not due_now:
        return 0
    owners = _owners([m for m, _o, _month in due_now])
    created = 0
    for measure, owner, month in due_now:
        cohort = owner.cohort
        due = due_date(month)
        created += notifications.notify_many(
            recipients=owners.get(measure.pk, []),
            kind=Notification.Kind.MEASURE_DATA_REMINDER,
            # mypy cannot infer a lambda with default arguments (the loop variables bound).
            dedup_key=lambda person, m=measure, mo=month: (  # type: ignore[misc]
                f"measure-data:{m.pk}:{mo:%Y-%m}:{person.pk}"
            ),
            template="measure_data_reminder",
            context={
                "programme_name": cohort.programme.name,
                **cohort.email_voice(),
                "measure_name": measure.name,
                "owner_label": str(owner) if measure.team_id else f"pair {owner}",
                "month_label": f"{month:%B %Y}",
                "due_text": f"{due:%A} {due.day} {due:%B %Y}",
                "link": notifications.absolute_url(
                    reverse("measures:measure_detail", kwargs={"measure_id": measure.pk})
                ),
            },
            subject=measure,
            cohort_id=cohort.pk,
        )
    return created
