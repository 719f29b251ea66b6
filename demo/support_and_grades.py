"""Demo data for issue 22's programme models: the Waitematā ECM cohort's paired administrative
support (three support people, each supporting several clinical leaders up to their capacity)
and the partnership cohort's grades, so "junior doctor" is data on its pairs. Safe to run
again: a cohort that already has support pairings is left alone, and grades are only set."""

import datetime

from django.db import transaction

from cohorts import services as cohort_services
from cohorts.models import Cohort, Enrolment
from leadership.models import User
from pairings import selectors, services
from pairings.models import Pairing

from .cohorts import _enrol, _person

# (first, last, job title, department, capacity): the ECM cohort's administrative support.
SUPPORT_PEOPLE = [
    ("Mereana", "Kīngi", "Medical Secretary Team Leader", "Medical Services", 3),
    ("Gareth", "Bowen", "Service Administrator", "Surgical Services", 3),
    ("Sina", "Tuilagi", "Executive Assistant", "Mental Health and Addictions", 2),
]
# Leaders left without support, so the assignment page has something to do.
LEFT_UNSUPPORTED = 4

# Words in a job title → the grade it means (first match wins).
GRADES_BY_TITLE = [
    ("foundation", User.Grade.JUNIOR),
    ("core", User.Grade.JUNIOR),
    ("(st2)", User.Grade.JUNIOR),
    ("registrar", User.Grade.MIDDLE),
    ("deputy general manager", User.Grade.SENIOR),
    ("general manager", User.Grade.SENIOR),
    ("manager", User.Grade.MIDDLE),
]


def _grade_for(job_title: str) -> str:
    title = job_title.lower()
    return next((grade for words, grade in GRADES_BY_TITLE if words in title), "")


def _add_grades() -> None:
    cohort = (
        Cohort.objects.filter(programme__slug="clinician-manager-partnership")
        .order_by("-starts_on")
        .first()
    )
    if cohort is None:
        return
    people = User.objects.filter(
        enrolments__cohort=cohort,
        enrolments__role=Enrolment.Role.PARTICIPANT,
        grade="",
    )
    for person in people:
        grade = _grade_for(person.job_title)
        if grade:
            cohort_services.person_grade_set(person=person, grade=grade, acting_user=None)


def _add_admin_support(today: datetime.date) -> None:
    cohort = Cohort.objects.filter(
        programme__slug="enhanced-care-management", name="Cohort 3"
    ).first()
    if (
        cohort is None
        or Pairing.objects.filter(cohort=cohort, kind=Pairing.Kind.ADMIN_SUPPORT).exists()
    ):
        return
    supporters = []
    for first, last, title, department, capacity in SUPPORT_PEOPLE:
        person = _person(first, last, "other", title, department)
        _enrol(cohort, person, Enrolment.Role.ADMIN_SUPPORT)
        services.support_capacity_set(
            cohort=cohort, person=person, leaders=capacity, acting_user=None
        )
        supporters.extend([person] * capacity)
    leaders, _free = selectors.unpaired_people(cohort, Pairing.Kind.ADMIN_SUPPORT)
    leaders = sorted(leaders, key=lambda person: person.pk)
    count = min(len(supporters), max(len(leaders) - LEFT_UNSUPPORTED, 0))
    services.pairings_create(
        cohort=cohort,
        kind=Pairing.Kind.ADMIN_SUPPORT,
        pairs=list(zip(leaders[:count], supporters[:count], strict=True)),
        status=Pairing.Status.ACTIVE,
        started_on=min(today, cohort.starts_on + datetime.timedelta(weeks=2)),
        acting_user=None,
    )


@transaction.atomic
def load(today: datetime.date) -> None:
    _add_grades()
    _add_admin_support(today)
