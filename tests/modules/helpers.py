"""Builders for schedule tests: module templates on a programme, modules and sessions."""

import datetime
import zoneinfo

from cohorts.models import Enrolment
from modules.models import Attendance, Module, ModuleTemplate, Session
from tests.factories import EnrolmentFactory, UserFactory

AUCKLAND = zoneinfo.ZoneInfo("Pacific/Auckland")

# The Enhanced Care Management sequence: five 1.5-day modules three months apart.
ECM_TEMPLATES = [
    ("Strategy", 3, 0),
    ("Operations design", 3, 13),
    ("Culture and change", 3, 26),
    ("Improvement and innovation", 3, 39),
    ("System review", 3, 52),
]


def add_templates(programme, spec=ECM_TEMPLATES, kind=ModuleTemplate.Kind.MODULE):
    start = programme.module_templates.count()
    return [
        ModuleTemplate.objects.create(
            programme=programme,
            position=start + i,
            title=title,
            kind=kind,
            length_half_days=half_days,
            offset_weeks=weeks,
        )
        for i, (title, half_days, weeks) in enumerate(spec, start=1)
    ]


def at(day: datetime.date, hour: int, minute: int = 0, tz=AUCKLAND) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=tz)


def make_module(cohort, position=1, title=None, **fields):
    return Module.objects.create(
        cohort=cohort, position=position, title=title or f"Module {position}", **fields
    )


def make_session(module, day: datetime.date, start=(9, 0), end=(17, 0), **fields):
    tz = module.cohort.tzinfo
    return Session.objects.create(
        module=module,
        starts_at=at(day, *start, tz=tz),
        ends_at=at(day, *end, tz=tz),
        **fields,
    )


def register_taken(*sessions):
    """Mark ``sessions`` as having their register taken when they ended (as saving the
    register does), for tests that write attendance rows directly."""
    for session in sessions:
        Session.objects.filter(pk=session.pk).update(register_taken_at=session.ends_at)
        session.register_taken_at = session.ends_at
    return sessions


def add_participants(cohort, n, prefix="p"):
    people = []
    for i in range(n):
        person = UserFactory(email=f"{prefix}{i}-{cohort.pk}@example.org")
        EnrolmentFactory(cohort=cohort, person=person, role=Enrolment.Role.PARTICIPANT)
        people.append(person)
    return people


def add_attended_sessions(cohort, participants: int, sessions: int):
    """``participants`` new participants, present at each of ``sessions`` held sessions of a
    new module (one a day, ending the day before yesterday). Returns the participants."""
    people = add_participants(cohort, participants, prefix=f"g{participants}")
    module = make_module(cohort, position=1 + cohort.modules.count())
    start = datetime.date.today() - datetime.timedelta(days=sessions + 1)
    for n in range(sessions):
        session = make_session(module, start + datetime.timedelta(days=n))
        register_taken(session)
        Attendance.objects.bulk_create(
            Attendance(session=session, person=p, status="present") for p in people
        )
    return people
