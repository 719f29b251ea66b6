import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cohorts.models import Enrolment
from leadership.models import AuditEvent
from pairings import services
from pairings.models import Pairing, PairingPreference, ShadowingEntry
from tests.pairings.helpers import enrol, manager_in, pair

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def create(cohort, pairs, *, status=Pairing.Status.ACTIVE, started_on=TODAY, actor=None):
    return services.pairings_create(
        cohort=cohort,
        kind=Pairing.Kind.PARTNERSHIP,
        pairs=pairs,
        status=status,
        started_on=started_on,
        acting_user=actor,
    )


def test_creating_pairs_saves_them_all_and_audits_each(cohort, administrator):
    c1, c2, m1, m2 = enrol(cohort), enrol(cohort), manager_in(cohort), manager_in(cohort)
    created = create(cohort, [(c1, m1), (c2, m2)], actor=administrator)
    assert [(p.clinician, p.manager, p.status) for p in created] == [
        (c1, m1, "active"),
        (c2, m2, "active"),
    ]
    events = AuditEvent.objects.filter(action="pairing.create")
    assert events.count() == 2
    assert {e.actor for e in events} == {administrator}


def test_one_bad_pair_saves_none_of_them(cohort):
    c1, c2, m1 = enrol(cohort), enrol(cohort), manager_in(cohort)
    with pytest.raises(ValidationError, match="more than one pair"):
        create(cohort, [(c1, m1), (c2, m1)])
    assert not Pairing.objects.exists()
    assert not AuditEvent.objects.filter(action="pairing.create").exists()


def test_it_refuses_to_pair_someone_with_their_line_manager(cohort):
    clinician, manager = enrol(cohort), manager_in(cohort, first_name="Tama", last_name="Herewini")
    PairingPreference.objects.create(cohort=cohort, person=clinician, line_manager=manager)
    with pytest.raises(ValidationError, match="cannot be paired: Tama Herewini line-manages"):
        create(cohort, [(clinician, manager)])


def test_it_refuses_someone_who_already_has_an_open_pairing(cohort):
    clinician, m1, m2 = enrol(cohort), manager_in(cohort), manager_in(cohort)
    create(cohort, [(clinician, m1)], status=Pairing.Status.PROPOSED, started_on=None)
    with pytest.raises(ValidationError, match="not an unpaired clinician"):
        create(cohort, [(clinician, m2)])


def test_it_refuses_people_outside_the_cohort_or_in_the_wrong_role(cohort, other_cohort):
    outsider, manager = enrol(other_cohort), manager_in(cohort)
    with pytest.raises(ValidationError, match="not an unpaired clinician"):
        create(cohort, [(outsider, manager)])
    faculty_manager = enrol(cohort, profession="manager", role=Enrolment.Role.FACULTY)
    with pytest.raises(ValidationError, match="not an unpaired partner"):
        create(cohort, [(enrol(cohort), faculty_manager)])


def test_an_active_pairing_needs_a_start_date(cohort):
    with pytest.raises(ValidationError) as caught:
        create(cohort, [(enrol(cohort), manager_in(cohort))], started_on=None)
    assert "started_on" in caught.value.error_dict


def test_the_database_holds_one_open_pairing_per_person_and_kind(cohort):
    clinician, m1, m2 = enrol(cohort), manager_in(cohort), manager_in(cohort)
    pair(cohort, clinician, m1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Pairing.objects.create(cohort=cohort, clinician=clinician, manager=m2, status="proposed")


def test_the_database_refuses_a_pairing_of_a_person_with_themselves(cohort):
    person = enrol(cohort)
    with pytest.raises(IntegrityError), transaction.atomic():
        Pairing.objects.create(cohort=cohort, clinician=person, manager=person)


def test_ending_a_pairing_frees_both_people(cohort, administrator):
    clinician, m1, m2 = enrol(cohort), manager_in(cohort), manager_in(cohort)
    pairing = pair(cohort, clinician, m1)
    services.pairing_end(
        pairing=pairing, ended_on=TODAY, reason="Rotation moved", acting_user=administrator
    )
    pairing.refresh_from_db()
    assert (pairing.status, pairing.ended_on, pairing.end_reason) == (
        "ended",
        TODAY,
        "Rotation moved",
    )
    (again,) = create(cohort, [(clinician, m2)])
    assert again.status == "active"
    assert AuditEvent.objects.filter(action="pairing.end", actor=administrator).exists()


def test_ending_needs_a_reason_and_a_date_after_the_start(cohort):
    pairing = pair(cohort, enrol(cohort), manager_in(cohort))
    with pytest.raises(ValidationError, match="Say why"):
        services.pairing_end(pairing=pairing, ended_on=TODAY, reason="  ", acting_user=None)
    with pytest.raises(ValidationError, match="end it after"):
        services.pairing_end(
            pairing=pairing,
            ended_on=pairing.started_on - datetime.timedelta(days=1),
            reason="Left",
            acting_user=None,
        )


def test_a_proposed_pairing_becomes_active(cohort):
    pairing = pair(cohort, enrol(cohort), manager_in(cohort), status=Pairing.Status.PROPOSED)
    services.pairing_activate(pairing=pairing, started_on=TODAY, acting_user=None)
    pairing.refresh_from_db()
    assert (pairing.status, pairing.started_on) == ("active", TODAY)
    with pytest.raises(ValidationError, match="Only a proposed"):
        services.pairing_activate(pairing=pairing, started_on=TODAY, acting_user=None)


def test_a_shadowing_entry_is_logged_and_audited(cohort):
    clinician = enrol(cohort)
    pairing = pair(cohort, clinician, manager_in(cohort))
    entry = services.shadowing_entry_create(
        pairing=pairing,
        occurred_on=TODAY,
        direction=ShadowingEntry.Direction.CLINICIAN_SHADOWED_MANAGER,
        location=" Bed meeting ",
        minutes=90,
        reflection="Saw how beds are allocated.",
        author=clinician,
    )
    assert (entry.location, entry.minutes, entry.author) == ("Bed meeting", 90, clinician)
    assert AuditEvent.objects.filter(action="shadowing.create", actor=clinician).exists()


@pytest.mark.parametrize(
    ("days_from_today", "minutes", "message"),
    [
        (1, 60, "after it has happened"),
        (-31, 60, "The pairing started on"),
        (0, 0, "greater than or equal to 1"),
        (0, 24 * 60 + 1, "less than or equal to 1440"),
    ],
)
def test_a_shadowing_entry_must_be_plausible(cohort, days_from_today, minutes, message):
    clinician = enrol(cohort)
    pairing = pair(cohort, clinician, manager_in(cohort))  # started 30 days ago
    with pytest.raises(ValidationError, match=message):
        services.shadowing_entry_create(
            pairing=pairing,
            occurred_on=TODAY + datetime.timedelta(days=days_from_today),
            direction=ShadowingEntry.Direction.MANAGER_SHADOWED_CLINICIAN,
            location="Ward 7",
            minutes=minutes,
            reflection="Notes",
            author=clinician,
        )
    assert not ShadowingEntry.objects.exists()


def test_shadowing_is_logged_on_active_pairings_only(cohort):
    clinician = enrol(cohort)
    pairing = pair(cohort, clinician, manager_in(cohort), status=Pairing.Status.PROPOSED)
    with pytest.raises(ValidationError, match="active pairings only"):
        services.shadowing_entry_create(
            pairing=pairing,
            occurred_on=TODAY,
            direction=ShadowingEntry.Direction.CLINICIAN_SHADOWED_MANAGER,
            location="Ward 7",
            minutes=30,
            reflection="Notes",
            author=clinician,
        )


def test_the_project_update_audits_only_what_changed(cohort):
    pairing = pair(cohort, enrol(cohort), manager_in(cohort))
    services.pairing_project_update(
        pairing=pairing, title="Discharge by noon", aim="", status="planning", acting_user=None
    )
    event = AuditEvent.objects.get(action="pairing.project_update")
    assert event.changes == {
        "project_title": ["", "Discharge by noon"],
        "project_status": ["not_started", "planning"],
    }


def test_preferences_are_created_then_replaced(cohort):
    person, boss = enrol(cohort), manager_in(cohort)
    services.preference_save(
        cohort=cohort,
        person=person,
        interests=["digital", "patient_flow", "digital"],
        preferred_departments=["Operations"],
        availability=["tue_am", "mon_am"],
        line_manager=boss,
        acting_user=person,
    )
    services.preference_save(
        cohort=cohort,
        person=person,
        interests=["finance"],
        preferred_departments=[],
        availability=[],
        line_manager=None,
        acting_user=person,
    )
    (preference,) = PairingPreference.objects.all()
    assert (preference.interests, preference.availability, preference.line_manager) == (
        ["finance"],
        [],
        None,
    )
    assert AuditEvent.objects.filter(action="pairing_preference.save").count() == 2


def test_nobody_is_their_own_line_manager(cohort):
    person = enrol(cohort)
    with pytest.raises(ValidationError):
        services.preference_save(
            cohort=cohort,
            person=person,
            interests=[],
            preferred_departments=[],
            availability=[],
            line_manager=person,
            acting_user=person,
        )
