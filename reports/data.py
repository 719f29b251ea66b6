"""What the PDF reports show, read in a fixed number of queries whatever the size of the cohort.

``progress_report_data`` gathers the cohort progress report (teams and clinician–manager pair
projects alike, each measure with its headline, icons and grouped signals); ``transcript_data`` one
participant's transcript; ``sponsor_dashboard`` the key figures on the clinical leader's start
page. Each documents its queries: the tests assert the exact counts. Everything here is plain
data for templates, which only display it.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict, cast

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from cohorts.models import Cohort, Enrolment
from leadership.models import User
from learning_sets.selectors import ChallengeSummary, cohort_challenge_summary
from measures.charting import PRINT_CHART_WIDTH, MeasureChart
from measures.charts import Assurance, Variation
from measures.models import PdsaCycle
from measures.selectors import measure_charts_for_cohort
from modules.models import Attendance, Session, ShortCourseSignup
from modules.selectors import (
    REGISTER_NOT_TAKEN,
    ParticipantAttendance,
    attendance_summary_for_cohort,
)
from pairings.models import Pairing
from pairings.selectors import cohort_pairings, pairing_help_reasons
from redesign_projects.models import (
    Assignment,
    Feedback,
    RedesignTeam,
    Submission,
    TeamMembership,
)
from redesign_projects.selectors import (
    Cell,
    WorkStatus,
    assignment_overview,
    work_status,
)

from .models import Certificate, ReportRequest

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# The most recent PDSA cycles printed per team.
RECENT_CYCLES = 3
# Measures the first page lists in full: past this many it lists those needing attention (up
# to this many), and every measure follows on the next page. The first page must stand alone.
FRONT_MEASURES = 8
ATTENTION_VARIATIONS = {Variation.CONCERN_HIGH, Variation.CONCERN_LOW, Variation.MIXED}
ATTENDANCE_CODES: dict[str | None, str] = {
    Attendance.Status.PRESENT: "P",
    Attendance.Status.LATE: "L",
    Attendance.Status.APOLOGIES: "Ap",
    Attendance.Status.ABSENT: "A",
}
NOT_RECORDED = "NR"
# A held session whose register was not taken: no code counts, and no rate includes it.
REGISTER_NOT_TAKEN_CODE = "RNT"
NOT_EXPECTED = "–"
# What the PDF's attendance by participant lists for each person, e.g. "S3 A, S7 Ap": the
# full matrix (a column a session, 50 people × 10 sessions) cost WeasyPrint four times a
# plain page's time a page; it stays in the attendance export (CSV, XLSX).
NOTED_CODES = frozenset(
    {
        ATTENDANCE_CODES[Attendance.Status.LATE],
        ATTENDANCE_CODES[Attendance.Status.APOLOGIES],
        ATTENDANCE_CODES[Attendance.Status.ABSENT],
        NOT_RECORDED,
    }
)
SUBMITTED_STATUSES = {WorkStatus.SUBMITTED, WorkStatus.ACCEPTED, WorkStatus.CHANGES_REQUESTED}
STATUS_BY_LABEL = {label: status for status, label in WorkStatus.LABELS.items()}


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


# --- attendance ---------------------------------------------------------------------------


@dataclass
class SessionColumn:
    session: Session
    number: int
    held: bool
    attended: int = 0
    expected: int = 0
    register_taken: bool = True

    @property
    def counted(self) -> bool:
        """Held with its register taken: the sessions rates count."""
        return self.held and self.register_taken

    @property
    def percent(self) -> int | None:
        return percent(self.attended, self.expected) if self.counted else None


@dataclass
class MatrixRow:
    """A participant's code for each session (the exports' matrix) and, for the PDF, the
    sessions they were late to, missed or were not marked at (``NOTED_CODES``)."""

    person: User
    summary: ParticipantAttendance
    codes: list[str]
    noted: list[str] = field(default_factory=list)


@dataclass
class AttendanceFigures:
    sessions: list[SessionColumn]
    rows: list[MatrixRow]
    attended: int
    expected: int

    @property
    def percent(self) -> int | None:
        return percent(self.attended, self.expected)

    @property
    def held_count(self) -> int:
        """Held sessions whose register was taken (the ones the rates count)."""
        return sum(1 for column in self.sessions if column.counted)

    @property
    def registers_missing(self) -> int:
        """Held sessions whose register was not taken: left out of every rate."""
        return sum(1 for column in self.sessions if column.held and not column.register_taken)

    @property
    def missing_register_sessions(self) -> list[SessionColumn]:
        """Those sessions, for the summary to name them."""
        return [column for column in self.sessions if column.held and not column.register_taken]


def _attendance(cohort: Cohort, now: datetime.datetime) -> AttendanceFigures:
    """Seven queries: the four of ``attendance_summary_for_cohort`` (which decides who is
    expected and the rates), then the cohort's sessions with modules, its sign-ups and its
    attendance rows, for each person's codes and the per-session rates."""
    summaries = attendance_summary_for_cohort(cohort)
    sessions = list(
        Session.objects.filter(module__cohort=cohort)
        .exclude(status=Session.Status.CANCELLED)
        .select_related("module")
        .order_by("starts_at", "pk")
    )
    signed_up = set(
        ShortCourseSignup.objects.filter(session__module__cohort=cohort).values_list(
            "session_id", "person_id"
        )
    )
    statuses = {
        (session_id, person_id): status
        for session_id, person_id, status in Attendance.objects.filter(
            session__module__cohort=cohort
        ).values_list("session_id", "person_id", "status")
    }
    columns = [
        SessionColumn(
            session=s,
            number=n,
            held=s.starts_at <= now,
            register_taken=s.register_taken_at is not None,
        )
        for n, s in enumerate(sessions, start=1)
    ]
    rows = []
    for summary in summaries:
        person = summary.person
        codes = []
        for column in columns:
            session = column.session
            if session.takes_signups and (session.pk, person.pk) not in signed_up:
                codes.append(NOT_EXPECTED)
                continue
            if not column.held:
                codes.append("")
                continue
            if not column.register_taken:
                codes.append(REGISTER_NOT_TAKEN_CODE)
                continue
            status = statuses.get((session.pk, person.pk))
            column.expected += 1
            if status in (Attendance.Status.PRESENT, Attendance.Status.LATE):
                column.attended += 1
            codes.append(ATTENDANCE_CODES.get(status, NOT_RECORDED))
        noted = [
            f"S{column.number} {code}"
            for column, code in zip(columns, codes, strict=True)
            if code in NOTED_CODES
        ]
        rows.append(MatrixRow(person=person, summary=summary, codes=codes, noted=noted))
    return AttendanceFigures(
        sessions=columns,
        rows=rows,
        attended=sum(s.attended for s in summaries),
        expected=sum(s.expected for s in summaries),
    )


# --- work and teams ---------------------------------------------------------------------------


@dataclass
class WorkCounts:
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    not_due: int = 0

    def add(self, status: str, due_at: datetime.datetime | None, now, n: int = 1) -> str:
        """Count ``n`` pieces of work in ``status``; returns the bucket it went to."""
        if status == WorkStatus.LATE:
            self.late += n
            return "late"
        if status in SUBMITTED_STATUSES:
            self.on_time += n
            return "on_time"
        if due_at is not None and due_at < now:
            self.overdue += n
            return "overdue"
        self.not_due += n
        return "not_due"

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.overdue + self.not_due


@dataclass
class WorkItem:
    """One assignment as it stands for one team."""

    cell: Cell
    bucket: str
    feedback: Feedback | None = None

    @property
    def assignment(self) -> Assignment:
        return self.cell.assignment


@dataclass
class ChartView:
    """A measure's chart (the measures app's ``MeasureChart``) in the report. ``src`` is set
    when the PDF is rendered: the chart's SVG is then served to WeasyPrint from memory by the
    report's URL fetcher (see ``rendering.ReportFetcher``)."""

    chart: MeasureChart
    src: str = ""
    variation_src: str = ""
    assurance_src: str = ""


@dataclass
class TeamSection:
    team: RedesignTeam
    members: list[User]
    work: list[WorkItem]
    reasons: list[str] = field(default_factory=list)
    charts: list[ChartView] = field(default_factory=list)
    cycles: list[PdsaCycle] = field(default_factory=list)

    @property
    def needs_help(self) -> bool:
        return bool(self.reasons)

    @property
    def name(self) -> str:
        return self.team.name

    @property
    def key(self) -> str:
        return f"team:{self.team.pk}"

    kind = "Team"


@dataclass
class PairSection:
    """A clinician–manager pair's QI project: its measures, PDSA cycles and whether it needs
    help (see ``pairings.selectors.pairing_help_reasons``)."""

    pairing: Pairing
    reasons: list[str] = field(default_factory=list)
    charts: list[ChartView] = field(default_factory=list)
    cycles: list[PdsaCycle] = field(default_factory=list)

    kind = "Pair"

    @property
    def needs_help(self) -> bool:
        return bool(self.reasons)

    @property
    def people(self) -> str:
        return " and ".join(
            person.get_full_name() or person.email
            for person in (self.pairing.clinician, self.pairing.manager)
        )

    @property
    def name(self) -> str:
        title = self.pairing.project_title
        return f"{title} ({self.people})" if title else self.people

    @property
    def key(self) -> str:
        return f"pair:{self.pairing.pk}"


def _cycles(cohort: Cohort) -> tuple[dict[int, list[PdsaCycle]], dict[int, list[PdsaCycle]]]:
    """One query: the latest ``RECENT_CYCLES`` PDSA cycles of each team and each pair."""
    by_team: dict[int, list[PdsaCycle]] = defaultdict(list)
    by_pairing: dict[int, list[PdsaCycle]] = defaultdict(list)
    for cycle in PdsaCycle.objects.filter(
        Q(team__cohort=cohort) | Q(pairing__cohort=cohort)
    ).order_by("-started_on", "-pk"):
        if cycle.team_id is not None:
            mine = by_team[cycle.team_id]
        elif cycle.pairing_id is not None:
            mine = by_pairing[cycle.pairing_id]
        else:
            continue  # the owner check constraint: never
        if len(mine) < RECENT_CYCLES:
            mine.append(cycle)
    return by_team, by_pairing


def _teams(
    cohort: Cohort,
    now: datetime.datetime,
    counts: WorkCounts,
    charts: dict[int, list],
    cycles: dict[int, list[PdsaCycle]],
) -> tuple[list[Assignment], list[TeamSection]]:
    """Eight queries: the five of ``assignment_overview``; the teams with their lead, manager
    partner and sponsor; current memberships with their people; released feedback on team
    submissions. ``charts`` and ``cycles`` are the teams' (read for the whole cohort)."""
    assignments, rows = assignment_overview(cohort)
    teams = {
        team.pk: team
        for team in RedesignTeam.objects.filter(cohort=cohort).select_related(
            "clinical_lead", "manager_partner", "executive_sponsor"
        )
    }
    members: dict[int, list[User]] = defaultdict(list)
    for membership in (
        TeamMembership.objects.current()
        .filter(cohort=cohort)
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "person__pk")
    ):
        members[membership.team_id].append(membership.person)
    feedback: dict[tuple[int | None, int], Feedback] = {}
    for item in (
        Feedback.objects.filter(
            submission__assignment__cohort=cohort,
            submission__team__isnull=False,
            released_at__isnull=False,
        )
        .select_related("submission")
        .order_by("submission__version")
    ):
        feedback[(item.submission.team_id, item.submission.assignment_id)] = item
    sections = []
    for row in rows:
        team = teams[row.team.pk]
        work, reasons = [], []
        for cell in row.cells:
            if cell.counts:
                buckets: Counter[str] = Counter()
                for label, n in cell.counts:
                    buckets[counts.add(STATUS_BY_LABEL[label], cell.due_at, now, n)] += n
                bucket = "overdue" if buckets["overdue"] else max(buckets, key=lambda b: buckets[b])
                if buckets["overdue"]:
                    reasons.append(
                        f"{buckets['overdue']} overdue on “{cell.assignment.title}” (individual)"
                    )
            else:
                bucket = counts.add(cell.status, cell.due_at, now)
                if bucket == "overdue":
                    reasons.append(f"“{cell.assignment.title}” is overdue")
            if cell.status == WorkStatus.CHANGES_REQUESTED and not cell.counts:
                reasons.append(f"changes requested on “{cell.assignment.title}”")
            work.append(
                WorkItem(
                    cell=cell, bucket=bucket, feedback=feedback.get((team.pk, cell.assignment.pk))
                )
            )
        sections.append(
            TeamSection(
                team=team,
                members=members[team.pk],
                work=work,
                reasons=reasons,
                charts=[ChartView(chart=chart) for chart in charts.get(team.pk, [])],
                cycles=cycles.get(team.pk, []),
            )
        )
    return assignments, sections


# --- the progress report ----------------------------------------------------------------------


@dataclass
class PeopleCounts:
    participants: int = 0
    completed: int = 0
    withdrawn: int = 0
    on_track: int = 0
    leaders: list[User] = field(default_factory=list)
    faculty: list[User] = field(default_factory=list)


@dataclass
class ProgressReport:
    cohort: Cohort
    produced_at: datetime.datetime
    data_cutoff: datetime.datetime
    people: PeopleCounts
    attendance: AttendanceFigures
    assignments: list[Assignment]
    work: WorkCounts
    teams: list[TeamSection]
    pairings: list[Pairing]
    pairs: list[PairSection] = field(default_factory=list)
    previous: ReportRequest | None = None
    challenges: list[ChallengeSummary] = field(default_factory=list)

    @property
    def projects(self) -> list[TeamSection | PairSection]:
        """Every improvement project: the teams', then the pairs' that have a project or
        need help."""
        return [*self.teams, *self.pairs]

    @property
    def projects_needing_help(self) -> list[TeamSection | PairSection]:
        return [p for p in self.projects if p.needs_help]

    @property
    def teams_needing_help(self) -> list[TeamSection]:
        return [t for t in self.teams if t.needs_help]

    @property
    def teams_on_track(self) -> list[TeamSection]:
        return [t for t in self.teams if not t.needs_help]

    @property
    def pairs_needing_help(self) -> list[PairSection]:
        return [p for p in self.pairs if p.needs_help]

    @property
    def measure_rows(self) -> list[tuple[TeamSection | PairSection, ChartView]]:
        """One row per measure of every project, for the summary's measures table."""
        return [(project, view) for project in self.projects for view in project.charts]

    @staticmethod
    def _needs_attention(chart) -> bool:
        """Special-cause concern, limits spanning a change, a target consistently missed, or
        a change for the worse."""
        headline = chart.headline
        return bool(
            chart.variation in ATTENTION_VARIATIONS
            or chart.proposal
            or chart.assurance is Assurance.FAILING
            or (headline and headline.direction == "worse")
        )

    @property
    def front_measure_rows(self) -> list[tuple[TeamSection | PairSection, ChartView]]:
        """The first page's measures: all of them when they fit, else those needing
        attention (at most ``FRONT_MEASURES``)."""
        rows = self.measure_rows
        if len(rows) <= FRONT_MEASURES:
            return rows
        return [row for row in rows if self._needs_attention(row[1].chart)][:FRONT_MEASURES]

    @property
    def front_lists_every_measure(self) -> bool:
        return len(self.measure_rows) <= FRONT_MEASURES

    @property
    def variation_counts(self) -> list[tuple[str, int]]:
        """How many measures show each variation (run charts as such), most first."""
        counts = Counter(
            view.chart.variation_label if view.chart.variation else "run chart or no chart yet"
            for view in self.chart_views
        )
        return counts.most_common()

    @property
    def chart_views(self) -> list[ChartView]:
        return [view for project in self.projects for view in project.charts]

    @property
    def chart_count(self) -> int:
        return len(self.chart_views)

    @property
    def drawn_charts(self) -> list[ChartView]:
        """The charts with a drawing, in report order: each has a table in the appendix."""
        return [view for view in self.chart_views if view.chart.table is not None]

    @property
    def chart_rules(self) -> list[str]:
        """The special-cause rules the report's charts use, each stated once."""
        stated = (view.chart.rules for view in self.chart_views)
        return list(dict.fromkeys(rules for rules in stated if rules))

    @property
    def ends_on(self) -> datetime.date | None:
        sessions = self.attendance.sessions
        return (
            sessions[-1].session.starts_at.astimezone(self.cohort.tzinfo).date()
            if sessions
            else None
        )

    def snapshot(self) -> dict:
        """What the next report compares itself with (kept on the built report's row): each
        measure's signals and which projects needed help, by id, with their names."""
        return {
            "signals": {
                str(view.chart.measure.pk): sorted(view.chart.signal_keys)
                for view in self.chart_views
            },
            "needs_help": sorted(p.key for p in self.projects_needing_help),
        }

    @property
    def changes(self) -> list[str]:
        """What changed since the previous progress report of this cohort, in words: new
        signals on each measure, and projects that moved to or from needing help."""
        if self.previous is None:
            return []
        before = self.previous.summary or {}
        lines = []
        old_signals = before.get("signals", {})
        for project, view in self.measure_rows:
            chart = view.chart
            known = set(old_signals.get(str(chart.measure.pk), []))
            fresh = [label for key, label in chart.signal_keys.items() if key not in known]
            if fresh:
                lines.append(
                    f"New signal{'s' if len(fresh) > 1 else ''} on {chart.measure.name} "
                    f"({project.name}): {'; '.join(fresh[:3])}"
                    + (f"; and {len(fresh) - 3} more" if len(fresh) > 3 else "")
                )
        old_help = set(before.get("needs_help", []))
        for project in self.projects:
            if project.needs_help and project.key not in old_help:
                lines.append(f"{project.name} now needs help: {'; '.join(project.reasons)}")
            elif not project.needs_help and project.key in old_help:
                lines.append(f"{project.name} is back on track")
        return lines


def _people(cohort: Cohort) -> PeopleCounts:
    """One query: every enrolment with its person."""
    counts = PeopleCounts()
    for enrolment in (
        Enrolment.objects.filter(cohort=cohort)
        .select_related("person")
        .order_by("person__last_name", "person__first_name")
    ):
        if enrolment.role == Enrolment.Role.PARTICIPANT:
            if enrolment.status == Enrolment.Status.WITHDRAWN:
                counts.withdrawn += 1
                continue
            counts.participants += 1
            counts.completed += enrolment.status == Enrolment.Status.COMPLETED
        elif enrolment.status != Enrolment.Status.WITHDRAWN:
            if enrolment.role == Enrolment.Role.CLINICAL_LEADER:
                counts.leaders.append(enrolment.person)
            elif enrolment.role == Enrolment.Role.FACULTY:
                counts.faculty.append(enrolment.person)
    return counts


# Queries before the measures (see ``progress_report_data``).
PROGRESS_REPORT_QUERIES = 21


def _pairs(
    pairings: list[Pairing],
    today: datetime.date,
    charts: dict[int, list],
    cycles: dict[int, list[PdsaCycle]],
) -> list[PairSection]:
    """The pairs with a project, a measure, a PDSA cycle or a reason to need help."""
    sections = []
    for pairing in pairings:
        section = PairSection(
            pairing=pairing,
            reasons=pairing_help_reasons(pairing, today),
            charts=[ChartView(chart=chart) for chart in charts.get(pairing.pk, [])],
            cycles=cycles.get(pairing.pk, []),
        )
        if pairing.project_title or section.charts or section.cycles or section.needs_help:
            sections.append(section)
    return sections


def progress_report_data(cohort: Cohort, *, now: datetime.datetime | None = None) -> ProgressReport:
    """Everything the cohort progress report shows as of ``now`` (its data cut-off, printed
    as such: two builds with one cut-off print the same text), in ``PROGRESS_REPORT_QUERIES``
    queries plus the measures' whatever the number of people, sessions, teams, pairs,
    assignments or data points: enrolments (1); attendance (7, see ``_attendance``); PDSA
    cycles of teams and pairs (1); assignments and teams (8, see ``_teams``); pairings (1);
    the previous progress report built (1); leadership challenges and their outcomes (2); then
    the measures' charts (one query when the cohort has no measure, else four: see
    ``measure_charts_for_cohort``). ``cohort`` must come with its programme."""
    now = now or timezone.now()
    today = now.astimezone(cohort.tzinfo).date()
    people = _people(cohort)
    attendance = _attendance(cohort, now)
    people.on_track = sum(1 for row in attendance.rows if row.summary.meets_rule)
    team_cycles, pair_cycles = _cycles(cohort)
    # Compact and print-sized: the report prints each chart's title, status and notes as
    # text, and one legend for all of them.
    team_charts, pair_charts = measure_charts_for_cohort(
        cohort.pk, compact=True, width=PRINT_CHART_WIDTH
    )
    work = WorkCounts()
    assignments, teams = _teams(cohort, now, work, team_charts, team_cycles)
    pairings = cohort_pairings(cohort)
    previous = (
        ReportRequest.objects.filter(
            cohort=cohort,
            kind=ReportRequest.Kind.PROGRESS,
            status=ReportRequest.Status.READY,
            data_cutoff__lt=now,
        )
        .order_by("-data_cutoff", "-pk")
        .only("pk", "data_cutoff", "summary", "cohort_id")
        .first()
    )
    return ProgressReport(
        cohort=cohort,
        produced_at=now,
        data_cutoff=now,
        people=people,
        attendance=attendance,
        assignments=assignments,
        work=work,
        teams=teams,
        pairings=pairings,
        pairs=_pairs(pairings, today, pair_charts, pair_cycles),
        previous=previous,
        challenges=cohort_challenge_summary(cohort, now=now),
    )


# --- transcripts and certificates ---------------------------------------------------------------


@dataclass
class TranscriptLine:
    assignment: Assignment
    status: str
    label: str


@dataclass
class Transcript:
    cohort: Cohort
    person: User
    enrolment: Enrolment
    team: RedesignTeam | None
    attendance: ParticipantAttendance | None
    sessions: list[tuple[Session, str]]
    work: list[TranscriptLine]
    certificate: Certificate | None
    produced_at: datetime.datetime


def transcript_data(cohort: Cohort, person: User) -> Transcript:
    """One participant's record in ``cohort``: attendance per session, each assignment's status
    (their team's for team assignments, their own for individual ones) and their certificate.
    Eleven queries: enrolment; the four of ``attendance_summary_for_cohort``; sessions; their
    attendance rows; their current team; assignments; their submissions with feedback; their
    certificate."""
    now = timezone.now()
    enrolment = Enrolment.objects.get(cohort=cohort, person=person, role=Enrolment.Role.PARTICIPANT)
    summaries = attendance_summary_for_cohort(cohort, people=[person])
    sessions = list(
        Session.objects.filter(module__cohort=cohort)
        .select_related("module")
        .order_by("starts_at", "pk")
    )
    own = dict(
        Attendance.objects.filter(session__module__cohort=cohort, person=person).values_list(
            "session_id", "status"
        )
    )
    membership = (
        TeamMembership.objects.current()
        .filter(cohort=cohort, person=person)
        .select_related("team")
        .first()
    )
    team = membership.team if membership else None
    assignments = list(Assignment.objects.filter(cohort=cohort).order_by("due_at", "pk"))
    units = Q(owner=person) | (Q(team=team) if team else Q(pk__in=[]))
    latest: dict[int, dict] = {}
    drafts: set[int] = set()
    for row in Submission.objects.filter(units, assignment__cohort=cohort).values(
        "assignment_id",
        "status",
        "version",
        "is_late",
        "feedback__decision",
        "feedback__released_at",
    ):
        if row["status"] == Submission.Status.DRAFT:
            drafts.add(row["assignment_id"])
        elif row["version"] > latest.get(row["assignment_id"], {}).get("version", 0):
            latest[row["assignment_id"]] = {
                "version": row["version"],
                "is_late": row["is_late"],
                "decision": row["feedback__decision"],
                "released": row["feedback__released_at"] is not None,
            }
    work = []
    for assignment in assignments:
        if assignment.is_team and team is None:
            continue
        status = work_status(has_draft=assignment.pk in drafts, latest=latest.get(assignment.pk))
        label = WorkStatus.LABELS[status]
        if status in (WorkStatus.NOT_STARTED, WorkStatus.DRAFT) and assignment.due_at < now:
            label = f"{label} (overdue)"
        work.append(TranscriptLine(assignment=assignment, status=status, label=label))
    rows = []
    for session in sessions:
        if session.is_cancelled:
            label = "Cancelled"
        elif session.starts_at > now:
            label = "To come"
        elif session.register_taken_at is None:
            label = REGISTER_NOT_TAKEN
        else:
            status = own.get(session.pk, "")
            label = Attendance.Status(status).label if status else "Not recorded"
        rows.append((session, label))
    return Transcript(
        cohort=cohort,
        person=person,
        enrolment=enrolment,
        team=team,
        attendance=summaries[0] if summaries else None,
        sessions=rows,
        work=work,
        certificate=Certificate.objects.filter(cohort=cohort, person=person).first(),
        produced_at=now,
    )


# --- the clinical leader's start page -----------------------------------------------------------


@dataclass
class SponsoredCohort:
    cohort: Cohort
    participants: int
    withdrawn: int
    team_count: int
    attended: int
    expected: int
    reports: list[ReportRequest]
    registers_missing: int = 0

    @property
    def attendance_percent(self) -> int | None:
        return percent(self.attended, self.expected)

    @property
    def latest_ready(self) -> ReportRequest | None:
        return next((r for r in self.reports if r.status == ReportRequest.Status.READY), None)

    @property
    def in_progress(self) -> ReportRequest | None:
        return next((r for r in self.reports if r.is_in_progress), None)


class _SponsorCounts(TypedDict):
    participant_count: int
    withdrawn_count: int
    team_count: int


def sponsor_dashboard(user, *, now: datetime.datetime | None = None) -> list[SponsoredCohort]:
    """The cohorts ``user`` sponsors as clinical leader, newest first, with participants,
    withdrawals, teams, attendance so far and their progress reports. Four queries however
    many cohorts: cohorts with counts; attendance rows that count; held sessions × expected
    people (only those whose register was taken; the others are ``registers_missing``);
    progress reports."""
    now = now or timezone.now()
    participants = Q(enrolments__role=Enrolment.Role.PARTICIPANT)
    cohorts = list(
        # A subquery picks the cohorts, so the counts below join enrolments afresh instead of
        # reusing the join that found the leader's own enrolment.
        Cohort.objects.filter(
            pk__in=Cohort.objects.with_role(user, Enrolment.Role.CLINICAL_LEADER).values("pk")
        )
        .select_related("programme")
        .annotate(
            participant_count=Count(
                "enrolments",
                filter=participants & Q(enrolments__status__in=Enrolment.ACTIVE_STATUSES),
                distinct=True,
            ),
            withdrawn_count=Count(
                "enrolments",
                filter=participants & Q(enrolments__status=Enrolment.Status.WITHDRAWN),
                distinct=True,
            ),
            team_count=Count("redesign_teams", distinct=True),
        )
        .order_by("-starts_on", "name")
    )
    ids = [c.pk for c in cohorts]
    active = Enrolment.objects.filter(
        cohort_id=OuterRef("session__module__cohort_id"),
        person_id=OuterRef("person_id"),
        role=Enrolment.Role.PARTICIPANT,
        status__in=Enrolment.ACTIVE_STATUSES,
    )
    attended = dict(
        Attendance.objects.filter(
            Exists(active),
            session__module__cohort_id__in=ids,
            session__seat_limit__isnull=True,
            session__status=Session.Status.SCHEDULED,
            session__starts_at__lte=now,
            session__register_taken_at__isnull=False,
            status__in=(Attendance.Status.PRESENT, Attendance.Status.LATE),
        )
        .values_list("session__module__cohort_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    held = {
        cohort_id: (counted, missing)
        for cohort_id, counted, missing in Session.objects.filter(
            module__cohort_id__in=ids,
            seat_limit__isnull=True,
            status=Session.Status.SCHEDULED,
            starts_at__lte=now,
        )
        .values_list("module__cohort_id")
        .annotate(
            counted=Count("pk", filter=Q(register_taken_at__isnull=False)),
            missing=Count("pk", filter=Q(register_taken_at__isnull=True)),
        )
        .order_by()
    }
    reports: dict[int, list[ReportRequest]] = defaultdict(list)
    for report in ReportRequest.objects.filter(
        cohort_id__in=ids, kind=ReportRequest.Kind.PROGRESS
    ).order_by("-requested_at", "-pk"):
        reports[report.cohort_id].append(report)
    return [
        SponsoredCohort(
            cohort=cohort,
            participants=cohort.participant_count,
            withdrawn=cohort.withdrawn_count,
            team_count=cohort.team_count,
            attended=attended.get(cohort.pk, 0),
            expected=held.get(cohort.pk, (0, 0))[0] * cohort.participant_count,
            reports=reports[cohort.pk][:3],
            registers_missing=held.get(cohort.pk, (0, 0))[1],
        )
        for cohort in cast("list[WithAnnotations[Cohort, _SponsorCounts]]", cohorts)
    ]
