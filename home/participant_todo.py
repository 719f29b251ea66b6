"""A participant's start page in one hand-written query.

The page is the one every participant opens first, so it is the busiest read of the site. Built
from the ORM it ran thirteen queries whose compilation alone cost 45–70 ms of CPU a request
(bench/production_shape.py: 29 requests a second where the login page served 344). Here one
statement reads everything: CTEs find the person's cohorts and current teams, and each section
of the page is a subquery aggregated to a JSON array, in the order the page shows it. Each
database connection prepares the statement once (``_fetch``), so a request neither compiles
nor plans anything; Python reads plain lists and builds no model instance but the few rows
callers compare as rows (cohorts, assignments, feedback, stale measures: ``Model.from_db``
with only the fields read here, which is all the page reads of them).

Every date and time comes in the zone the page shows it in (a session's in its cohort's, a
feedback's release in the office's), and every item with its link (``links.link``): the
template only prints them.

What appears, when and for whom is the definition of the ORM selectors each section mirrors,
named in its comment; tests/home/test_participant_sql.py checks every section against them
(tests/home/participant_reference.py) on varied data. Only ``user.pk``, dates and fixed codes
reach the statement, always as parameters."""

import datetime
import json
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

from cohorts.models import Cohort, Enrolment
from cohorts.selectors import navigation_roles_sql, remember_navigation_roles
from frameworks.selectors import Window, self_assessment_windows_from
from leadership.links import link
from leadership.models import User
from leadership.prepared import Prepared
from measures.models import Measure
from measures.timeliness import due_date, latest_due_month
from pairings.models import Pairing
from redesign_projects.models import Assignment, Feedback
from redesign_projects.selectors import WorkStatus, work_status

from . import participant_orm

# The statement. %(…)s are its parameters, named in PARAMETERS; nothing else is interpolated.
# The person's cohorts, teams and pairings (the CTEs) are tested as ``= ANY(ARRAY(…))``: each
# array is built once and is then an index condition, where ``IN (SELECT …)`` added a
# semi-join with its own hash to every section (about 7% of the statement's time).
SQL = """
WITH mine AS (
    SELECT DISTINCT e.cohort_id FROM cohorts_enrolment e
    WHERE e.person_id = %(me)s AND e.role = 'participant' AND e.status = ANY(%(active)s)
),
teaching AS (
    SELECT DISTINCT e.cohort_id FROM cohorts_enrolment e
    WHERE e.person_id = %(me)s AND e.role = 'faculty' AND e.status = ANY(%(active)s)
),
teams AS (
    SELECT m.cohort_id, m.team_id, t.name
    FROM redesign_projects_teammembership m
    JOIN redesign_projects_redesignteam t ON t.id = m.team_id
    WHERE m.person_id = %(me)s AND m.left_at IS NULL
      AND m.cohort_id = ANY(ARRAY(SELECT cohort_id FROM mine))
),
open_pairings AS (
    SELECT p.* FROM pairings_pairing p
    WHERE p.status IN ('proposed', 'active')
      AND (p.clinician_id = %(me)s OR p.manager_id = %(me)s)
),
-- The measures of their teams and open pairs, each with its latest recording and period: read
-- once for the two sections about measures below.
their_measures AS (
    SELECT ms.id, ms.name, ms.position, ms.frequency, ms.created_at, t.name AS team_name,
      ms.team_id = ANY(ARRAY(SELECT team_id FROM teams)) AS of_their_team,
      d.last_recorded_at, d.latest_period
    FROM redesign_projects_measure ms
    LEFT JOIN redesign_projects_redesignteam t ON t.id = ms.team_id
    LEFT JOIN LATERAL (
      SELECT max(dp.recorded_at) AS last_recorded_at, max(dp.period) AS latest_period
      FROM redesign_projects_datapoint dp WHERE dp.measure_id = ms.id
    ) d ON true
    WHERE ms.team_id = ANY(ARRAY(SELECT team_id FROM teams))
       OR ms.pairing_id = ANY(ARRAY(SELECT id FROM open_pairings))
)
SELECT
-- Cohorts, newest first, with: their programme; the person's current team; whether it has
-- team work; whether it asked for pairing preferences the person has not given; for the
-- self-assessment windows, whether its programme has a framework, its last session and which
-- self-assessments were sent (frameworks.selectors.open_self_assessments_by_cohort).
(SELECT COALESCE(json_agg(json_build_array(
    c.id, c.name, c.starts_on, c.time_zone, p.name, t.team_id, t.name,
    EXISTS (SELECT 1 FROM redesign_projects_assignment a
            WHERE a.cohort_id = c.id AND a.kind = 'team'),
    EXISTS (SELECT 1 FROM pairings_preferencerequest r WHERE r.cohort_id = c.id)
    AND NOT EXISTS (SELECT 1 FROM pairings_pairingpreference pp
                    WHERE pp.cohort_id = c.id AND pp.person_id = %(me)s),
    EXISTS (SELECT 1 FROM frameworks_programmeframework f WHERE f.programme_id = c.programme_id),
    (SELECT max(s.starts_at) FROM modules_session s
     JOIN modules_module md ON md.id = s.module_id WHERE md.cohort_id = c.id),
    EXISTS (SELECT 1 FROM frameworks_selfassessment sa
            WHERE sa.cohort_id = c.id AND sa.person_id = %(me)s AND sa.kind = 'start'),
    EXISTS (SELECT 1 FROM frameworks_selfassessment sa
            WHERE sa.cohort_id = c.id AND sa.person_id = %(me)s AND sa.kind = 'end')
  ) ORDER BY c.starts_on DESC, c.id), '[]')
 FROM cohorts_cohort c
 JOIN cohorts_programme p ON p.id = c.programme_id
 LEFT JOIN teams t ON t.cohort_id = c.id
 WHERE c.id = ANY(ARRAY(SELECT cohort_id FROM mine))),

-- Each piece of work the person owes or has back, soonest first: every individual assignment
-- of their cohorts, and every team one where they are in a team. Its unit is (assignment, team,
-- no owner) or (assignment, no team, the person); for that unit, the extended due date, whether
-- a draft exists and the latest submitted version with its feedback decision.
(SELECT COALESCE(json_agg(json_build_array(
    w.id, w.cohort_id, w.title, w.due_at, w.kind, w.team_id, w.team_name, w.extended_to,
    w.has_draft, w.latest_id, w.is_late, w.decision, w.released
  ) ORDER BY w.due_at, w.id), '[]')
 FROM (
   SELECT a.id, a.cohort_id, a.title, a.due_at, a.kind, t.team_id, t.name AS team_name,
     (SELECT x.due_at FROM redesign_projects_extension x
      WHERE x.assignment_id = a.id
        AND x.team_id IS NOT DISTINCT FROM t.team_id
        AND x.person_id IS NOT DISTINCT FROM (CASE WHEN t.team_id IS NULL THEN %(me)s END)
      ORDER BY x.id DESC LIMIT 1) AS extended_to,
     EXISTS (SELECT 1 FROM redesign_projects_submission d
             WHERE d.assignment_id = a.id AND d.status = 'draft'
               AND d.team_id IS NOT DISTINCT FROM t.team_id
               AND d.owner_id IS NOT DISTINCT FROM (CASE WHEN t.team_id IS NULL THEN %(me)s END)
            ) AS has_draft,
     l.id AS latest_id, l.is_late, l.decision, l.released
   FROM redesign_projects_assignment a
   LEFT JOIN teams t ON a.kind = 'team' AND t.cohort_id = a.cohort_id
   LEFT JOIN LATERAL (
     SELECT s.id, s.is_late, f.decision, f.released_at IS NOT NULL AS released
     FROM redesign_projects_submission s
     LEFT JOIN redesign_projects_feedback f ON f.submission_id = s.id
     WHERE s.assignment_id = a.id AND s.status <> 'draft'
       AND s.team_id IS NOT DISTINCT FROM t.team_id
       AND s.owner_id IS NOT DISTINCT FROM (CASE WHEN t.team_id IS NULL THEN %(me)s END)
     ORDER BY s.version DESC LIMIT 1
   ) l ON true
   WHERE a.cohort_id = ANY(ARRAY(SELECT cohort_id FROM mine))
     AND (a.kind <> 'team' OR t.team_id IS NOT NULL)
 ) w),

-- Feedback released on their (or their team's) work that they have not opened, newest first.
(SELECT COALESCE(json_agg(json_build_array(
    f.id, f.submission_id, f.decision, f.released_at, s.version, a.title
  ) ORDER BY f.released_at DESC, f.id DESC), '[]')
 FROM redesign_projects_feedback f
 JOIN redesign_projects_submission s ON s.id = f.submission_id
 JOIN redesign_projects_assignment a ON a.id = s.assignment_id
 WHERE (s.owner_id = %(me)s OR s.team_id = ANY(ARRAY(SELECT team_id FROM teams)))
   AND f.released_at IS NOT NULL
   AND a.cohort_id = ANY(ARRAY(SELECT cohort_id FROM mine))
   AND NOT EXISTS (SELECT 1 FROM redesign_projects_feedbackread r
                   WHERE r.feedback_id = f.id AND r.person_id = %(me)s)),

-- Their next three sessions (modules.selectors.upcoming_sessions_for and
-- SessionQuerySet.expected_for): scheduled, not yet ended, of the cohorts they teach or take
-- part in (sign-up sessions only once signed up), with their own attendance status.
(SELECT COALESCE(json_agg(json_build_array(
    n.id, n.title, n.starts_at, n.ends_at, n.venue_name, n.what_to_prepare, n.module_title,
    n.time_zone, n.my_status
  ) ORDER BY n.starts_at, n.id), '[]')
 FROM (
   SELECT s.id, s.title, s.starts_at, s.ends_at, s.venue_name, s.what_to_prepare,
     md.title AS module_title, c.time_zone,
     (SELECT at.status FROM modules_attendance at
      WHERE at.session_id = s.id AND at.person_id = %(me)s LIMIT 1) AS my_status
   -- From the person's cohorts to their modules and sessions (by index), rather than through
   -- every scheduled session of the organisation.
   FROM modules_module md
   JOIN cohorts_cohort c ON c.id = md.cohort_id
   JOIN modules_session s ON s.module_id = md.id
   WHERE md.cohort_id = ANY(ARRAY(SELECT cohort_id FROM mine UNION SELECT cohort_id FROM teaching))
     AND s.status = 'scheduled' AND s.ends_at > %(now)s
     AND (md.cohort_id = ANY(ARRAY(SELECT cohort_id FROM teaching))
          OR s.seat_limit IS NULL
          OR EXISTS (SELECT 1 FROM modules_shortcoursesignup su
                     WHERE su.session_id = s.id AND su.person_id = %(me)s))
   ORDER BY s.starts_at, s.id
   LIMIT 3
 ) n),

-- Session evaluations they were asked for, not answered and still open, soonest to close
-- first (evaluation.selectors.open_evaluations_for).
(SELECT COALESCE(json_agg(json_build_array(
    s.id, s.title, s.starts_at, md.title, c.time_zone, ev.closes_at
  ) ORDER BY ev.closes_at, i.id), '[]')
 FROM evaluation_evaluationinvitation i
 JOIN evaluation_sessionevaluation ev ON ev.id = i.evaluation_id
 JOIN modules_session s ON s.id = ev.session_id
 JOIN modules_module md ON md.id = s.module_id
 JOIN cohorts_cohort c ON c.id = md.cohort_id
 WHERE i.person_id = %(me)s AND i.responded_on IS NULL AND ev.closes_at > %(now)s),

-- Their open pairings in their cohorts, newest first, with the partner's name and the
-- shadowing logged so far.
(SELECT COALESCE(json_agg(json_build_array(
    p.id, p.cohort_id, p.kind, p.status, p.project_status, p.clinician_id, p.manager_id,
    u.first_name, u.last_name, u.email,
    (SELECT count(*) FROM pairings_shadowingentry se WHERE se.pairing_id = p.id),
    (SELECT max(se.occurred_on) FROM pairings_shadowingentry se WHERE se.pairing_id = p.id)
  ) ORDER BY p.id DESC), '[]')
 FROM open_pairings p
 JOIN leadership_user u
   ON u.id = CASE WHEN p.clinician_id = %(me)s THEN p.manager_id ELSE p.clinician_id END
 WHERE p.cohort_id = ANY(ARRAY(SELECT cohort_id FROM mine))),

-- Their teams' measures with nothing recorded this month, the longest unrecorded first
-- (measures.selectors.measures_not_updated_this_month).
(SELECT COALESCE(json_agg(json_build_array(
    x.id, x.name, x.team_name, x.last_recorded_at
  ) ORDER BY x.last_recorded_at ASC NULLS FIRST, x.team_name, x.position, x.id), '[]')
 FROM their_measures x
 WHERE x.of_their_team
   AND (x.last_recorded_at IS NULL OR x.last_recorded_at < %(month_start)s)),

-- Monthly measures of their teams and of their open pairs (in any cohort) whose latest due
-- month has no value nor any later one (measures.timeliness.late_monthly_values).
(SELECT COALESCE(json_agg(json_build_array(x.id, x.name, x.team_name)
  ORDER BY x.position, x.id), '[]')
 FROM their_measures x
 WHERE x.frequency = 'monthly'
   AND (x.created_at AT TIME ZONE %(tz)s)::date <= %(late_due)s
   AND (x.latest_period IS NULL OR x.latest_period < %(late_month)s)),

-- Peer reviews allocated to them, not yet sent, in cohorts where they take part, soonest due
-- first (redesign_projects.peer_reviews.reviews_to_do).
(SELECT COALESCE(json_agg(json_build_array(
    pr.id, pr.due_on, a.title, t.name, o.first_name, o.last_name, o.email
  ) ORDER BY pr.due_on, pr.id), '[]')
 FROM redesign_projects_peerreview pr
 JOIN redesign_projects_submission s ON s.id = pr.submission_id
 JOIN redesign_projects_assignment a ON a.id = s.assignment_id
 LEFT JOIN redesign_projects_redesignteam t ON t.id = s.team_id
 LEFT JOIN leadership_user o ON o.id = s.owner_id
 WHERE pr.reviewer_id = %(me)s AND pr.submitted_at IS NULL
   AND a.cohort_id = ANY(ARRAY(SELECT cohort_id FROM mine))),

-- Their roles everywhere, for the navigation (cohorts.selectors.roles_for_user), read here
-- rather than in a query of their own.
""" + navigation_roles_sql("%(me)s", "%(active)s")  # noqa: S608  # nosec B608


# Each parameter's type (PostgreSQL's), declared rather than inferred.
PARAMETER_TYPES = {
    "me": "integer",
    "active": "text[]",
    "now": "timestamptz",
    "month_start": "timestamptz",
    "tz": "text",
    "late_month": "date",
    "late_due": "date",
}
# Planning this statement costs PostgreSQL several times what running it does (5–9 ms against
# about 1 ms), so each database connection prepares it once and then only executes it
# (leadership/prepared.py, which says how and what it would not survive).
STATEMENT = Prepared("home_participant_todo", SQL, types=PARAMETER_TYPES)


def _fetch(params: dict) -> tuple:
    """The statement's one row, through this connection's prepared statement."""
    with connection.cursor() as cursor:
        STATEMENT.execute(cursor, params)
        return cursor.fetchone()


def _when(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


def _local(value: str | None) -> datetime.datetime | None:
    """A time shown in the office's (the current) time zone."""
    return timezone.localtime(datetime.datetime.fromisoformat(value)) if value else None


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


# --- What the page shows ------------------------------------------------------------------------


@dataclass
class WorkItem:
    """One piece of work a participant owes or has back: their team's or their own.
    ``due_at`` is the (possibly extended) due date in the cohort's time zone, for display."""

    assignment: Assignment
    due_at: datetime.datetime
    status: str
    team_name: str = ""
    latest_id: int | None = None
    extended: bool = False
    url: str = ""

    @property
    def label(self) -> str:
        return WorkStatus.LABELS[self.status]

    @property
    def is_individual(self) -> bool:
        return not self.assignment.is_team


@dataclass
class SessionItem:
    """A session in the cohort's time zone (``starts_at``, ``ends_at``)."""

    id: int
    title: str
    module_title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None = None
    venue_name: str = ""
    what_to_prepare: str = ""
    my_status: str | None = None
    can_apologise: bool = False
    closes_at: datetime.datetime | None = None  # an evaluation's, in the cohort's time zone
    url: str = ""  # the session's page, or for an evaluation its form
    apology_url: str = ""


@dataclass
class PairingStep:
    pairing_id: int
    partner: str
    text: str
    url: str = ""


@dataclass
class LateValue:
    """A monthly measure whose latest due value is missing (``measures.timeliness``)."""

    measure_id: int
    name: str
    team_name: str | None
    month: datetime.date
    days_late: int
    url: str = ""

    @property
    def text(self) -> str:
        days = "1 day" if self.days_late == 1 else f"{self.days_late} days"
        return f"{self.month:%B}’s value is {days} late"


@dataclass
class PeerReviewItem:
    id: int
    due_on: datetime.date
    assignment_title: str
    authors: str  # the team's name, or the author's for individual work
    overdue: bool
    url: str = ""


@dataclass
class ParticipantToDo:
    cohorts: list[Cohort]
    due: list[WorkItem]
    overdue: list[WorkItem]
    to_revise: list[WorkItem]
    unread_feedback: list[Feedback]
    sessions: list[SessionItem]
    pairing_steps: list[PairingStep]
    stale_measures: list[Measure]
    late_values: list[LateValue] = field(default_factory=list)
    peer_reviews: list[PeerReviewItem] = field(default_factory=list)
    teamless_cohorts: list[Cohort] = field(default_factory=list)
    evaluations: list[SessionItem] = field(default_factory=list)
    self_assessments: list[tuple[Cohort, Window]] = field(default_factory=list)
    # Cohorts whose office asked for pairing preferences they have not given (nor been paired).
    preferences_asked: list[Cohort] = field(default_factory=list)


def _cohort_urls(cohort_id: int) -> dict[str, str]:
    return {
        "learning": link("frameworks:my_learning", cohort_id),
        "preferences": link("pairings:my_preferences", cohort_id),
        "schedule": link("modules:cohort_schedule", cohort_id),
        "people": link("cohorts:cohort_people", cohort_id),
    }


_COHORT_FIELDS = ("id", "name", "starts_on", "time_zone")
_ASSIGNMENT_FIELDS = ("id", "cohort_id", "title", "due_at", "kind")
_FEEDBACK_FIELDS = ("id", "submission_id", "decision", "released_at")
_MEASURE_FIELDS = ("id", "name")


def participant_to_do(user: User, *, now: datetime.datetime | None = None) -> ParticipantToDo:
    """A participant's work across the cohorts they take part in, in one query (``SQL``),
    which also reads their roles for the navigation.

    Work is *due* (not submitted, due date ahead), *overdue* (not submitted, past its
    possibly extended due date) or *to revise* (the latest released feedback asks for
    changes). Team work needs a team: cohorts where they have none are listed."""
    now = now or timezone.now()
    if connection.vendor != "postgresql":
        return from_orm(participant_orm.participant_to_do(user, now=now), user=user, now=now)
    local_now = timezone.localtime(now)
    today = local_now.date()
    late_month = latest_due_month(today)
    late_due = due_date(late_month)
    row = _fetch(
        {
            "me": user.pk,
            "active": list(Enrolment.ACTIVE_STATUSES),
            "now": now,
            "month_start": local_now.replace(day=1, hour=0, minute=0, second=0, microsecond=0),
            "tz": timezone.get_current_timezone_name(),
            "late_month": late_month,
            "late_due": late_due,
        }
    )
    *sections_read, administers_any, roles_everywhere = row
    remember_navigation_roles(user, administers=administers_any, roles=roles_everywhere)
    sections = [json.loads(value) if isinstance(value, str) else value for value in sections_read]
    (cohort_rows, work_rows, feedback_rows, session_rows, evaluation_rows, pairing_rows,
     stale_rows, late_rows, review_rows) = sections  # fmt: skip

    zones: dict[int, ZoneInfo] = {}
    cohorts: list[Cohort] = []
    teamless: list[Cohort] = []
    asked: list[Cohort] = []
    self_assessments: list[tuple[Cohort, Window]] = []
    for (cohort_id, name, starts_on, time_zone, programme_name, team_id, _team_name,
         has_team_work, preferences_asked, has_framework, last_session, sent_start,
         sent_end) in cohort_rows:  # fmt: skip
        cohort = Cohort.from_db(None, _COHORT_FIELDS, (cohort_id, name, _day(starts_on), time_zone))
        # What the page shows of it beyond its own fields: its programme and its pages.
        cohort.programme_name = programme_name  # type: ignore[attr-defined]
        cohort.urls = _cohort_urls(cohort_id)  # type: ignore[attr-defined]
        cohorts.append(cohort)
        zone = zones[cohort_id] = ZoneInfo(time_zone)
        if team_id is None and has_team_work:
            teamless.append(cohort)
        if preferences_asked:
            asked.append(cohort)
        if has_framework:
            windows = self_assessment_windows_from(cohort, _when(last_session))
            local_today = now.astimezone(zone).date()
            sent = {"start": sent_start, "end": sent_end}
            for kind, window in windows.items():
                if window.is_open(local_today) and not sent[kind]:
                    self_assessments.append((cohort, window))

    due: list[WorkItem] = []
    overdue: list[WorkItem] = []
    to_revise: list[WorkItem] = []
    for (assignment_id, cohort_id, title, due_at, kind, _team_id, team_name, extended_to,
         has_draft, latest_id, is_late, decision, released) in work_rows:  # fmt: skip
        original = _when(due_at)
        assignment = Assignment.from_db(
            None, _ASSIGNMENT_FIELDS, (assignment_id, cohort_id, title, original, kind)
        )
        latest = None
        if latest_id is not None:
            latest = {"is_late": is_late, "decision": decision, "released": released}
        status = work_status(has_draft=has_draft, latest=latest)
        if status not in (WorkStatus.NOT_STARTED, WorkStatus.DRAFT, WorkStatus.CHANGES_REQUESTED):
            continue
        deadline = _when(extended_to) or original
        assert deadline is not None and original is not None
        item = WorkItem(
            assignment=assignment,
            due_at=deadline.astimezone(zones[cohort_id]),
            status=status,
            team_name=team_name or "",
            latest_id=latest_id,
            extended=deadline != original,
            url=link("redesign_projects:assignment_detail", assignment_id),
        )
        if status == WorkStatus.CHANGES_REQUESTED:
            to_revise.append(item)
        else:
            (overdue if deadline < now else due).append(item)

    unread = []
    for feedback_id, submission_id, decision, released_at, version, title in feedback_rows:
        feedback = Feedback.from_db(
            None, _FEEDBACK_FIELDS, (feedback_id, submission_id, decision, _local(released_at))
        )
        feedback.version = version  # type: ignore[attr-defined]
        feedback.assignment_title = title  # type: ignore[attr-defined]
        feedback.url = link("redesign_projects:submission_detail", submission_id)  # type: ignore[attr-defined]
        unread.append(feedback)

    sessions = []
    for (session_id, title, starts_at, ends_at, venue_name, what_to_prepare, module_title,
         time_zone, my_status) in session_rows:  # fmt: skip
        zone = ZoneInfo(time_zone)
        starts = _when(starts_at)
        assert starts is not None
        sessions.append(
            SessionItem(
                id=session_id,
                title=title,
                module_title=module_title,
                starts_at=starts.astimezone(zone),
                ends_at=_when(ends_at).astimezone(zone),  # type: ignore[union-attr]
                venue_name=venue_name,
                what_to_prepare=what_to_prepare,
                my_status=my_status,
                can_apologise=starts > now,
                url=link("modules:session_detail", session_id),
                apology_url=link("modules:apology_send", session_id),
            )
        )
    evaluations = []
    for session_id, title, starts_at, module_title, time_zone, closes_at in evaluation_rows:
        zone = ZoneInfo(time_zone)
        evaluations.append(
            SessionItem(
                id=session_id,
                title=title,
                module_title=module_title,
                starts_at=_when(starts_at).astimezone(zone),  # type: ignore[union-attr]
                closes_at=_when(closes_at).astimezone(zone),  # type: ignore[union-attr]
                url=link("evaluation:respond", session_id),
            )
        )

    steps = []
    settled_in = set()
    for (pairing_id, cohort_id, kind, status, project_status, _clinician_id, manager_id, first,
         last, email, shadowing, last_shadowed) in pairing_rows:  # fmt: skip
        if Pairing(kind=kind, manager_id=manager_id).settles_preferences_of(user.pk):
            settled_in.add(cohort_id)
        steps.append(
            PairingStep(
                pairing_id=pairing_id,
                partner=User.name_from(first, last, email),
                text=participant_orm.pairing_step_text(
                    status=status,
                    shadowing=shadowing,
                    project_status=project_status,
                    last=_day(last_shadowed),
                ),
                url=link("pairings:pairing_detail", pairing_id),
            )
        )

    stale = []
    for measure_id, name, team_name, last_recorded_at in stale_rows:
        measure = Measure.from_db(None, _MEASURE_FIELDS, (measure_id, name))
        measure.team_name = team_name  # type: ignore[attr-defined]
        measure.last_recorded_at = _local(last_recorded_at)  # type: ignore[attr-defined]
        measure.url = link("measures:measure_detail", measure_id)  # type: ignore[attr-defined]
        stale.append(measure)
    days_late = (today - late_due).days
    late = [
        LateValue(
            measure_id,
            name,
            team_name,
            late_month,
            days_late,
            url=link("measures:measure_detail", measure_id),
        )
        for measure_id, name, team_name in late_rows
    ]
    reviews = [
        PeerReviewItem(
            id=review_id,
            due_on=due_on,
            assignment_title=title,
            authors=team_name if team_name is not None else User.name_from(first, last, email),
            overdue=due_on < today,
            url=link("redesign_projects:peer_review_detail", review_id),
        )
        for review_id, due_on, title, team_name, first, last, email in (
            (row[0], _day(row[1]), *row[2:]) for row in review_rows
        )
    ]
    return ParticipantToDo(
        cohorts=cohorts,
        due=due,
        overdue=overdue,
        to_revise=to_revise,
        unread_feedback=unread,
        sessions=sessions,
        evaluations=evaluations,
        pairing_steps=steps,
        stale_measures=stale,
        late_values=late,
        peer_reviews=reviews,
        teamless_cohorts=teamless,
        self_assessments=self_assessments,
        preferences_asked=[c for c in asked if c.pk not in settled_in],
    )


def from_orm(
    todo: participant_orm.ParticipantToDo, *, user: User, now: datetime.datetime
) -> ParticipantToDo:
    """The page's records from the ORM definition's rows (``participant_orm``), for SQLite:
    the same fields, times in the same zones, the same links. Tests compare it with the query's
    records on PostgreSQL."""
    today = timezone.localtime(now).date()
    for cohort in todo.cohorts:
        cohort.programme_name = cohort.programme.name  # type: ignore[attr-defined]
        cohort.urls = _cohort_urls(cohort.pk)  # type: ignore[attr-defined]

    def work(items: list[participant_orm.WorkItem]) -> list[WorkItem]:
        return [
            WorkItem(
                assignment=item.assignment,
                due_at=item.due_at.astimezone(item.assignment.cohort.tzinfo),
                status=item.status,
                team_name=item.team.name if item.team else "",
                latest_id=item.latest_id,
                extended=item.due_at != item.assignment.due_at,
                url=link("redesign_projects:assignment_detail", item.assignment.pk),
            )
            for item in items
        ]

    for feedback in todo.unread_feedback:
        feedback.version = feedback.submission.version  # type: ignore[attr-defined]
        feedback.assignment_title = feedback.submission.assignment.title  # type: ignore[attr-defined]
        feedback.url = link("redesign_projects:submission_detail", feedback.submission_id)  # type: ignore[attr-defined]
        feedback.released_at = timezone.localtime(feedback.released_at)
    sessions = []
    for session in todo.sessions:
        zone = session.module.cohort.tzinfo
        sessions.append(
            SessionItem(
                id=session.pk,
                title=session.title,
                module_title=session.module.title,
                starts_at=session.starts_at.astimezone(zone),
                ends_at=session.ends_at.astimezone(zone),
                venue_name=session.venue_name,
                what_to_prepare=session.what_to_prepare,
                my_status=session.my_status,  # type: ignore[attr-defined]
                can_apologise=session.starts_at > now,
                url=link("modules:session_detail", session.pk),
                apology_url=link("modules:apology_send", session.pk),
            )
        )
    evaluations = []
    for invitation in todo.evaluations:
        session = invitation.evaluation.session
        zone = session.module.cohort.tzinfo
        evaluations.append(
            SessionItem(
                id=session.pk,
                title=session.title,
                module_title=session.module.title,
                starts_at=session.starts_at.astimezone(zone),
                closes_at=invitation.evaluation.closes_at.astimezone(zone),
                url=link("evaluation:respond", session.pk),
            )
        )
    for measure in todo.stale_measures:
        assert measure.team is not None
        measure.team_name = measure.team.name  # type: ignore[attr-defined]
        last = measure.last_recorded_at  # type: ignore[attr-defined]
        measure.last_recorded_at = timezone.localtime(last) if last else None  # type: ignore[attr-defined]
        measure.url = link("measures:measure_detail", measure.pk)  # type: ignore[attr-defined]
    return ParticipantToDo(
        cohorts=todo.cohorts,
        due=work(todo.due),
        overdue=work(todo.overdue),
        to_revise=work(todo.to_revise),
        unread_feedback=todo.unread_feedback,
        sessions=sessions,
        evaluations=evaluations,
        pairing_steps=[
            PairingStep(
                pairing_id=step.pairing.pk,
                partner=str(step.partner),
                text=step.text,
                url=link("pairings:pairing_detail", step.pairing.pk),
            )
            for step in todo.pairing_steps
        ],
        stale_measures=todo.stale_measures,
        late_values=[
            LateValue(
                late.measure.pk,
                late.measure.name,
                late.measure.team.name if late.measure.team is not None else None,
                late.month,
                late.days_late,
                url=link("measures:measure_detail", late.measure.pk),
            )
            for late in todo.late_values
        ],
        peer_reviews=[
            PeerReviewItem(
                id=review.pk,
                due_on=review.due_on,
                assignment_title=review.submission.assignment.title,
                authors=str(review.submission.team or review.submission.owner),
                overdue=review.due_on < today,
                url=link("redesign_projects:peer_review_detail", review.pk),
            )
            for review in todo.peer_reviews
        ],
        teamless_cohorts=todo.teamless_cohorts,
        self_assessments=todo.self_assessments,
        preferences_asked=todo.preferences_asked,
    )
