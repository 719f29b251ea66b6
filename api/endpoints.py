"""The API's endpoints (django-ninja): JSON, cursor pagination, ETags on lists, and one error
shape for every 4xx (``{"error": {"code", "message"}}``).

A caller is a logged-in person (their session) or a token (``Authorization: Bearer …``), which
acts as its creator within its scope (``selectors.Caller``). Every read goes through the same
selectors as the pages; the token's scope narrows them further."""

import base64
import binascii
import datetime
import hashlib
import json
import time
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from cohorts.models import Cohort, Enrolment
from cohorts.selectors import ADMINISTRATOR, PEOPLE_LIST_ROLES
from measures.charting import MeasureChart
from measures.charts import RunChartAnalysis, XmrAnalysis
from measures.models import PdsaCycle
from measures.selectors import chart_for, measure_charts_for_teams
from modules.selectors import attendance_summary_for_cohort, cohort_schedule
from modules.views import READS_ATTENDANCE
from pairings.selectors import cohort_pairings
from redesign_projects.selectors import (
    STAFF_READERS,
    assignment_overview,
    project_access,
    teams_for_cohort,
)

from . import schemas, selectors, services

# As the cohort's pairings page (pairings.views.cohort_overview).
PAIRINGS_READERS = {ADMINISTRATOR, Enrolment.Role.CLINICAL_LEADER}
MAX_PAGE = 500
DEFAULT_PAGE = 100


class ApiError(Exception):
    """A 4xx answer: ``code`` is for programs, ``message`` for people; ``extra`` joins
    ``error``."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``: a usable token, within its rate limit. Each request
    made with it is audited in its creator's name (``services.api_token_use``)."""

    def authenticate(self, request: HttpRequest, token: str) -> selectors.Caller | None:
        found = selectors.token_for_key(token)
        if found is None:
            return None
        per_minute = settings.API_REQUESTS_PER_MINUTE
        if not services.api_token_use(
            token=found, method=request.method or "", path=request.path, per_minute=per_minute
        ):
            raise ApiError(
                429,
                "rate_limited",
                f"At most {per_minute} requests a minute with one token.",
                retry_after=60 - int(time.time()) % 60,
            )
        return selectors.Caller(user=found.created_by, token=found)


class PersonAuth(SessionAuth):
    """A logged-in person: the pages' own session, so the API can be tried in a browser."""

    def authenticate(self, request: HttpRequest, key: str | None) -> selectors.Caller | None:
        if request.user.is_authenticated:
            return selectors.Caller(user=request.user)
        return None


api = NinjaAPI(
    title="Clinical leadership programmes API",
    version="1",
    description=(
        "Read-only reporting (programmes, cohorts, enrolments, teams, measures with their "
        "analysis, PDSA cycles) and measure feeds (POST a batch of points). Authenticate with "
        "`Authorization: Bearer <token>`; an administrator creates tokens on the programme's "
        "page. Lists are paged with a cursor (`next`), carry an ETag and answer 304 to "
        "`If-None-Match`."
    ),
    urls_namespace="api",
    docs_url=None,
    openapi_url="/schema/",
    auth=[TokenAuth(), PersonAuth()],
)


def _error(request: HttpRequest, status: int, code: str, message: str, **extra) -> HttpResponse:
    response = api.create_response(
        request, {"error": {"code": code, "message": message, **extra}}, status=status
    )
    if "retry_after" in extra:
        response["Retry-After"] = str(extra["retry_after"])
    return response


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return _error(request, exc.status, exc.code, exc.message, **exc.extra)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, "not_found", "Not found, or not yours to see.")


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _error(request, 403, "forbidden", str(exc) or "Not allowed.")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    response = _error(
        request,
        401,
        "unauthenticated",
        "Send a valid token: Authorization: Bearer <token> (revoked and expired tokens fail).",
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc: NinjaValidationError):
    return _error(request, 422, "invalid_parameters", "Check the parameters.", errors=exc.errors)


# --- pages and ETags ------------------------------------------------------------------------


def _after(cursor: str | None) -> int:
    """The id a cursor points past (0 for the first page)."""
    if not cursor:
        return 0
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode().removeprefix("after:"))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, "bad_cursor", "Use the `next` link of the previous page.") from exc


def _limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_PAGE
    if not 1 <= limit <= MAX_PAGE:
        raise ApiError(400, "bad_limit", f"limit is between 1 and {MAX_PAGE}.")
    return limit


def _next_url(request: HttpRequest, rows: list, limit: int) -> str | None:
    """The next page's URL: the cursor names the last row's ``pk``."""
    if len(rows) <= limit:
        return None
    query = request.GET.copy()
    query["cursor"] = base64.urlsafe_b64encode(f"after:{rows[limit - 1].pk}".encode()).decode()
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def _page(request: HttpRequest, page: type[Schema], rows: list, items: list, limit: int):
    """A page's JSON with a strong ETag of its bytes; 304 when the caller has them already.
    ``rows`` hold one more than ``limit`` when there is a next page."""
    data = {"items": items[:limit], "next": _next_url(request, rows, limit)}
    body = page.model_validate(data).model_dump_json()
    etag = f'"{hashlib.sha256(body.encode()).hexdigest()[:32]}"'
    sent = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
    if etag in sent or "*" in sent:
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = etag
        return not_modified
    response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


def _caller(request: HttpRequest) -> selectors.Caller:
    return request.auth  # type: ignore[attr-defined]


PAGE_PARAMS = "cursor: the `next` link's; limit: 1–500 (100)."


# --- programmes and cohorts -----------------------------------------------------------------


@api.get("/programmes/", response=schemas.ProgrammePage, url_name="programme_list")
def programme_list(request, cursor: str | None = None, limit: int | None = None):
    """The programmes the caller administers (a token: its programme). One query."""
    size = _limit(limit)
    rows = list(
        selectors.programmes_for_caller(_caller(request)).filter(pk__gt=_after(cursor))[: size + 1]
    )
    items = [
        schemas.ProgrammeOut(id=p.pk, name=p.name, slug=p.slug, organisation=p.organisation)
        for p in rows
    ]
    return _page(request, schemas.ProgrammePage, rows, items, size)


def _cohort_out(cohort: Cohort) -> schemas.CohortOut:
    return schemas.CohortOut(
        id=cohort.pk,
        programme_id=cohort.programme_id,
        name=cohort.name,
        slug=cohort.slug,
        starts_on=cohort.starts_on,
        status=cohort.status,
        time_zone=cohort.time_zone,
        capacity=cohort.capacity,
    )


@api.get("/cohorts/", response=schemas.CohortPage, url_name="cohort_list")
def cohort_list(
    request,
    programme: int | None = None,
    starts_from: str | None = None,
    starts_until: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
):
    """The cohorts the caller may open (administered or enrolled in; a token: its scope),
    filtered by programme and start date (ISO dates, inclusive). One query."""
    size = _limit(limit)
    cohorts = selectors.cohorts_for_caller(_caller(request)).filter(pk__gt=_after(cursor))
    if programme is not None:
        cohorts = cohorts.filter(programme_id=programme)
    if starts_from:
        cohorts = cohorts.filter(starts_on__gte=_date(starts_from, "starts_from"))
    if starts_until:
        cohorts = cohorts.filter(starts_on__lte=_date(starts_until, "starts_until"))
    rows = list(cohorts[: size + 1])
    return _page(request, schemas.CohortPage, rows, [_cohort_out(c) for c in rows], size)


def _date(text: str, name: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise ApiError(400, "bad_date", f"{name} is a date: 2025-03-01.") from exc


@api.get(
    "/cohorts/{cohort_id}/enrolments/", response=schemas.EnrolmentPage, url_name="enrolment_list"
)
def enrolment_list(
    request, cohort_id: int, role: str | None = None, cursor: str | None = None,
    limit: int | None = None,
):  # fmt: skip
    """The cohort's people and their roles, for anyone who may read its people list. E-mail
    addresses only for administrators, and with a token only if it includes contact details.
    Two queries (the cohort and the caller's roles; the enrolments with their people)."""
    caller = _caller(request)
    size = _limit(limit)
    cohort, access = selectors.get_cohort_for_caller(caller, cohort_id, roles=PEOPLE_LIST_ROLES)
    enrolments = cohort.enrolments.select_related("person").filter(pk__gt=_after(cursor))
    if role:
        enrolments = enrolments.filter(role=role)
    rows = list(enrolments.order_by("pk")[: size + 1])
    with_email = access.is_admin and caller.sees_contact_details
    items = [
        schemas.EnrolmentOut(
            id=e.pk,
            person_id=e.person_id,
            name=e.person.get_full_name() or "",
            role=e.role,
            status=e.status,
            email=e.person.email if with_email else None,
        )
        for e in rows
    ]
    return _page(request, schemas.EnrolmentPage, rows, items, size)


# --- teams, measures, PDSA cycles ----------------------------------------------------------


def _visible_teams(request: HttpRequest, cohort_id: int):
    """The cohort's teams the caller may see, as on the cohort's team list."""
    caller = _caller(request)
    cohort, access = selectors.get_cohort_for_caller(caller, cohort_id)
    return teams_for_cohort(cohort, project_access(caller.user, cohort, access))


def _in_memory_page(rows: list, cursor: str | None, limit: int | None) -> tuple[list, int]:
    """A page of ``rows`` (in ``pk`` order) that a selector returned whole: the selectors
    that compute per-row figures (charts, attendance, statuses) fetch a cohort's rows in a
    fixed number of queries, and pages are cut from them."""
    size = _limit(limit)
    after = _after(cursor)
    return [row for row in rows if row.pk > after][: size + 1], size


@api.get("/cohorts/{cohort_id}/teams/", response=schemas.TeamPage, url_name="team_list")
def team_list(request, cohort_id: int, cursor: str | None = None, limit: int | None = None):
    """The cohort's redesign teams the caller may see (staff every team; a participant their
    own, and every team when peer review is on). Two or three queries."""
    teams = sorted(_visible_teams(request, cohort_id), key=lambda team: team.pk)
    rows, size = _in_memory_page(teams, cursor, limit)
    items = [
        schemas.TeamOut(
            id=t.pk, cohort_id=t.cohort_id, name=t.name, focus_kind=t.focus_kind,
            focus=t.focus, member_count=t.member_count,
        )
        for t in rows
    ]  # fmt: skip
    return _page(request, schemas.TeamPage, rows, items, size)


def _analysis(chart: MeasureChart) -> schemas.AnalysisOut:
    """The numbers behind the chart the pages draw (``measures.charting.measure_chart``)."""
    analysis = chart.analysis
    if analysis is None:
        return schemas.AnalysisOut(
            kind=chart.kind, headline=chart.summary, variation="", assurance="",
            centre_line=None, segments=[], signals=[], rules="",
        )  # fmt: skip
    periods = [point.period for point in analysis.points]
    segments = []
    if isinstance(analysis, XmrAnalysis):
        centre: float | None = analysis.segments[-1].mean
        segments = [
            schemas.SegmentOut(
                first_period=periods[s.first], last_period=periods[s.last], centre_line=s.mean,
                upper_limit=s.upper, lower_limit=s.lower, provisional=s.provisional,
                reason=s.reason,
            )
            for s in analysis.segments
        ]  # fmt: skip
    else:
        assert isinstance(analysis, RunChartAnalysis)
        centre = analysis.median
    signals = [
        schemas.SignalOut(
            rule=str(found.rule), nature=str(found.nature),
            periods=[periods[i] for i in found.indices], description=label,
        )
        for found, label in zip(analysis.signals, chart.signal_labels, strict=True)
    ]  # fmt: skip
    return schemas.AnalysisOut(
        kind=chart.kind, headline=chart.summary, variation=chart.variation_label,
        assurance=chart.assurance_label, centre_line=centre, segments=segments,
        signals=signals, rules=chart.rules,
    )  # fmt: skip


def _measure_out(
    chart: MeasureChart,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> schemas.MeasureOut:
    """A measure with its points (those from ``since`` to ``until`` when given; the analysis
    always covers them all, as the chart does)."""
    measure = chart.measure
    points = [
        schemas.PointOut(period=p.period, value=float(p.value), annotation=p.annotation)
        for p in measure.datapoints.all()
        if (since is None or p.period >= since) and (until is None or p.period <= until)
    ]
    return schemas.MeasureOut(
        id=measure.pk, team_id=measure.team_id, pairing_id=measure.pairing_id,
        name=measure.name, kind=measure.kind, unit=measure.unit, better=measure.better,
        frequency=measure.frequency,
        target=None if measure.target is None else float(measure.target),
        points=points, analysis=_analysis(chart),
    )  # fmt: skip


@api.get("/cohorts/{cohort_id}/measures/", response=schemas.MeasurePage, url_name="measure_list")
def measure_list(
    request, cohort_id: int, since: str | None = None, until: str | None = None,
    cursor: str | None = None, limit: int | None = None,
):  # fmt: skip
    """The measures of the teams the caller may see, each with its points (``since`` and
    ``until`` narrow them, ISO dates) and its analysis: centre line, limits, signals and
    headline, as the team page's charts. Six or seven queries whatever the number of measures
    or points: the cohort, the caller's teams, the teams, then the measures' four."""
    first = _date(since, "since") if since else None
    last = _date(until, "until") if until else None
    team_ids = [team.pk for team in _visible_teams(request, cohort_id)]
    charts = [c for charts in measure_charts_for_teams(team_ids).values() for c in charts]
    charts.sort(key=lambda chart: chart.measure.pk)
    by_pk = [chart.measure for chart in charts]
    rows, size = _in_memory_page(by_pk, cursor, limit)
    chart_of = {chart.measure.pk: chart for chart in charts}
    items = [_measure_out(chart_of[m.pk], first, last) for m in rows]
    return _page(request, schemas.MeasurePage, rows, items, size)


@api.get("/measures/{measure_id}/", response=schemas.MeasureOut, url_name="measure_detail")
def measure_detail(request, measure_id: int, since: str | None = None, until: str | None = None):
    """One measure with its points and analysis, for whoever may see its team or pair."""
    measure, _ = selectors.get_measure_for_caller(_caller(request), measure_id)
    first = _date(since, "since") if since else None
    last = _date(until, "until") if until else None
    return _measure_out(chart_for(measure), first, last)


@api.get("/cohorts/{cohort_id}/pdsa-cycles/", response=schemas.PdsaCyclePage, url_name="pdsa_list")
def pdsa_list(request, cohort_id: int, cursor: str | None = None, limit: int | None = None):
    """The PDSA cycles of the teams the caller may see. Three or four queries."""
    size = _limit(limit)
    team_ids = [team.pk for team in _visible_teams(request, cohort_id)]
    rows = list(
        PdsaCycle.objects.filter(team_id__in=team_ids, pk__gt=_after(cursor)).order_by("pk")[
            : size + 1
        ]
    )
    items = [
        schemas.PdsaCycleOut(
            id=c.pk, team_id=c.team_id, measure_id=c.measure_id, change_idea=c.change_idea,
            started_on=c.started_on, ended_on=c.ended_on,
        )
        for c in rows
    ]  # fmt: skip
    return _page(request, schemas.PdsaCyclePage, rows, items, size)


# --- sessions, attendance, assignments, pairs ---------------------------------------------


@api.get("/cohorts/{cohort_id}/sessions/", response=schemas.SessionPage, url_name="session_list")
def session_list(
    request, cohort_id: int, since: str | None = None, until: str | None = None,
    cursor: str | None = None, limit: int | None = None,
):  # fmt: skip
    """The cohort's sessions (``since``/``until``: ISO dates of their start, inclusive), for
    any member, with apologies and the number expected, as on the schedule page. Five queries:
    the cohort, then the schedule's four."""
    cohort, _ = selectors.get_cohort_for_caller(_caller(request), cohort_id)
    first = _date(since, "since") if since else None
    last = _date(until, "until") if until else None
    sessions = sorted(
        (
            (module, session)
            for module in cohort_schedule(cohort)
            # ``session_list``: the schedule's prefetch (modules.selectors.cohort_schedule).
            for session in getattr(module, "session_list")  # noqa: B009
            if (first is None or session.starts_at.date() >= first)
            and (last is None or session.starts_at.date() <= last)
        ),
        key=lambda pair: pair[1].pk,
    )
    modules = {session.pk: module for module, session in sessions}
    rows, size = _in_memory_page([session for _, session in sessions], cursor, limit)
    items = [
        schemas.SessionOut(
            id=s.pk, module_id=s.module_id, module_title=modules[s.pk].title, title=s.title,
            starts_at=s.starts_at, ends_at=s.ends_at, status=s.status,
            apologies_count=s.apologies_count, expected_count=s.expected_count,
        )
        for s in rows
    ]  # fmt: skip
    return _page(request, schemas.SessionPage, rows, items, size)


class _Keyed:
    """A row without a ``pk`` of its own, keyed for a page."""

    def __init__(self, pk: int, row: Any) -> None:
        self.pk, self.row = pk, row


@api.get(
    "/cohorts/{cohort_id}/attendance/", response=schemas.AttendancePage, url_name="attendance_list"
)
def attendance_list(request, cohort_id: int, cursor: str | None = None, limit: int | None = None):
    """Each participant's attendance rate against the programme's rule, for those who read
    the cohort's attendance page (administrators, faculty, clinical leaders). Five queries."""
    cohort, _ = selectors.get_cohort_for_caller(_caller(request), cohort_id, roles=READS_ATTENDANCE)
    summary = sorted(
        (_Keyed(line.person.pk, line) for line in attendance_summary_for_cohort(cohort)),
        key=lambda keyed: keyed.pk,
    )
    rows, size = _in_memory_page(summary, cursor, limit)
    items = [
        schemas.AttendanceOut(
            person_id=k.pk, name=k.row.person.get_full_name() or "", expected=k.row.expected,
            attended=k.row.attended, apologies=k.row.apologies, rate=k.row.rate,
            meets_rule=k.row.meets_rule,
        )
        for k in rows
    ]  # fmt: skip
    return _page(request, schemas.AttendancePage, rows, items, size)


@api.get(
    "/cohorts/{cohort_id}/assignments/", response=schemas.AssignmentPage,
    url_name="assignment_list",
)  # fmt: skip
def assignment_list(request, cohort_id: int, cursor: str | None = None, limit: int | None = None):
    """Each assignment with each team's submission status, as the assignments overview (its
    readers: administrators, faculty, clinical leaders). Six queries."""
    cohort, _ = selectors.get_cohort_for_caller(_caller(request), cohort_id, roles=STAFF_READERS)
    assignments, team_rows = assignment_overview(cohort)
    statuses: dict[int, list[schemas.TeamStatusOut]] = {a.pk: [] for a in assignments}
    for team_row in team_rows:
        for cell in team_row.cells:
            statuses[cell.assignment.pk].append(
                schemas.TeamStatusOut(
                    team_id=team_row.team.pk, status=cell.status, due_at=cell.due_at
                )
            )
    rows, size = _in_memory_page(sorted(assignments, key=lambda a: a.pk), cursor, limit)
    items = [
        schemas.AssignmentOut(
            id=a.pk, title=a.title, kind=a.kind, due_at=a.due_at, teams=statuses[a.pk]
        )
        for a in rows
    ]
    return _page(request, schemas.AssignmentPage, rows, items, size)


@api.get("/cohorts/{cohort_id}/pairs/", response=schemas.PairPage, url_name="pair_list")
def pair_list(request, cohort_id: int, cursor: str | None = None, limit: int | None = None):
    """The cohort's clinician–manager pairs, for those who read the pairings page
    (administrators and clinical leaders). Two queries."""
    cohort, _ = selectors.get_cohort_for_caller(_caller(request), cohort_id, roles=PAIRINGS_READERS)
    pairs = sorted(cohort_pairings(cohort), key=lambda pairing: pairing.pk)
    rows, size = _in_memory_page(pairs, cursor, limit)
    items = [
        schemas.PairOut(
            id=p.pk, kind=p.kind, status=p.status, clinician_id=p.clinician_id,
            clinician_name=p.clinician.get_full_name() or "", manager_id=p.manager_id,
            manager_name=p.manager.get_full_name() or "", started_on=p.started_on,
            ended_on=p.ended_on, shadowing_count=p.shadowing_count,
        )
        for p in rows
    ]  # fmt: skip
    return _page(request, schemas.PairPage, rows, items, size)


# --- measure feeds --------------------------------------------------------------------------

POINTS_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["points"],
                "properties": {
                    "points": {
                        "type": "array",
                        "maxItems": 1000,
                        "items": {
                            "type": "object",
                            "required": ["period", "value"],
                            "properties": {
                                "period": {"type": "string", "format": "date"},
                                "value": {"type": "number"},
                                "annotation": {"type": "string", "maxLength": 300},
                            },
                        },
                    }
                },
            }
        },
        "text/csv": {"schema": {"type": "string", "description": "period,value[,annotation]"}},
    },
}


@api.post(
    "/measures/{measure_id}/points/",
    auth=[TokenAuth()],
    response={
        200: schemas.BatchOut, 201: schemas.BatchOut, 400: schemas.ErrorOut,
        403: schemas.ErrorOut, 409: schemas.ErrorOut, 413: schemas.ErrorOut,
        415: schemas.ErrorOut, 422: schemas.BatchErrorOut, 429: schemas.ErrorOut,
    },
    url_name="points_create",
    openapi_extra={
        "requestBody": POINTS_BODY,
        "parameters": [
            {"name": "Idempotency-Key", "in": "header", "required": False,
             "schema": {"type": "string", "maxLength": 100}},
        ],
    },
)  # fmt: skip
def points_create(request, measure_id: int):
    """Add a batch of points (at most 1,000), all or none: JSON ``{"points": [{"period",
    "value", "annotation"}]}`` or CSV with a ``period,value`` header. A token that may write
    measure points only. Sending a batch again changes nothing: rows already recorded with the
    same value are ``unchanged``, and an ``Idempotency-Key`` already used answers as the first
    time. A bad row rejects the batch (422, each row's errors)."""
    caller = _caller(request)
    token = caller.token
    assert token is not None  # this operation accepts tokens only
    if not token.can_write_points:
        raise ApiError(403, "read_only_token", "This token may read, not write measure points.")
    length = int(request.headers.get("Content-Length") or 0)
    if length > settings.API_MAX_BODY_BYTES:
        raise ApiError(
            413, "too_large", f"At most {settings.API_MAX_BODY_BYTES} bytes in one batch."
        )
    measure, access = selectors.get_measure_for_caller(caller, measure_id)
    if not access.can_edit:
        raise PermissionDenied("Only the team's members and administrators add data.")
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 100:
        raise ApiError(400, "bad_idempotency_key", "An Idempotency-Key is at most 100 characters.")
    text = _batch_text(request)

    def response_for(result: services.BatchResult) -> dict:
        fresh, _ = selectors.get_measure_for_caller(caller, measure_id)
        return schemas.BatchOut(
            created=result.created, unchanged=result.unchanged,
            measure=_measure_out(chart_for(fresh)),
        ).model_dump(mode="json")  # fmt: skip

    result, body, replayed = services.points_receive(
        measure=measure, text=text, token=token, idempotency_key=key, response_for=response_for
    )
    if result.key_reused:
        raise ApiError(
            409, "idempotency_key_reused", "This Idempotency-Key was sent with another batch."
        )
    if body is None:
        raise ApiError(
            422, "invalid_batch", "Nothing was saved: correct these rows and send the batch again.",
            errors=result.errors,
            rows=[vars(row) for row in result.row_errors],
        )  # fmt: skip
    if replayed:
        response = HttpResponse(json.dumps(body), content_type="application/json")
        response["Idempotent-Replayed"] = "true"
        return response
    return Status(201 if result.created else 200, body)


def _batch_text(request: HttpRequest) -> str:
    """The batch as the CSV the measures' import reads (JSON rows are turned into it)."""
    kind = request.content_type or ""
    if len(request.body) > settings.API_MAX_BODY_BYTES:  # sent without a Content-Length
        raise ApiError(
            413, "too_large", f"At most {settings.API_MAX_BODY_BYTES} bytes in one batch."
        )
    try:
        raw = request.body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "bad_encoding", "Send the batch as UTF-8.") from exc
    if kind in ("text/csv", "text/plain"):
        return raw
    if kind != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send application/json or text/csv.")
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ApiError(400, "bad_json", f"The body is not JSON: {exc}.") from exc
    points = data.get("points") if isinstance(data, dict) else None
    if not isinstance(points, list) or not all(isinstance(row, dict) for row in points):
        raise ApiError(400, "bad_json", 'Send {"points": [{"period": ..., "value": ...}]}.')
    return services.rows_from_json(points)
