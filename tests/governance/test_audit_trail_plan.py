"""The audit trail page reads a page from an index at 100,000 events: PostgreSQL's plan for
its query never scans the whole table, for a programme administrator or a superuser, on the
newest page or deep in the trail, with or without filters; and unfiltered, for one cohort or
for one day it reads no more than a few pages' worth of rows. A count of the whole trail, an
OFFSET, or a visibility filter the planner cannot serve from an index (the old one: three
ORed subqueries, filtered row by row along the time index) fails here.

(An action filter is served by an index too, but where one visible set holds none of that
action, e.g. exports among a programme's cohort events, that set reads its index range to
the end before it knows: milliseconds at this size, not a page's worth.)

The events are written with one INSERT … SELECT (audit_record would take minutes), spread as
an organisation's trail is: most about cohorts of two programmes, a sixth cohort-less log-ins
(which programme offices do not see), some of the administrator's own exports (which they
do), a few about the programmes themselves."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cohorts.models import Cohort, Programme
from governance import selectors
from leadership.keyset import Cursor, Position
from leadership.models import AuditEvent
from tests.factories import CohortFactory, EnrolmentFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db

EVENTS = 100_000
AUDIT_TABLE = AuditEvent._meta.db_table


def _fill_trail(
    programmes: list[Programme], cohorts: list[Cohort], people: list[int], actor: int
) -> None:
    """EVENTS events over the last year, one every ~5 minutes: 3 in 4 about one of the
    cohorts, 3 in 20 log-ins (no cohort), 1 in 20 an export (no cohort), the rest about a
    programme. ``actor`` did the log-ins and the exports: the log-ins are theirs but not for
    the audit page, which must not read through them to find the exports."""
    cohort_type = ContentType.objects.get_for_model(Cohort).pk
    programme_type = ContentType.objects.get_for_model(Programme).pk
    cohort_ids = [c.pk for c in cohorts]
    cohort_programmes = [c.programme_id for c in cohorts]
    programme_ids = [p.pk for p in programmes]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {AUDIT_TABLE}
                (action, target_type_id, target_id, target_repr, cohort_id, programme_id,
                 person_id, actor_id, changes, created_at)
            SELECT
                CASE WHEN n %% 20 < 15 THEN 'attendance.record'
                     WHEN n %% 20 < 18 THEN 'auth.login'
                     WHEN n %% 20 = 18 THEN 'person.export' ELSE 'programme.update' END,
                CASE WHEN n %% 20 < 19 THEN %(cohort_type)s ELSE %(programme_type)s END,
                n::text, 'event ' || n,
                CASE WHEN n %% 20 < 15 THEN (%(cohorts)s::bigint[])[1 + n %% %(cohort_count)s] END,
                CASE WHEN n %% 20 < 15
                          THEN (%(cohort_programmes)s::bigint[])[1 + n %% %(cohort_count)s]
                     WHEN n %% 20 = 19
                          THEN (%(programmes)s::bigint[])[1 + (n / 20) %% %(programme_count)s] END,
                CASE WHEN n %% 20 < 19 THEN (%(people)s::bigint[])[1 + n %% %(people_count)s] END,
                CASE WHEN n %% 20 BETWEEN 15 AND 18 THEN %(actor)s END,
                '{{}}'::jsonb,
                now() - make_interval(secs => n * 300)
            FROM generate_series(1, %(events)s) AS n
            """,
            {
                "cohort_type": cohort_type,
                "programme_type": programme_type,
                "cohorts": cohort_ids,
                "cohort_programmes": cohort_programmes,
                "cohort_count": len(cohort_ids),
                "programmes": programme_ids,
                "programme_count": len(programme_ids),
                "people": people,
                "people_count": len(people),
                "events": EVENTS,
                "actor": actor,
            },
        )
        # Statistics as autovacuum would have gathered them on a real trail.
        cursor.execute("ANALYZE")


# A page is 51 rows from each visible set (3 here); anything near this reads far more.
MOST_ROWS_READ = 2_000


def _plans(queries) -> list[tuple[str, dict]]:
    """EXPLAIN (ANALYZE, FORMAT JSON) of each captured query that reads the audit table."""
    plans = []
    with connection.cursor() as cursor:
        for query in queries:
            if AUDIT_TABLE not in query["sql"]:
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query["sql"])
            explained = cursor.fetchone()[0]  # psycopg2 decodes the JSON itself
            plans.append((query["sql"], explained[0]["Plan"]))
    return plans


def _scans_of_the_trail(plan: dict) -> list[dict]:
    """The plan's nodes that read the audit table."""
    found = [plan] if plan.get("Relation Name") == AUDIT_TABLE else []
    for child in plan.get("Plans", []):
        found += _scans_of_the_trail(child)
    return found


def _rows_read(scan: dict) -> int:
    """Rows a scan node read: those it returned and those its filter threw away."""
    kept = scan["Actual Rows"] + scan.get("Rows Removed by Filter", 0)
    return kept * scan["Actual Loops"]


@pytest.fixture
def trail(programme, administrator):
    other = ProgrammeFactory()
    cohorts = [
        CohortFactory(programme=owner, name=f"Trail {owner.pk}-{n}")
        for owner in (programme, other)
        for n in range(4)
    ]
    people = []
    for cohort in cohorts:
        for _ in range(5):
            people.append(EnrolmentFactory(cohort=cohort, person=UserFactory()).person_id)
    people += [UserFactory().pk for _ in range(10)]  # people in no cohort
    _fill_trail([programme, other], cohorts, people, administrator.pk)
    deep = AuditEvent.objects.order_by("-created_at", "-pk")[50_000]
    return {"cohort": cohorts[0], "deep": Position(deep.created_at, deep.pk)}


@pytest.mark.parametrize("reader", ["administrator", "superuser"])
def test_the_audit_page_reads_the_trail_from_an_index_at_100k_events(trail, personas, reader):
    admin = personas["administrator"]
    trail_reader = (
        selectors.TrailReader(user=admin, programme_ids=None)
        if reader == "superuser"
        else selectors.trail_reader(admin)
    )
    deep = trail["deep"]
    views = {
        "newest page": (selectors.AuditFilters(), Cursor()),
        "their own exports": (selectors.AuditFilters(action="person.export"), Cursor()),
        "page 1,000": (selectors.AuditFilters(), Cursor("older", deep)),
        "newer from page 1,000": (selectors.AuditFilters(), Cursor("newer", deep)),
        "one cohort": (selectors.AuditFilters(cohort_id=trail["cohort"].pk), Cursor()),
        "one action": (selectors.AuditFilters(action="programme.update"), Cursor()),
        "a date range": (
            selectors.AuditFilters(date_from=deep.at.date(), date_to=deep.at.date()),
            Cursor(),
        ),
    }
    for name, (filters, cursor) in views.items():
        bounded = filters.action == ""
        with CaptureQueriesContext(connection) as queries:
            page = selectors.audit_trail_page(trail_reader, filters, cursor)
        assert page.rows, name
        plans = _plans(queries.captured_queries)
        assert plans, name
        for sql, plan in plans:
            scans = _scans_of_the_trail(plan)
            kinds = {scan["Node Type"] for scan in scans}
            assert "Seq Scan" not in kinds, f"{name}: a Seq Scan in\n{sql}"
            read = sum(_rows_read(scan) for scan in scans)
            assert not bounded or read <= MOST_ROWS_READ, f"{name}: {read} rows read by\n{sql}"
