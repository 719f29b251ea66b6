"""What the API answers with: the OpenAPI schema at ``/api/schema/`` is generated from these."""

import datetime

from ninja import Schema


class ErrorBody(Schema):
    code: str
    message: str


class ErrorOut(Schema):
    """Every 4xx answer: ``error.code`` is stable, for programs; ``message`` is for people."""

    error: ErrorBody


class RowErrorOut(Schema):
    row: int
    period: str
    value: str
    errors: list[str]


class BatchErrorBody(ErrorBody):
    errors: list[str]
    rows: list[RowErrorOut]


class BatchErrorOut(Schema):
    error: BatchErrorBody


class ProgrammeOut(Schema):
    id: int
    name: str
    slug: str
    organisation: str


class CohortOut(Schema):
    id: int
    programme_id: int
    name: str
    slug: str
    starts_on: datetime.date
    status: str
    time_zone: str
    capacity: int


class EnrolmentOut(Schema):
    id: int
    person_id: int
    name: str
    role: str
    status: str
    email: str | None = None


class TeamOut(Schema):
    id: int
    cohort_id: int
    name: str
    focus_kind: str
    focus: str
    member_count: int


class PointOut(Schema):
    period: datetime.date
    value: float
    annotation: str


class SegmentOut(Schema):
    """A stretch of an XmR chart with its own limits (the first, or one after a rebase)."""

    first_period: datetime.date
    last_period: datetime.date
    centre_line: float
    upper_limit: float
    lower_limit: float
    provisional: bool
    reason: str


class SignalOut(Schema):
    rule: str
    nature: str
    periods: list[datetime.date]
    description: str


class AnalysisOut(Schema):
    """``kind`` is "xmr", "run" (too few points for limits) or "none" (under two points)."""

    kind: str
    headline: str
    variation: str
    assurance: str
    centre_line: float | None
    segments: list[SegmentOut]
    signals: list[SignalOut]
    rules: str


class MeasureOut(Schema):
    id: int
    team_id: int | None
    pairing_id: int | None
    name: str
    kind: str
    unit: str
    better: str
    frequency: str
    target: float | None
    points: list[PointOut]
    analysis: AnalysisOut


class PdsaCycleOut(Schema):
    id: int
    team_id: int | None
    measure_id: int | None
    change_idea: str
    started_on: datetime.date
    ended_on: datetime.date | None


class SessionOut(Schema):
    id: int
    module_id: int
    module_title: str
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    status: str
    apologies_count: int
    expected_count: int


class AttendanceOut(Schema):
    """One participant's attendance at the sessions held so far (as the cohort's page)."""

    person_id: int
    name: str
    expected: int
    attended: int
    apologies: int
    rate: float | None
    meets_rule: bool | None


class TeamStatusOut(Schema):
    team_id: int
    status: str
    due_at: datetime.datetime | None


class AssignmentOut(Schema):
    id: int
    title: str
    kind: str
    due_at: datetime.datetime
    teams: list[TeamStatusOut]


class PairOut(Schema):
    id: int
    kind: str
    status: str
    clinician_id: int
    clinician_name: str
    manager_id: int
    manager_name: str
    started_on: datetime.date | None
    ended_on: datetime.date | None
    shadowing_count: int


class BatchOut(Schema):
    created: int
    unchanged: int
    measure: MeasureOut


class ProgrammePage(Schema):
    """A page: ``next`` is the URL of the next page, or null on the last."""

    items: list[ProgrammeOut]
    next: str | None


class CohortPage(Schema):
    """A page: ``next`` is the URL of the next page, or null on the last."""

    items: list[CohortOut]
    next: str | None


class EnrolmentPage(Schema):
    """A page: ``next`` is the URL of the next page, or null on the last."""

    items: list[EnrolmentOut]
    next: str | None


class TeamPage(Schema):
    """A page: ``next`` is the URL of the next page, or null on the last."""

    items: list[TeamOut]
    next: str | None


class MeasurePage(Schema):
    """A page: ``next`` is the URL of the next page, or null on the last."""

    items: list[MeasureOut]
    next: str | None


class PdsaCyclePage(Schema):
    """A page: ``next`` is the URL of the next page, or null on the last."""

    items: list[PdsaCycleOut]
    next: str | None


class SessionPage(Schema):
    """A page: ``next`` is the URL of the next page, or null on the last."""

    items: list[SessionOut]
    next: str | None


class AttendancePage(Schema):
    """A page: ``next`` is the URL of the next page, or null on the last."""

    items: list[AttendanceOut]
    next: str | None


class AssignmentPage(Schema):
    """A page: ``next`` is the URL of the next page, or null on the last."""

    items: list[AssignmentOut]
    next: str | None


class PairPage(Schema):
    """A page: ``next`` is the URL of the next page, or null on the last."""

    items: list[PairOut]
    next: str | None
