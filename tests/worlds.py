"""Shared test worlds: builders that several test packages use (and bench/): a cohort with
everything a report shows, and how to read a built PDF back as text."""

import datetime
import io
from decimal import Decimal

from django.utils import timezone
from pypdf import PdfReader

from cohorts.models import Cohort, Enrolment
from measures import services as measure_services
from measures.charts import month_starts
from measures.models import DataPoint
from modules.models import Attendance, Module, Session
from pairings import services as pairing_services
from pairings.models import Pairing
from redesign_projects import services as project_services
from redesign_projects.models import Assignment
from tests.factories import EnrolmentFactory, UserFactory

STATUSES = [
    Attendance.Status.PRESENT,
    Attendance.Status.PRESENT,
    Attendance.Status.LATE,
    Attendance.Status.PRESENT,
    Attendance.Status.APOLOGIES,
    Attendance.Status.ABSENT,
]


def build_world(
    cohort: Cohort,
    *,
    participants: int = 6,
    sessions: int = 4,
    teams: int = 2,
    assignments: int = 2,
    measures: int = 1,
    points: int = 24,
    team_names: list[str] | None = None,
    actor=None,
) -> dict:
    """A cohort with its people, a schedule (the last quarter of sessions still to come),
    attendance, teams with members, team assignments (half past due; some submitted, one with
    released feedback), measures with monthly points, PDSA cycles and pairings."""
    now = timezone.now()
    actor = actor or UserFactory(profession="manager")
    people = []
    for n in range(participants):
        person = UserFactory(
            first_name=f"Given{n:02d}",
            last_name=f"Surname{n:02d}",
            profession="manager" if n % 4 == 3 else "doctor",
        )
        EnrolmentFactory(cohort=cohort, person=person, role=Enrolment.Role.PARTICIPANT)
        people.append(person)
    module = Module.objects.create(cohort=cohort, position=1, title="Strategy")
    held = sessions - max(sessions // 4, 1) if sessions > 1 else sessions
    schedule = []
    for n in range(sessions):
        offset = datetime.timedelta(days=7 * (n - held) + (1 if n >= held else 0))
        start = now + offset - datetime.timedelta(hours=2)
        schedule.append(
            Session.objects.create(
                module=module,
                title=f"Day {n + 1}",
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=1),
                sequence=n + 1,
            )
        )
    # Every held session's register was taken (the progress report's figures count them).
    Session.objects.filter(pk__in=[s.pk for s in schedule[:held]]).update(
        register_taken_at=now - datetime.timedelta(minutes=30)
    )
    Attendance.objects.bulk_create(
        Attendance(
            session=session,
            person=person,
            status=STATUSES[(i + j) % len(STATUSES)],
            recorded_by=actor,
        )
        for i, session in enumerate(schedule[:held])
        for j, person in enumerate(people)
        if (i + j) % 7 != 6  # some cells "not recorded"
    )
    clinicians = [p for p in people if p.profession == "doctor"]
    managers = [p for p in people if p.profession == "manager"]
    names = team_names or [f"Team {n + 1}" for n in range(teams)]
    made_teams = []
    for n, name in enumerate(names):
        members = people[n :: len(names)]
        lead = next(p for p in members if p.profession == "doctor")
        made_teams.append(
            project_services.team_create(
                cohort=cohort,
                name=name,
                clinical_lead=lead,
                members=[m for m in members if m != lead],
                focus="Discharge before noon",
                aim=f"Aim of {name}",
                acting_user=None,
            )
        )
    made_assignments = []
    for n in range(assignments):
        made_assignments.append(
            project_services.assignment_create(
                cohort=cohort,
                title=f"Assignment {n + 1}",
                due_at=now + datetime.timedelta(days=(n - assignments // 2) * 14 + 1),
                kind=Assignment.Kind.TEAM,
                acting_user=None,
                accepted_types=["pdf"],
            )
        )
    for i, team in enumerate(made_teams):
        for j, assignment in enumerate(made_assignments):
            if (i + j) % 3 == 2:
                continue
            submission = project_services.submission_save(
                assignment=assignment,
                team=team,
                owner=None,
                text="Our plan",
                uploads=[],
                submit=True,
                acting_user=team.clinical_lead,
            )
            if j == 0:
                project_services.feedback_save(
                    submission=submission,
                    comments=f"Clear aim for {team.name}; now measure it weekly.",
                    decision="accepted",
                    levels={},
                    acting_user=actor,
                    release=True,
                )
        for index in range(measures):
            measure = measure_services.measure_create(
                team=team, name=f"Measure {index + 1} of {team.name}", unit="days", better="down",
                acting_user=None,
            )  # fmt: skip
            DataPoint.objects.bulk_create(
                DataPoint(
                    measure=measure,
                    period=day,
                    value=Decimal(str(10 + (k % 4) - (3 if k > points - 9 else 0))),
                )
                for k, day in enumerate(month_starts(datetime.date(2023, 1, 1), points))
            )
            measure_services.pdsa_cycle_create(
                team=team,
                measure=measure,
                change_idea=f"Checklist {index + 1}",
                started_on=datetime.date(2024, 6, 1),
                acting_user=None,
            )
    pairs = list(zip(clinicians, managers, strict=False))[:3]
    if pairs:
        pairing_services.pairings_create(
            cohort=cohort,
            kind=Pairing.Kind.PARTNERSHIP,
            pairs=pairs,
            status=Pairing.Status.ACTIVE,
            started_on=timezone.localdate(),
            acting_user=None,
        )
    return {"people": people, "sessions": schedule, "teams": made_teams}


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def flat(text: str) -> str:
    return " ".join(text.split())
