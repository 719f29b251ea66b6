"""Reads, with the anonymity rules enforced here rather than in templates:

* a self-assessment is read only by its author (``self_assessment_profile`` takes the viewer
  and reads nothing but theirs); the cohort sees self-assessments only as averages of paired
  changes (``cohort_learning_summary``);
* a 360 report is read only by its participant (``feedback_report``), and shows a rater group
  only with at least ``THRESHOLD`` responses: smaller groups are merged into "Other
  colleagues", which is left out when it is still too small. A column's numbers are computed
  only from the responses it shows, so no combination of columns gives back a hidden group;
* administrators and the cohort's readers see response counts (``feedback_response_rates``).

Individual rater answers never leave this module."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from cohorts.models import Cohort, Enrolment, Programme
from leadership.models import User
from modules.models import Session

from .charts import Series, dot_plot
from .models import (
    FeedbackRating,
    FeedbackResponse,
    FeedbackRound,
    Framework,
    ProgrammeFramework,
    Rater,
    RaterGroup,
    SelfAssessment,
    SelfRating,
)
from .stats import PairedChange, paired_change

THRESHOLD = 3
# Self-assessment windows, in days around the cohort's first day and its last session.
START_OPENS_BEFORE, START_CLOSES_AFTER = 14, 42
END_OPENS_BEFORE, END_CLOSES_AFTER = 28, 42


# Frameworks -----------------------------------------------------------------------------------


def frameworks_for_programme(programme: Programme) -> QuerySet[Framework]:
    """The frameworks a programme may choose: the shipped example and its own, with counts."""
    return Framework.objects.filter(Q(programme__isnull=True) | Q(programme=programme)).annotate(
        dimension_count=Count("dimensions", distinct=True),
        statement_count=Count("dimensions__statements", distinct=True),
    )


def get_framework_for_user(user: User, framework_id) -> Framework:
    """A framework an administrator may read: the example (any programme administrator) or one
    of a programme they administer, with its dimensions and statements. 404 otherwise."""
    programmes = Programme.objects.administered_by(user)
    try:
        framework = (
            Framework.objects.filter(pk=int(framework_id))
            .filter(Q(programme__isnull=True) | Q(programme__in=programmes))
            .prefetch_related("dimensions__statements")
            .first()
        )
    except (TypeError, ValueError) as exc:
        raise Http404("No such framework.") from exc
    if framework is None or not programmes.exists():
        raise Http404("No such framework.")
    return framework


def framework_for_programme(programme: Programme) -> Framework | None:
    choice = ProgrammeFramework.objects.filter(programme=programme).select_related("framework")
    first = choice.first()
    return first.framework if first else None


def framework_for_cohort(cohort: Cohort) -> Framework | None:
    return (
        Framework.objects.filter(choices__programme_id=cohort.programme_id)
        .prefetch_related("dimensions__statements")
        .first()
    )


# Self-assessment windows ----------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    kind: str
    opens_on: datetime.date
    closes_on: datetime.date

    def is_open(self, today: datetime.date) -> bool:
        return self.opens_on <= today <= self.closes_on

    @property
    def label(self) -> str:
        return SelfAssessment.Kind(self.kind).label


def _last_day(cohort: Cohort, last_session: datetime.datetime | None) -> datetime.date | None:
    return last_session.astimezone(cohort.tzinfo).date() if last_session else None


def _windows(cohort: Cohort, last_day: datetime.date | None) -> dict[str, Window]:
    day = datetime.timedelta(days=1)
    windows: dict[str, Window] = {
        SelfAssessment.Kind.START: Window(
            SelfAssessment.Kind.START,
            cohort.starts_on - START_OPENS_BEFORE * day,
            cohort.starts_on + START_CLOSES_AFTER * day,
        )
    }
    if last_day is not None:
        windows[SelfAssessment.Kind.END] = Window(
            SelfAssessment.Kind.END,
            last_day - END_OPENS_BEFORE * day,
            last_day + END_CLOSES_AFTER * day,
        )
    return windows


def self_assessment_windows_from(
    cohort: Cohort, last_session: datetime.datetime | None
) -> dict[str, Window]:
    """The windows of ``self_assessment_windows`` from the start of the cohort's last session
    (any status), read by the caller: the participant's start page reads it in its own query."""
    return _windows(cohort, _last_day(cohort, last_session))


def self_assessment_windows(cohort: Cohort) -> dict[str, Window]:
    """When each self-assessment is open: the start one from two weeks before the cohort's
    first day to six weeks after; the end one from four weeks before its last session to six
    weeks after (none while no session is scheduled). One query."""
    last = Session.objects.filter(module__cohort=cohort).aggregate(last=Max("starts_at"))["last"]
    return _windows(cohort, _last_day(cohort, last))


def self_assessment_sent(cohort: Cohort, person: User, kind: str) -> bool:
    return SelfAssessment.objects.filter(cohort=cohort, person=person, kind=kind).exists()


def open_self_assessments_by_cohort(
    user: User, *, now: datetime.datetime | None = None
) -> list[tuple[Cohort, Window]]:
    """``(cohort, window)`` for every self-assessment ``user`` may send now, in cohorts where
    they take part and whose programme has a framework. One query."""
    now = now or timezone.now()
    mine = SelfAssessment.objects.filter(cohort=OuterRef("pk"), person=user)
    cohorts = (
        Cohort.objects.filter(
            enrolments__person=user,
            enrolments__role=Enrolment.Role.PARTICIPANT,
            enrolments__status__in=Enrolment.ACTIVE_STATUSES,
            programme__framework_choice__isnull=False,
        )
        .annotate(
            last_session=Max("modules__sessions__starts_at"),
            sent_start=Exists(mine.filter(kind=SelfAssessment.Kind.START)),
            sent_end=Exists(mine.filter(kind=SelfAssessment.Kind.END)),
        )
        .order_by("-starts_on", "pk")
    )
    found = []
    for cohort in cohorts:
        today = now.astimezone(cohort.tzinfo).date()
        sent: dict[str, bool] = {
            SelfAssessment.Kind.START: cohort.sent_start,
            SelfAssessment.Kind.END: cohort.sent_end,
        }
        for kind, window in _windows(cohort, _last_day(cohort, cohort.last_session)).items():
            if window.is_open(today) and not sent[kind]:
                found.append((cohort, window))
    return found


# A participant's own profile ------------------------------------------------------------------


@dataclass
class ProfileRow:
    name: str
    start: float | None
    end: float | None

    @property
    def change(self) -> float | None:
        return None if self.start is None or self.end is None else self.end - self.start


@dataclass
class Profile:
    framework: Framework
    sent: dict[str, datetime.datetime]
    rows: list[ProfileRow]
    chart: str


def _dimension_means(assessments: QuerySet) -> dict[tuple[int, int, str], float]:
    """(person id, dimension id, kind) → the mean of that person's ratings in that dimension."""
    rows = (
        SelfRating.objects.filter(assessment__in=assessments)
        .values("assessment__person_id", "statement__dimension_id", "assessment__kind")
        .annotate(mean=Avg("value"))
    )
    return {
        (r["assessment__person_id"], r["statement__dimension_id"], r["assessment__kind"]): float(
            r["mean"]
        )
        for r in rows
    }


def self_assessment_profile(cohort: Cohort, viewer: User) -> Profile | None:
    """The viewer's own before/after profile in ``cohort`` (None without a framework): their
    mean per dimension at the start and at the end, and the dot plot of both. Reads only the
    viewer's rows. Four queries."""
    framework = framework_for_cohort(cohort)
    if framework is None:
        return None
    assessments = SelfAssessment.objects.filter(cohort=cohort, person=viewer, framework=framework)
    sent = {a.kind: a.submitted_at for a in assessments}
    means = _dimension_means(assessments)
    rows = [
        ProfileRow(
            name=d.name,
            start=means.get((viewer.pk, d.pk, SelfAssessment.Kind.START)),
            end=means.get((viewer.pk, d.pk, SelfAssessment.Kind.END)),
        )
        for d in framework.dimensions.all()
    ]
    chart = dot_plot(
        title="Your self-assessment: mean rating per dimension, start and end of the programme",
        dimensions=[row.name for row in rows],
        series=[
            Series("Start", [row.start for row in rows]),
            Series("End", [row.end for row in rows]),
        ],
    )
    return Profile(framework=framework, sent=sent, rows=rows, chart=chart)


# 360 report -----------------------------------------------------------------------------------


@dataclass
class ReportColumn:
    label: str
    responses: int
    means: list[float | None]


@dataclass
class GroupCount:
    label: str
    invited: int
    responded: int
    shown_as: str


@dataclass
class FeedbackReport:
    feedback_round: FeedbackRound
    dimensions: list[str]
    self_column: ReportColumn | None
    columns: list[ReportColumn]
    counts: list[GroupCount]
    withheld: int = 0
    chart: str = ""

    @property
    def visible(self) -> bool:
        return bool(self.columns)


OTHERS_LABEL = "Other colleagues"


def _shown_groups(responses: dict[str, int]) -> dict[str, list[str]]:
    """Column label → the rater groups it is made of, applying ``THRESHOLD``."""
    shown: dict[str, list[str]] = {}
    merged: list[str] = []
    for group in RaterGroup:
        n = responses.get(group.value, 0)
        if group != RaterGroup.OTHER and n >= THRESHOLD:
            shown[group.label] = [group.value]
        elif n:
            merged.append(group.value)
    if sum(responses.get(g, 0) for g in merged) >= THRESHOLD:
        shown[OTHERS_LABEL] = merged
    return shown


def feedback_round_for(cohort: Cohort, participant: User) -> FeedbackRound | None:
    return (
        FeedbackRound.objects.filter(cohort=cohort, participant=participant)
        .prefetch_related("raters")
        .first()
    )


def feedback_report(cohort: Cohort, viewer: User) -> FeedbackReport | None:
    """The viewer's own 360 report in ``cohort`` (None when they have no 360 there): their
    latest self-assessment beside the mean rating per dimension of each rater group shown
    (see the module docstring for the threshold). Reads no one else's report. Six queries."""
    feedback_round = feedback_round_for(cohort, viewer)
    if feedback_round is None:
        return None
    framework = feedback_round.framework
    dimensions = list(framework.dimensions.all())
    responses = dict(
        FeedbackResponse.objects.filter(round=feedback_round)
        .values_list("group")
        .annotate(n=Count("pk"))
    )
    shown = _shown_groups(responses)
    component = {group: label for label, groups in shown.items() for group in groups}
    sums: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for row in (
        FeedbackRating.objects.filter(response__round=feedback_round, response__group__in=component)
        .values("response__group", "statement__dimension_id")
        .annotate(total=Sum("value"), n=Count("pk"))
    ):
        for label in (component[row["response__group"]], "__all__"):
            cell = sums[(label, row["statement__dimension_id"])]
            cell[0] += row["total"]
            cell[1] += row["n"]

    def column(label: str, key: str, n: int) -> ReportColumn:
        means = [
            (sums[(key, d.pk)][0] / sums[(key, d.pk)][1]) if sums[(key, d.pk)][1] else None
            for d in dimensions
        ]
        return ReportColumn(label=label, responses=n, means=means)

    columns = []
    if shown:
        total = sum(responses.get(g, 0) for g in component)
        columns.append(column("All raters shown", "__all__", total))
        for label, groups in shown.items():
            columns.append(column(label, label, sum(responses.get(g, 0) for g in groups)))
    own = SelfAssessment.objects.filter(cohort=cohort, person=viewer, framework=framework).order_by(
        "-submitted_at"
    )
    self_means = _dimension_means(own[:1])
    self_column = (
        ReportColumn(
            label="You",
            responses=1,
            means=[
                next((v for (_p, dim, _k), v in self_means.items() if dim == d.pk), None)
                for d in dimensions
            ],
        )
        if self_means
        else None
    )
    invited: dict[str, int] = defaultdict(int)
    for rater in feedback_round.raters.all():
        invited[rater.group] += 1
    counts = [
        GroupCount(
            label=group.label,
            invited=invited[group.value],
            responded=responses.get(group.value, 0),
            shown_as=component.get(group.value, "")
            and ("its own column" if component[group.value] == group.label else OTHERS_LABEL),
        )
        for group in RaterGroup
        if invited[group.value]
    ]
    report = FeedbackReport(
        feedback_round=feedback_round,
        dimensions=[d.name for d in dimensions],
        self_column=self_column,
        columns=columns,
        counts=counts,
        withheld=sum(responses.values()) - sum(responses.get(g, 0) for g in component),
    )
    if columns:
        report.chart = dot_plot(
            title="Your 360: your own rating and your raters' mean rating per dimension",
            dimensions=report.dimensions,
            series=[
                Series("You", self_column.means if self_column else [None] * len(dimensions)),
                Series("Raters", columns[0].means),
            ],
        )
    return report


# Response rates (administrators) -------------------------------------------------------------


@dataclass
class ResponseRate:
    participant: User
    invited: int
    responded: int
    status: str
    closes_at: datetime.datetime


def feedback_response_rates(cohort: Cohort) -> list[ResponseRate]:
    """Each 360 of the cohort: how many raters were asked and how many answered. Counts only.
    One query."""
    rounds = (
        FeedbackRound.objects.filter(cohort=cohort)
        .select_related("participant")
        .annotate(
            invited=Count("raters"),
            responded=Count("raters", filter=Q(raters__responded=True)),
        )
        .order_by("participant__last_name", "participant__first_name", "pk")
    )
    return [
        ResponseRate(
            participant=r.participant,
            invited=r.invited,
            responded=r.responded,
            status=r.get_status_display(),
            closes_at=r.closes_at,
        )
        for r in rounds
    ]


# The cohort's learning ------------------------------------------------------------------------


@dataclass
class DimensionChange:
    name: str
    change: PairedChange


@dataclass
class CohortLearningSummary:
    """Per dimension: the number of people with both a start and an end self-assessment
    (pairs), their mean change (end − start, on the 1–5 scale) and its 95 % interval; and the
    cohort's 360 response rate. No p-values: the interval says what the data can."""

    framework: Framework | None
    dimensions: list[DimensionChange] = field(default_factory=list)
    participants: int = 0
    feedback_rounds: int = 0
    raters_invited: int = 0
    raters_responded: int = 0

    @property
    def response_rate(self) -> float | None:
        return self.raters_responded / self.raters_invited if self.raters_invited else None


def cohort_learning_summary(cohort: Cohort) -> CohortLearningSummary:
    """The cohort's paired self-assessment changes per dimension and its 360 response rate
    (see ``CohortLearningSummary``). Reads no individual answer out of this function. Five
    queries: the framework and its dimensions (with statements), the dimension means per
    person, the participant count and the 360 counts."""
    framework = framework_for_cohort(cohort)
    summary = CohortLearningSummary(framework=framework)
    summary.participants = Enrolment.objects.filter(
        cohort=cohort, role=Enrolment.Role.PARTICIPANT, status__in=Enrolment.ACTIVE_STATUSES
    ).count()
    if framework is None:
        return summary
    means = _dimension_means(SelfAssessment.objects.filter(cohort=cohort, framework=framework))
    people = {person for person, _d, _k in means}
    for dimension in framework.dimensions.all():
        changes = [
            means[(p, dimension.pk, SelfAssessment.Kind.END)]
            - means[(p, dimension.pk, SelfAssessment.Kind.START)]
            for p in sorted(people)
            if (p, dimension.pk, SelfAssessment.Kind.START) in means
            and (p, dimension.pk, SelfAssessment.Kind.END) in means
        ]
        summary.dimensions.append(
            DimensionChange(name=dimension.name, change=paired_change(changes))
        )
    counts = Rater.objects.filter(round__cohort=cohort).aggregate(
        invited=Count("pk"),
        responded=Count("pk", filter=Q(responded=True)),
        rounds=Count("round", distinct=True),
    )
    summary.raters_invited = counts["invited"]
    summary.raters_responded = counts["responded"]
    summary.feedback_rounds = counts["rounds"]
    return summary
