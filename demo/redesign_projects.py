"""Demo data: the running cohort's redesign teams, assignments, and work in every state; and
the Tower Hamlets cohort's three outcome-based projects (COPD admissions among them) with
measures, PDSA cycles, the project assignment from the programme's blueprint and a round of
allocated, anonymous peer review of their interim versions (some reviews in, some to do).

Idempotent: each part is created only if the cohort has none of it yet, so running it twice
leaves the same rows. Teams come from the same suggestion function administrators use (the
Tower Hamlets teams are named in ``PRIMARY_CARE_TEAMS``)."""

import datetime
import random
from decimal import Decimal
from typing import Any, cast

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from cohorts import services as cohort_services
from cohorts.models import Cohort, Enrolment
from leadership.models import User
from measures import services as measure_services
from measures.charts import month_starts
from measures.models import DataPoint, Measure
from redesign_projects import peer_reviews, selectors, services
from redesign_projects.models import Assignment, RedesignTeam, Submission
from redesign_projects.suggest import Candidate, suggest_teams
from redesign_projects.uploads import check_upload

from .cohorts import DEMO_DOMAIN

TEAM_COUNT = 8

# (name, focus kind, focus, aim) — one per team, every focus kind at least twice.
TEAMS = [
    (
        "COPD early supported discharge",
        RedesignTeam.FocusKind.CLINICAL_CONDITION,
        "COPD admissions in over-65s",
        "Reduce 30-day readmissions for COPD in over-65s from 22% to 15% by June.",
    ),
    (
        "Discharge before noon",
        RedesignTeam.FocusKind.WORK_PROCESS,
        "Discharge before noon on medical wards",
        "Raise discharges before noon on wards 5–7 from 18% to 40% within six months.",
    ),
    (
        "Frailty at the front door",
        RedesignTeam.FocusKind.POPULATION_SUBGROUP,
        "Frail older people arriving at the Emergency Department",
        "Give every frail older person a comprehensive assessment within 4 hours of arrival.",
    ),
    (
        "Diabetes in pregnancy",
        RedesignTeam.FocusKind.CLINICAL_CONDITION,
        "Gestational diabetes follow-up",
        "Increase postnatal glucose testing after gestational diabetes from 45% to 80%.",
    ),
    (
        "Theatre start times",
        RedesignTeam.FocusKind.WORK_PROCESS,
        "First-case theatre start times",
        "Start 85% of first elective cases on time (within 10 minutes) by the end of the year.",
    ),
    (
        "Pacific heart health",
        RedesignTeam.FocusKind.POPULATION_SUBGROUP,
        "Pacific adults with heart failure",
        "Halve the time from heart-failure discharge to first community review for Pacific adults.",
    ),
    (
        "Sepsis six",
        RedesignTeam.FocusKind.CLINICAL_CONDITION,
        "Sepsis recognition on surgical wards",
        "Give antibiotics within one hour of sepsis recognition for 90% of surgical patients.",
    ),
    (
        "Youth mental health access",
        RedesignTeam.FocusKind.POPULATION_SUBGROUP,
        "Young people waiting for mental health assessment",
        "Assess 80% of young people referred to mental health services within three weeks.",
    ),
]

ASSIGNMENTS = [
    # (title, kind, days from today to due, module position, brief)
    (
        "Problem statement and stakeholder map",
        Assignment.Kind.TEAM,
        -84,
        1,
        "Describe the **problem** your team will work on, who it affects, and who has a stake "
        "in it.\n\n* One page\n* A stakeholder map as a picture or table",
    ),
    (
        "Aim statement and driver diagram",
        Assignment.Kind.TEAM,
        -28,
        2,
        "Write a SMART aim and a driver diagram with primary and secondary drivers.\n\n"
        "Link each change idea to a driver.",
    ),
    (
        "Personal leadership reflection",
        Assignment.Kind.INDIVIDUAL,
        -7,
        3,
        "Reflect on one conversation where you led change: what you noticed, what you'd do "
        "differently. 500 words.",
    ),
    (
        "Measurement plan",
        Assignment.Kind.TEAM,
        21,
        4,
        "Name your outcome, process and balancing measures, their operational definitions and "
        "how you will collect monthly data.",
    ),
]
RUBRIC = [
    ("Clarity of the problem", ["Not yet", "Developing", "Clear"]),
    ("Use of data", ["Not yet", "Developing", "Strong"]),
]

DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


def _at(cohort: Cohort, day: datetime.date, hour: int = 17) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=cohort.tzinfo)


def _login(local: str) -> User | None:
    return User.objects.filter(email=f"{local}@{DEMO_DOMAIN}").first()


def _form_teams(cohort: Cohort, admin, leader) -> None:
    people = {p.pk: p for p in selectors.participants_of(cohort)}
    suggestion = suggest_teams(
        [Candidate(p.pk, p.profession, p.department, p.is_clinician) for p in people.values()],
        TEAM_COUNT,
    )
    plans = [
        services.TeamPlan(
            team=None,
            name=name,
            clinical_lead=people[cast(int, suggested.lead_id)],
            members=tuple(people[pk] for pk in suggested.member_ids),
            focus_kind=kind,
        )
        for suggested, (name, kind, _focus, _aim) in zip(suggestion, TEAMS, strict=True)
    ]
    teams = services.teams_restructure(cohort=cohort, plans=plans, acting_user=admin)
    for team, (_name, _kind, focus, aim) in zip(teams, TEAMS, strict=True):
        managers = [
            m.person
            for m in team.memberships.current().select_related("person")
            if m.person.profession == User.Profession.MANAGER
        ]
        services.team_update(
            team=team,
            focus=focus,
            aim=aim,
            manager_partner=managers[0] if managers else None,
            executive_sponsor=leader,
            acting_user=admin,
        )


def _create_assignments(cohort: Cohort, today: datetime.date, admin) -> None:
    modules = {m.position: m for m in cohort.modules.all()}
    for title, kind, days, position, brief in ASSIGNMENTS:
        services.assignment_create(
            cohort=cohort,
            title=title,
            due_at=_at(cohort, today + datetime.timedelta(days=days)),
            kind=kind,
            module=modules.get(position),
            brief=brief,
            accepted_types=["pdf", "docx", "pptx", "png"],
            rubric=RUBRIC if kind == Assignment.Kind.TEAM else [],
            acting_user=admin,
        )


def _file(name: str, assignment: Assignment):
    upload = SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")
    return (
        upload,
        check_upload(
            upload, accepted=assignment.accepted_types, max_bytes=assignment.max_size_bytes
        ),
    )


def _version(assignment, team, by, when, text, *, late_days: int = 0, filename="plan.pdf"):
    return services.submission_save(
        assignment=assignment,
        team=team,
        text=text,
        uploads=[_file(filename, assignment)],
        submit=True,
        acting_user=by,
        now=when + datetime.timedelta(days=late_days),
    )


def _feedback(submission, faculty, decision, comments, *, release=True):
    levels = {}
    for criterion in submission.assignment.rubric_criteria.prefetch_related("levels"):
        chosen = list(criterion.levels.all())
        levels[criterion.pk] = chosen[-1] if decision == "accepted" else chosen[1]
    return services.feedback_save(
        submission=submission,
        comments=comments,
        decision=decision,
        levels=levels,
        release=release,
        acting_user=faculty,
    )


def _create_work(cohort: Cohort, participant: User | None, faculty: User) -> None:
    teams = list(cohort.redesign_teams.order_by("name"))
    first, second, individual, upcoming = list(cohort.assignments.order_by("due_at"))
    own = selectors.current_team_of(participant, cohort) if participant else None
    others = [team for team in teams if team != own]
    ordered = ([own] if own else []) + others

    def lead(team):
        return team.clinical_lead

    for index, team in enumerate(ordered):
        due1, due2 = first.due_at, second.due_at
        # Assignment 1: every team submitted; most accepted, some after a second version.
        v1 = _version(first, team, lead(team), due1 - datetime.timedelta(days=2), "Version 1")
        if index % 3 == 0:
            _feedback(v1, faculty, "changes_requested", "Say more about who is affected.")
            v2 = _version(first, team, lead(team), due1 + datetime.timedelta(days=5), "Version 2")
            _feedback(v2, faculty, "accepted", "Clear and well evidenced. Accepted.")
        else:
            _feedback(v1, faculty, "accepted", "A sharp problem statement. Accepted.")
        # Assignment 2: one team in each state.
        state = index % 6
        if state == 0:  # the demo participant's team: changes requested, released
            v = _version(second, team, lead(team), due2 - datetime.timedelta(days=1), "Our aim")
            _feedback(
                v,
                faculty,
                "changes_requested",
                "The aim needs a number and a date: how much, by when? Then resubmit.",
            )
        elif state == 1:
            v = _version(second, team, lead(team), due2 - datetime.timedelta(days=3), "Our aim")
            _feedback(v, faculty, "accepted", "A SMART aim and a tidy driver diagram.")
        elif state == 2:
            _version(second, team, lead(team), due2, "Our aim", late_days=4)  # late
        elif state == 3:
            v = _version(second, team, lead(team), due2 - datetime.timedelta(hours=3), "Our aim")
            _feedback(v, faculty, "accepted", "Good.", release=False)  # awaiting release
        elif state == 4:
            services.submission_save(
                assignment=second,
                team=team,
                text="Work in progress: drivers still to agree.",
                acting_user=lead(team),
                now=due2 - datetime.timedelta(days=5),
            )
        # state 5: not started (overdue).
        if index == 1:
            services.submission_save(
                assignment=upcoming,
                team=team,
                text="Outcome measure: readmissions within 30 days.",
                acting_user=lead(team),
            )
    people = list(selectors.participants_of(cohort).order_by("pk"))[:6]
    for number, person in enumerate(people):
        if number % 2 == 0:
            services.submission_save(
                assignment=individual,
                owner=person,
                text="What I noticed about how I lead change…",
                submit=True,
                acting_user=person,
                now=individual.due_at - datetime.timedelta(days=1),
            )


# --- measures ------------------------------------------------------------------------------

# (team, [(measure, kind, unit, better, target, months, pattern, start level, change, noise,
#          PDSA change idea or None, rebase reason or None[, months before the end the change
#          starts])]).
# pattern: "shift" steps by ``change`` two-thirds of the way through, "trend" climbs by
# ``change`` over the last third, "flat" stays level; the PDSA cycle sits at the change.
OUT, PRO, BAL = "outcome", "process", "balancing"
# (where the data come from, where a change is tried first, where it spreads)
HOSPITAL = ("the patient administration system", "on one ward", "the other wards")
MEASURES: dict[str, list[tuple[Any, ...]]] = {
    "COPD early supported discharge": [
        ("30-day COPD readmissions", OUT, "%", "down", 15, 36, "shift", 22, -6, 1.6,
         "Early supported discharge for COPD", "Early supported discharge service began"),
        ("Patients offered early supported discharge", PRO, "%", "up", None, 24, "trend", 30,
         40, 3, "Respiratory nurse screens admissions daily", None),
        ("ED re-attendance within 7 days", BAL, "%", "down", None, 24, "flat", 6, 0, 1.1,
         None, None),
    ],
    "Discharge before noon": [
        ("Discharges before noon", OUT, "%", "up", 40, 30, "shift", 18, 14, 3,
         "Criteria-led discharge on ward 5", None),
        ("Average length of stay", BAL, "days", "down", None, 30, "flat", 5.8, 0, 0.45, None, None),
    ],
    "Frailty at the front door": [
        ("Frail patients assessed within 4 hours", PRO, "%", "up", None, 18, "trend", 35, 38, 4,
         "Frailty nurse in ED triage", None),
    ],
    "Diabetes in pregnancy": [
        ("Postnatal glucose tests done", OUT, "%", "up", 80, 24, "shift", 45, 18, 5,
         "Text reminder at 6 weeks postpartum", None),
        ("Referrals to diabetes in pregnancy clinic", PRO, "count", "up", None, 12, "flat", 21, 0,
         3, None, None),
    ],
    "Theatre start times": [
        ("First cases started on time", OUT, "%", "up", 85, 20, "trend", 52, 25, 4,
         "Team brief at 08:00 sharp", None),
        ("Minutes lost at first case start", PRO, "minutes", "down", None, 20, "shift", 24, -9, 3,
         None, None),
        ("Cancelled elective operations", BAL, "count", "down", None, 20, "flat", 7, 0, 2, None,
         None),
    ],
    "Pacific heart health": [
        ("Days from discharge to community review", OUT, "days", "down", None, 16, "shift", 28,
         -11, 3, "Pacific navigator calls within 48 hours", None),
    ],
    "Sepsis six": [
        ("Antibiotics within one hour", OUT, "%", "up", 90, 28, "shift", 64, 15, 4,
         "Sepsis trolley on each surgical ward", None),
        ("Sepsis screens completed", PRO, "%", "up", None, 28, "trend", 55, 30, 4, None, None),
    ],
    "Youth mental health access": [
        ("Assessed within three weeks", OUT, "%", "up", 80, 14, "flat", 48, 0, 5,
         "Single point of access triage", None),
    ],
}  # fmt: skip


def _series(
    pattern: str,
    months: int,
    level: float,
    change: float,
    noise: float,
    rng,
    *,
    percent: bool,
    before_end: int | None = None,
) -> tuple[list[Decimal], int | None]:
    """Monthly values with a shift, a trend or neither, and where the change starts
    (``before_end`` months before the last, when given)."""
    at = months * 2 // 3 if pattern == "shift" else months // 2 if pattern == "trend" else None
    if at is not None and before_end is not None:
        at = months - before_end
    start = months if at is None else at  # read only for a shift or a trend
    values = []
    for month in range(months):
        value = level
        if pattern == "shift" and month >= start:
            value += change
        elif pattern == "trend" and month >= start:
            value += change * min(1.0, (month - start + 1) / (months - start))
        # A steady climb reads as a trend only if the month-to-month noise is smaller than it.
        wobble = noise * (0.15 if pattern == "trend" and month >= start else 1)
        value = max(0.0, value + rng.gauss(0, wobble))
        values.append(Decimal(str(round(min(value, 100.0) if percent else value, 1))))
    return values, at


def _create_measures(
    cohort: Cohort,
    today: datetime.date,
    specs: dict[str, list[tuple[Any, ...]]] = MEASURES,
    seed: int = 3,
    setting: tuple[str, str, str] = HOSPITAL,
) -> None:
    """The measures in ``specs`` (by team name; ``MEASURES``: one to three a team), 12–36
    monthly points up to last month, a PDSA cycle at each change, and each measure with a
    rebase reason's limits recalculated after its change. ``setting``: where the data come
    from, where a change is tried first and where it spreads."""
    source, first_place, spread_to = setting
    rng = random.Random(seed)
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    for team in cohort.redesign_teams.select_related("clinical_lead").order_by("name"):
        lead = team.clinical_lead
        for spec in specs.get(team.name, []):
            name, kind, unit, better, target, months, pattern, level, change, noise = spec[:10]
            idea, rebase_reason = spec[10], spec[11]
            measure = measure_services.measure_create(
                team=team, name=name, kind=kind, unit=unit, better=better,
                target=None if target is None else Decimal(target), acting_user=lead,
                operational_definition=f"{name}, counted monthly from {source}; all "
                "eligible patients, no exclusions.",
            )  # fmt: skip
            total = last_month.year * 12 + last_month.month - 1 - (months - 1)
            periods = month_starts(datetime.date(total // 12, total % 12 + 1, 1), months)
            values, at = _series(
                pattern, months, level, change, noise, rng, percent=unit == "%",
                before_end=spec[12] if len(spec) > 12 else None,
            )  # fmt: skip
            DataPoint.objects.bulk_create(
                DataPoint(
                    measure=measure,
                    period=period,
                    value=value,
                    annotation="Change started" if index == at and idea else "",
                    recorded_by=lead,
                )
                for index, (period, value) in enumerate(zip(periods, values, strict=True))
            )
            if idea and at is not None:
                measure_services.pdsa_cycle_create(
                    team=team, measure=measure, change_idea=idea,
                    plan=f"Try “{idea.lower()}” {first_place} for a month.",
                    prediction="The measure moves in the better direction within two months.",
                    do="Ran as planned; two weeks lost to staff sickness.",
                    study="The chart shows the change held.",
                    act=f"Adopt, and spread to {spread_to}.",
                    started_on=periods[at], ended_on=periods[min(at + 1, months - 1)],
                    acting_user=lead,
                )  # fmt: skip
            if rebase_reason and at is not None:
                measure_services.rebase_create(
                    measure=measure, starts_on=periods[at], reason=rebase_reason, acting_user=lead
                )


# --- the Tower Hamlets cohort's outcome-based projects ------------------------------------

PRIMARY_CARE_SLUG = "primary-care-network-leadership"
PRIMARY_CARE = (
    "the practices' clinical systems (network search)",
    "in one practice",
    "the other practices in the network",
)
# (name, focus kind, focus, aim, [(first, last) of the members: the clinical lead first, the
# manager partner last]) — every participant of the cohort in one of them.
PRIMARY_CARE_TEAMS = [
    (
        "COPD admissions",
        RedesignTeam.FocusKind.CLINICAL_CONDITION,
        "Emergency admissions of people with COPD across the network",
        "Cut emergency COPD admissions across the network's practices from 14 to 10 a month "
        "by the end of the programme.",
        [
            ("Nasreen", "Begum"),
            ("Shirin", "Ahmed"),
            ("Aisha", "Rahman"),
            ("Bernadette", "Kelly"),
            ("Samir", "Haque"),
            ("Dev", "Malhotra"),
        ],
    ),
    (
        "Same-day urgent access",
        RedesignTeam.FocusKind.WORK_PROCESS,
        "Same-day appointments for clinically urgent requests",
        "See 95% of clinically urgent requests the same day in every practice by the end of "
        "the programme.",
        [
            ("Kwame", "Asante"),
            ("Oliver", "Hastings"),
            ("Sophie", "Lindqvist"),
            ("Harriet", "Mole"),
            ("Tom", "Eccleston"),
            ("Rahima", "Khatun"),
        ],
    ),
    (
        "Housebound frailty reviews",
        RedesignTeam.FocusKind.POPULATION_SUBGROUP,
        "Housebound older people living with moderate or severe frailty",
        "Give 80% of housebound people with moderate or severe frailty a yearly "
        "structured medication review.",
        [
            ("Polly", "Ng"),
            ("Imran", "Chowdhury"),
            ("Fatima", "Uddin"),
            ("Joseph", "Adebayo"),
            ("Eleanor", "Price"),
            ("George", "Whitaker"),
        ],
    ),
]
# A year or two of history from the practices' systems; the changes start three months before
# the last point, about when the cohort began.
PRIMARY_CARE_MEASURES: dict[str, list[tuple[Any, ...]]] = {
    "COPD admissions": [
        ("Emergency COPD admissions", OUT, "count", "down", 10, 24, "shift", 14, -5, 1.2,
         "Rescue packs and a self-management plan at every COPD review", None, 3),
        ("COPD patients with a self-management plan", PRO, "%", "up", None, 18, "shift", 38,
         24, 3, "Clinical pharmacist reviews inhalers in the COPD clinic", None, 3),
    ],
    "Same-day urgent access": [
        ("Urgent requests seen the same day", OUT, "%", "up", 95, 18, "shift", 78, 10, 2,
         "Duty GP triages every urgent request by 10:00", None, 3),
    ],
    "Housebound frailty reviews": [
        ("Housebound patients with a medication review", PRO, "%", "up", 80, 12, "flat", 41,
         0, 3, None, None),
    ],
}  # fmt: skip
INTERIM_TEXT = (
    "Interim version for peer review: our aim, the baseline from the network search, the "
    "first PDSA cycle and what we test next. The final version follows at the end of the "
    "programme."
)
# (author team, reviewer, submitted review or None for one still to do). The first reviewer
# logs in (demo.cohorts.PRIMARY_CARE_LOGIN) and has a review to do.
PEER_REVIEWS = [
    ("Same-day urgent access", ("Nasreen", "Begum"), None),
    (
        "Same-day urgent access",
        ("Joseph", "Adebayo"),
        (3, 3, 2, "A clear aim and a baseline from every practice.",
         "Say what the duty GP stops doing to make room for triage."),
    ),
    (
        "COPD admissions",
        ("Kwame", "Asante"),
        (4, 3, 3, "The admissions chart makes the case; rescue packs are a testable change.",
         "Show the self-management plans practice by practice, not only for the network."),
    ),
    ("COPD admissions", ("Polly", "Ng"), None),
    (
        "Housebound frailty reviews",
        ("Aisha", "Rahman"),
        (3, 2, 2, "The right population, and the pharmacists are on board.",
         "Start a PDSA cycle: the measure has not moved because nothing has been tested yet."),
    ),
    ("Housebound frailty reviews", ("Oliver", "Hastings"), None),
]  # fmt: skip


def _by_name(cohort: Cohort) -> dict[tuple[str, str], User]:
    return {(p.first_name, p.last_name): p for p in selectors.participants_of(cohort)}


def _form_primary_care_teams(cohort: Cohort, sponsor: User | None, admin: User) -> None:
    people = _by_name(cohort)
    for name, kind, focus, aim, members in PRIMARY_CARE_TEAMS:
        team_people = [people[member] for member in members if member in people]
        if len(team_people) < len(members):
            continue  # someone left before the teams were formed
        services.team_create(
            cohort=cohort,
            name=name,
            clinical_lead=team_people[0],
            members=team_people,
            focus_kind=kind,
            focus=focus,
            aim=aim,
            manager_partner=team_people[-1],
            executive_sponsor=sponsor,
            acting_user=admin,
        )


def _primary_care_peer_review(cohort: Cohort, today: datetime.date, admin: User) -> None:
    """Each team hands in an interim version of its outcome-based project; the office turns
    peer review on and allocates two anonymous reviewers from other teams to each, due in
    ten days; half the reviews are in."""
    project = cohort.assignments.filter(template__title="Outcome-based project").first()
    if project is None:
        return
    teams = {t.name: t for t in cohort.redesign_teams.select_related("clinical_lead")}
    handed_in = {}
    for name, team in teams.items():
        handed_in[name] = _version(
            project,
            team,
            team.clinical_lead,
            _at(cohort, today - datetime.timedelta(days=8)),
            INTERIM_TEXT,
            filename="interim-report.pdf",
        )
    if not cohort.peer_review_enabled:
        cohort = cohort_services.cohort_update(
            cohort=cohort,
            version=cohort.version,
            fields={"peer_review_enabled": True},
            acting_user=admin,
        )
    # The services check the due date against the real clock, so it counts from there.
    due_on = timezone.now().astimezone(cohort.tzinfo).date() + datetime.timedelta(days=10)
    people = _by_name(cohort)
    for team_name, reviewer, done in PEER_REVIEWS:
        if team_name not in handed_in or reviewer not in people:
            continue
        review = peer_reviews.peer_review_allocate(
            submission=handed_in[team_name],
            reviewer=people[reviewer],
            due_on=due_on,
            anonymous=True,
            acting_user=admin,
        )
        if done is not None:
            aim, evidence, next_steps, strengths, suggestions = done
            peer_reviews.peer_review_submit(
                review=review,
                aim_score=aim,
                evidence_score=evidence,
                next_steps_score=next_steps,
                strengths=strengths,
                suggestions=suggestions,
                acting_user=people[reviewer],
            )


def _load_primary_care(today: datetime.date, admin: User) -> None:
    """The Tower Hamlets cohort's three teams, each on an outcome-based project (COPD
    admissions among them) with measures and PDSA cycles; the project assignment from the
    programme's blueprint, due at the end; and a peer-review round of the interim versions."""
    cohort = (
        Cohort.objects.filter(programme__slug=PRIMARY_CARE_SLUG, status=Cohort.Status.RUNNING)
        .select_related("programme")
        .order_by("starts_on")
        .first()
    )
    if cohort is None:
        return
    if not cohort.redesign_teams.exists():
        sponsor = (
            cohort.enrolments.filter(role=Enrolment.Role.CLINICAL_LEADER)
            .select_related("person")
            .first()
        )
        _form_primary_care_teams(cohort, sponsor.person if sponsor else None, admin)
    services.assignments_from_templates(cohort=cohort, acting_user=admin)
    if not Measure.objects.filter(team__cohort=cohort).exists():
        _create_measures(cohort, today, PRIMARY_CARE_MEASURES, seed=7, setting=PRIMARY_CARE)
    if not Submission.objects.filter(assignment__cohort=cohort).exists():
        _primary_care_peer_review(cohort, today, admin)


@transaction.atomic
def load(today: datetime.date) -> None:
    """Teams, assignments and work for "Cohort 3" of Enhanced Care Management, and the Tower
    Hamlets cohort's outcome-based projects (``_load_primary_care``)."""
    cohort = (
        Cohort.objects.filter(programme__slug="enhanced-care-management", name="Cohort 3")
        .select_related("programme")
        .first()
    )
    admin, leader, faculty = _login("admin"), _login("leader"), _login("faculty")
    if cohort is None or faculty is None or admin is None:
        return
    if not cohort.redesign_teams.exists():
        _form_teams(cohort, admin, leader)
    if not cohort.assignments.exists():
        _create_assignments(cohort, today, admin)
    if not Submission.objects.filter(assignment__cohort=cohort).exists():
        _create_work(cohort, _login("participant"), faculty)
    if not Measure.objects.filter(team__cohort=cohort).exists():
        _create_measures(cohort, today)
    _load_primary_care(today, admin)
