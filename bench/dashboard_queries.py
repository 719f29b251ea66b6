"""List and dashboard pages from demo size to organisation size: their SQL queries and their
time against the login page, measured in the same run.

Two programmes in one fresh database (``<BENCH_DB_PREFIX>_dashboard``):

* **demo size**: 2 cohorts; the measured one has 8 participants, 4 sessions, 2 teams with 3
  measures of 36 points each, 2 assignments; a few hundred audit events and e-mails;
* **organisation size**: 20 cohorts of 50 people; the measured one has 12 sessions, 10 teams
  with 3 measures of 260 points, 4 assignments; 200 measures of 260 weekly points across the
  programme, 100,000 audit events and 50,000 e-mails (written in bulk: they are what the pages
  read, not what is measured).

Every page is fetched with Django's test client (in this process, DEBUG off), as the person
who would read it, at both sizes. Goals (issue 21):

* the same number of queries at both sizes (an N+1 shows as a count that grows);
* each page's time ÷ the login page's grows at most 1.5× from demo to organisation size;
* the audit trail at 100k events, newest page and page 1,000: ≤ 5× the login page;
* the cohort dashboard (page + its cards, 50 people): ≤ 8× the login page;
* the attendance register (50 people): ≤ 3× the login page.

Times are medians of RUNS rounds; each round fetches the login page and every page in turn,
so a burst of other work on the machine hits them alike and the ratios hold where the
milliseconds do not.

Run from the project root: .venv/bin/python bench/dashboard_queries.py [RUNS]
"""

import datetime
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _setup  # noqa: E402  (sets the import path)
from _results import figure  # noqa: E402

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 15
URL = _setup.configure("dashboard")
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
GROWTH_GOAL = 1.5
AUDIT_GOAL, DASHBOARD_GOAL, REGISTER_GOAL = 5, 8, 3
AUDIT_EVENTS, EMAILS, MEASURES, WEEKS = 100_000, 50_000, 200, 260


def build(name: str, *, cohorts: int, people: int, **size) -> dict:
    """A programme with ``cohorts`` cohorts of ``people``, the first built to ``size`` with the
    tests' world builder and the others' people in bulk; its readers by role."""
    from cohorts.models import Enrolment
    from leadership.mfa import totp_enrol
    from leadership.models import User
    from modules.models import Session
    from pairings.models import Pairing
    from tests.factories import CohortFactory, EnrolmentFactory, ProgrammeFactory, UserFactory
    from tests.worlds import build_world

    programme = ProgrammeFactory(name=f"{name} programme")
    admin = UserFactory(profession="manager")
    programme.administrators.add(admin)
    made = [CohortFactory(programme=programme, name=f"{name} {n + 1}") for n in range(cohorts)]
    cohort = made[0]
    world = build_world(cohort, actor=admin, participants=people, **size)
    readers = {"administrator": admin, "participant": world["people"][0]}
    for role in (Enrolment.Role.FACULTY, Enrolment.Role.CLINICAL_LEADER):
        readers[role] = UserFactory()
        EnrolmentFactory(cohort=cohort, person=readers[role], role=role)
    # Administrators and clinical leaders must use an authenticator app; with one,
    # ``force_login`` stands for the whole log-in (password and code).
    for role in ("administrator", Enrolment.Role.CLINICAL_LEADER):
        totp_enrol(user=readers[role], secret=TOTP_SECRET)
    for other in made[1:]:
        members = User.objects.bulk_create(
            User(email=f"{other.slug}-{n}@bench.example.org", first_name="Person",
                 last_name=f"{n:02d}")
            for n in range(people)
        )  # fmt: skip
        Enrolment.objects.bulk_create(
            Enrolment(cohort=other, person=member, role=Enrolment.Role.PARTICIPANT)
            for member in members
        )
    session = Session.objects.filter(module__cohort=cohort).order_by("starts_at").first()
    pairing = Pairing.objects.filter(cohort=cohort).order_by("pk").first()
    measure = world["teams"][0].measures.order_by("pk").first()
    return {
        "programme": programme,
        "cohorts": made,
        "cohort": cohort,
        "people": readers,
        "session": session,
        "team": world["teams"][0],
        "measure": measure,
        "pairing": pairing,
    }


def add_measures(world: dict, total: int, weeks: int) -> None:
    """Measures of ``weeks`` weekly points until the programme has ``total``: one team in each
    other cohort holds its share."""
    from measures.models import DataPoint, Measure
    from redesign_projects.models import RedesignTeam

    have = Measure.objects.filter(team__cohort__programme=world["programme"]).count()
    others = world["cohorts"][1:]
    teams = RedesignTeam.objects.bulk_create(
        RedesignTeam(cohort=cohort, name="Flow", focus="Discharge", aim="Discharge by noon",
                     clinical_lead=cohort.enrolments.order_by("pk").first().person)
        for cohort in others
    )  # fmt: skip
    measures = Measure.objects.bulk_create(
        Measure(team=teams[n % len(teams)], name=f"Measure {n}", unit="days", better="down",
                frequency=Measure.Frequency.WEEKLY, position=n)
        for n in range(max(0, total - have))
    )  # fmt: skip
    start = datetime.date(2021, 1, 4)
    DataPoint.objects.bulk_create(
        (
            DataPoint(measure=measure, period=start + datetime.timedelta(weeks=k),
                      value=10 + (k % 4))
            for measure in measures
            for k in range(weeks)
        ),
        batch_size=5_000,
    )  # fmt: skip


def add_audit_events(world: dict, count: int) -> None:
    """``count`` audit events over the last two years: 3 in 4 about the programme's cohorts
    (by its administrator), 1 in 5 log-ins of its people (no cohort; their own), the rest about
    the programme itself (by its administrator)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from cohorts.models import Cohort, Enrolment, Programme
    from leadership.models import AuditEvent

    cohorts = world["cohorts"]
    people = list(Enrolment.objects.filter(cohort__in=cohorts).values_list("person_id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {AuditEvent._meta.db_table}
                (action, target_type_id, target_id, target_repr, cohort_id, programme_id,
                 person_id, actor_id, changes, created_at)
            SELECT
                CASE WHEN n %% 20 < 15 THEN 'attendance.record'
                     WHEN n %% 20 < 19 THEN 'auth.login' ELSE 'programme.update' END,
                CASE WHEN n %% 20 < 19 THEN %(cohort_type)s ELSE %(programme_type)s END,
                n::text, 'Event ' || n,
                CASE WHEN n %% 20 < 15 THEN (%(cohorts)s::bigint[])[1 + n %% %(cohort_count)s] END,
                CASE WHEN n %% 20 < 15 OR n %% 20 = 19 THEN %(programme)s END,
                CASE WHEN n %% 20 < 19 THEN (%(people)s::bigint[])[1 + n %% %(people_count)s] END,
                CASE WHEN n %% 20 BETWEEN 15 AND 18
                     THEN (%(people)s::bigint[])[1 + n %% %(people_count)s]
                     ELSE %(actor)s END,
                '{{"status": ["", "present"]}}'::jsonb,
                now() - make_interval(secs => n * 600)
            FROM generate_series(1, %(count)s) AS n
            """,
            {
                "cohort_type": ContentType.objects.get_for_model(Cohort).pk,
                "programme_type": ContentType.objects.get_for_model(Programme).pk,
                "cohorts": [c.pk for c in cohorts],
                "cohort_count": len(cohorts),
                "programme": world["programme"].pk,
                "people": people,
                "people_count": len(people),
                "actor": world["people"]["administrator"].pk,
                "count": count,
            },
        )


def add_emails(world: dict, count: int) -> None:
    """``count`` sent e-mails to the programme's people, spread over its cohorts."""
    from django.db import connection

    from cohorts.models import Enrolment
    from leadership.models import Notification

    enrolments = list(
        Enrolment.objects.filter(cohort__in=world["cohorts"]).values_list("cohort_id", "person_id")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Notification._meta.db_table}
                (recipient_id, to_address, cohort_id, kind, dedup_key, subject_id, template,
                 context, attachments, scheduled_for, status, attempts, next_attempt_at,
                 last_error, sent_at, created_at)
            SELECT (%(people)s::bigint[])[1 + n %% %(size)s], '',
                   (%(cohorts)s::bigint[])[1 + n %% %(size)s],
                   CASE WHEN n %% 3 = 0 THEN 'feedback_released' ELSE 'session_reminder' END,
                   'bench-' || %(programme)s || '-' || n, '', 'generic', '{{}}'::jsonb,
                   '[]'::jsonb, now() - make_interval(secs => n * 900),
                   CASE WHEN n %% 50 = 0 THEN 'failed' ELSE 'sent' END, 1, now(),
                   CASE WHEN n %% 50 = 0 THEN '550 mailbox unavailable' ELSE '' END,
                   now(), now()
            FROM generate_series(1, %(count)s) AS n
            """,
            {
                "people": [person for _cohort, person in enrolments],
                "cohorts": [cohort for cohort, _person in enrolments],
                "size": len(enrolments),
                "programme": world["programme"].pk,
                "count": count,
            },
        )


def pages(world: dict) -> list[tuple[str, str, str]]:
    """(page, who reads it, URL) for every list and dashboard page of the world's cohort."""
    from django.urls import reverse

    from reports.cards import CARDS

    c = world["cohort"].pk
    rows = [
        ("cohort list", "administrator", reverse("cohorts:cohort_list")),
        ("cohort page", "administrator", reverse("cohorts:cohort_detail", args=[c])),
        *(
            (f"cohort card: {card}", "administrator",
             reverse("reports:cohort_card", args=[c, card]))
            for card in CARDS
        ),
        ("people", "administrator", reverse("cohorts:cohort_people", args=[c])),
        ("schedule", "administrator", reverse("modules:cohort_schedule", args=[c])),
        ("attendance", "administrator", reverse("modules:cohort_attendance", args=[c])),
        ("team list", "administrator", reverse("redesign_projects:team_list", args=[c])),
        ("assignment overview", "administrator",
         reverse("redesign_projects:assignment_overview", args=[c])),
        ("pairings", "administrator", reverse("pairings:cohort_overview", args=[c])),
        ("reports", "administrator", reverse("reports:report_list", args=[c])),
        ("e-mail log", "administrator", reverse("notification_log", args=[c])),
        ("audit trail", "administrator", reverse("governance:audit_log")),
        ("attendance register", "faculty",
         reverse("modules:attendance_register", args=[world["session"].pk])),
        ("leader start page", "clinical_leader", reverse("home:leader_home")),
        ("participant start page", "participant", reverse("home:participant_home")),
        ("my schedule", "participant", reverse("modules:my_schedule")),
        ("team page", "participant",
         reverse("redesign_projects:team_detail", args=[world["team"].pk])),
        ("measure page", "participant",
         reverse("measures:measure_detail", args=[world["measure"].pk])),
    ]  # fmt: skip
    if world["pairing"] is not None:
        rows.append(("pairing", "administrator",
                     reverse("pairings:pairing_detail", args=[world["pairing"].pk])))  # fmt: skip
    return rows


def main() -> None:
    _setup.setup_django(URL)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from leadership.keyset import Position
    from leadership.models import AuditEvent
    from reports.cards import CARDS

    started = time.perf_counter()
    small = build("Demo", cohorts=2, people=8, sessions=4, teams=2, assignments=2, measures=3,
                  points=36)  # fmt: skip
    large = build("Organisation", cohorts=20, people=50, sessions=12, teams=10, assignments=4,
                  measures=3, points=WEEKS)  # fmt: skip
    add_measures(large, MEASURES, WEEKS)
    add_audit_events(large, AUDIT_EVENTS)
    add_emails(large, EMAILS)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would have, after loading this much
    print(f"Built both programmes in {time.perf_counter() - started:.1f} s", flush=True)

    clients: dict[tuple[str, str], Client] = {}

    def client_for(size: str, world: dict, role: str) -> Client:
        if (size, role) not in clients:
            clients[size, role] = Client()
            clients[size, role].force_login(world["people"][role])
        return clients[size, role]

    def fetch(client: Client, url: str):
        def get() -> None:
            response = client.get(url)
            _setup.require(response.status_code == 200, f"{url} answered {response.status_code}")

        return get

    def count_queries(get) -> int:
        get()  # caches warm, session settled
        with CaptureQueriesContext(connection) as queries:
            get()
        return len(queries)

    # Every page at both sizes, and the login page, in one set of interleaved rounds.
    measured = {"login": fetch(Client(), reverse("account_login"))}
    names = []
    for (name, role, small_url), (_, _, large_url) in zip(pages(small), pages(large), strict=True):
        names.append(name)
        measured[f"small {name}"] = fetch(client_for("small", small, role), small_url)
        measured[f"large {name}"] = fetch(client_for("large", large, role), large_url)
    # Page 1,000 starts after the 49,950th event (everything here is the large
    # administrator's but the demo programme's few).
    deep = AuditEvent.objects.order_by("-created_at", "-pk")[50 * 999 - 1]
    admin = client_for("large", large, "administrator")
    audit = reverse("governance:audit_log")
    measured["audit page 1,000"] = fetch(
        admin, f"{audit}?older={Position(deep.created_at, deep.pk).token()}"
    )
    c = large["cohort"].pk
    dashboard = [reverse("cohorts:cohort_detail", args=[c])] + [
        reverse("reports:cohort_card", args=[c, card]) for card in CARDS
    ]
    measured["dashboard"] = lambda: [fetch(admin, url)() for url in dashboard]

    counts = {key: count_queries(get) for key, get in measured.items() if key != "dashboard"}
    medians = _setup.interleaved_medians(measured, RUNS)
    login = medians["login"]

    flat, growing, steady, steep = 0, [], 0, []
    print(f"\n{'page':<28} {'queries':>9} {'× login, demo':>14} {'× org':>7} {'growth':>7}")
    for name in names:
        few, many = counts[f"small {name}"], counts[f"large {name}"]
        demo = medians[f"small {name}"] / login
        org = medians[f"large {name}"] / login
        growth = org / demo
        mark = "" if few == many else "  ← queries grow"
        mark += "" if growth <= GROWTH_GOAL else "  ← time grows"
        print(f"{name:<28} {few:>4}→{many:<4} {demo:>13.1f}× {org:>6.1f}× {growth:>6.2f}×{mark}")
        if few == many:
            flat += 1
        else:
            growing.append(f"{name} ({few} → {many})")
        if growth <= GROWTH_GOAL:
            steady += 1
        else:
            steep.append(f"{name} ({growth:.2f}×)")
    total = len(names)
    print(
        f"\nLogin page: median {login:.1f} ms; {RUNS} rounds; load average {_setup.load_average()}"
    )
    figure(
        f"list and dashboard pages with the same queries at both sizes ({total} pages)",
        f"{flat} of {total}" + (f"; grows: {', '.join(growing)}" if growing else ""),
        "all",
        not growing,
    )
    figure(
        f"pages whose time ÷ login grows ≤ {GROWTH_GOAL}× from demo to organisation size",
        f"{steady} of {total}" + (f"; grow more: {', '.join(steep)}" if steep else ""),
        "all",
        not steep,
    )
    for label, key in (("newest page", "large audit trail"), ("page 1,000", "audit page 1,000")):
        ratio = medians[key] / login
        figure(
            f"audit trail at {AUDIT_EVENTS // 1000}k events, {label} ÷ login page",
            f"{ratio:.1f}× ({medians[key]:.1f} ms ÷ {login:.1f} ms)",
            f"≤ {AUDIT_GOAL}×",
            ratio <= AUDIT_GOAL,
        )
    ratio = medians["dashboard"] / login
    figure(
        f"cohort dashboard (page + {len(CARDS)} cards, 50 people) ÷ login page",
        f"{ratio:.1f}× ({medians['dashboard']:.0f} ms ÷ {login:.1f} ms)",
        f"≤ {DASHBOARD_GOAL}×",
        ratio <= DASHBOARD_GOAL,
    )
    ratio = medians["large attendance register"] / login
    figure(
        "attendance register (50 people) ÷ login page",
        f"{ratio:.1f}× ({medians['large attendance register']:.1f} ms ÷ {login:.1f} ms)",
        f"≤ {REGISTER_GOAL}×",
        ratio <= REGISTER_GOAL,
    )


if __name__ == "__main__":
    main()
