"""The demo programme office: believable, and the same after a second run."""

import datetime

import pytest

from cohorts.models import Cohort, Enrolment, Programme
from demo import cohorts as cohorts_demo
from leadership.models import AuditEvent, User

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)


def _snapshot():
    return (
        Programme.objects.count(),
        Cohort.objects.count(),
        User.objects.count(),
        Enrolment.objects.count(),
        AuditEvent.objects.count(),
    )


def test_the_demo_loads_the_programme_office_and_a_second_run_changes_nothing():
    logins = cohorts_demo.load(TODAY)
    first = _snapshot()
    cohorts_demo.load(TODAY)
    assert _snapshot() == first

    assert [label for _email, label in logins] == [
        "programme administrator",
        "clinical leader",
        "faculty",
        "participant",
        "Tower Hamlets participant",
    ]
    ecm = Programme.objects.get(slug="enhanced-care-management")
    statuses = dict(ecm.cohorts.values_list("name", "status"))
    assert statuses == {"Cohort 2": "completed", "Cohort 3": "running"}
    running = ecm.cohorts.get(name="Cohort 3")
    participants = running.enrolments.filter(role=Enrolment.Role.PARTICIPANT)
    assert participants.count() == 45
    assert participants.values("person__profession").distinct().count() >= 5
    roles = dict(
        running.enrolments.filter(person__email__startswith="")
        .filter(person__email__in=[email for email, _label in logins])
        .values_list("person__email", "role")
    )
    assert roles == {
        "leader@demo.example.org": "clinical_leader",
        "faculty@demo.example.org": "faculty",
        "participant@demo.example.org": "participant",
    }
    admin = User.objects.get(email="admin@demo.example.org")
    assert admin.check_password(cohorts_demo.DEMO_PASSWORD)
    assert Programme.objects.filter(administrators=admin).count() == 4

    partnership = Cohort.objects.get(programme__slug="clinician-manager-partnership")
    professions = partnership.enrolments.filter(role="participant").values_list(
        "person__profession", flat=True
    )
    assert sorted(set(professions)) == ["doctor", "manager"]
    assert list(professions).count("doctor") == list(professions).count("manager") == 12
    assert Cohort.objects.filter(programme__slug="primary-care-network-leadership").exists()
