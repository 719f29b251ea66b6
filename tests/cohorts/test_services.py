"""Programmes, cohort status rules and enrolments, through their services."""

import datetime
import importlib

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from cohorts import services
from cohorts.models import Cohort, Enrolment, Programme
from cohorts.programme_models import PROGRAMME_MODELS
from leadership.models import AuditEvent, User
from modules.models import Module, Session
from modules.services import programme_models_install
from tests.factories import CohortFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_data_migration_installs_the_shipped_programmes_through_historical_models():
    Programme.objects.filter(slug__in=[spec["slug"] for spec in PROGRAMME_MODELS]).delete()
    migration_module = importlib.import_module("cohorts.migrations.0003_install_programme_models")
    state = MigrationExecutor(connection).loader.project_state(
        ("cohorts", "0003_install_programme_models")
    )
    migration_module.install(state.apps, None)
    shipped = Programme.objects.filter(slug__in=[spec["slug"] for spec in PROGRAMME_MODELS])
    assert shipped.count() == len(PROGRAMME_MODELS) == 4
    ecm = shipped.get(slug="enhanced-care-management")
    assert list(ecm.module_templates.values_list("title", flat=True)[:5]) == [
        "Strategy",
        "Operations design",
        "Culture and change",
        "Improvement and innovation",
        "System review",
    ]
    assert ecm.module_templates.filter(kind="module", length_half_days=3).count() == 5
    primary = shipped.get(slug="primary-care-network-leadership")
    assert primary.module_templates.filter(kind="insight_day").count() == 8
    assert primary.phases == ["Trimester 1", "Trimester 2", "Trimester 3"]


def test_installing_again_leaves_an_administrators_edits_alone():
    ecm = programme_models_install()[0]
    ecm.default_capacity = 42
    ecm.save()
    programme_models_install()
    ecm.refresh_from_db()
    assert ecm.default_capacity == 42
    assert Programme.objects.filter(slug="enhanced-care-management").count() == 1


def test_a_cohort_moves_through_its_statuses_and_no_further(administrator, programme):
    cohort = services.cohort_create(
        programme=programme,
        name="Cohort 7",
        starts_on=timezone.localdate(),
        acting_user=administrator,
    )
    assert cohort.status == Cohort.Status.PLANNED
    with pytest.raises(ValidationError, match="A planned cohort cannot become completed"):
        services.cohort_set_status(
            cohort=cohort, status=Cohort.Status.COMPLETED, acting_user=administrator
        )
    services.cohort_set_status(cohort=cohort, status="running", acting_user=administrator)
    services.cohort_set_status(cohort=cohort, status="completed", acting_user=administrator)
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.COMPLETED
    with pytest.raises(ValidationError, match="A completed cohort cannot become running"):
        services.cohort_set_status(cohort=cohort, status="running", acting_user=administrator)
    assert AuditEvent.objects.filter(action="cohort.status", cohort_id=cohort.pk).count() == 2


def test_a_cohort_cannot_complete_while_a_session_is_still_to_come(cohort, administrator):
    module = Module.objects.create(cohort=cohort, position=1, title="Strategy")
    starts = timezone.now() + datetime.timedelta(days=3)
    Session.objects.create(
        module=module, starts_at=starts, ends_at=starts + datetime.timedelta(hours=4)
    )
    with pytest.raises(ValidationError, match="still has 1 session to come"):
        services.cohort_set_status(cohort=cohort, status="completed", acting_user=administrator)
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.RUNNING


def test_creating_a_cohort_enrols_its_sponsors(administrator, programme):
    sponsor = UserFactory(email="sponsor@example.org")
    cohort = services.cohort_create(
        programme=programme,
        name="Cohort 8",
        starts_on=timezone.localdate(),
        acting_user=administrator,
        sponsors=[sponsor],
    )
    assert cohort.capacity == programme.default_capacity
    assert cohort.enrolments.get().role == Enrolment.Role.CLINICAL_LEADER


def test_a_full_cohort_refuses_another_participant_but_takes_faculty(administrator, programme):
    cohort = CohortFactory(programme=programme, capacity=2)
    EnrolmentFactory.create_batch(2, cohort=cohort)
    with pytest.raises(ValidationError, match="is full: all 2 participant places are taken"):
        services.person_enrol(
            cohort=cohort,
            email="third@example.org",
            first_name="Third",
            role=Enrolment.Role.PARTICIPANT,
            acting_user=administrator,
        )
    assert not User.objects.filter(email="third@example.org").exists()  # nothing half saved
    services.person_enrol(
        cohort=cohort,
        email="teacher@example.org",
        first_name="Teacher",
        role=Enrolment.Role.FACULTY,
        acting_user=administrator,
    )


def test_a_completed_cohort_takes_no_enrolments(administrator, programme):
    cohort = CohortFactory(programme=programme, status=Cohort.Status.COMPLETED)
    with pytest.raises(ValidationError, match="is completed: it takes no enrolments"):
        services.enrolment_create(
            cohort=cohort, person=UserFactory(), role="participant", acting_user=administrator
        )


def test_enrolling_someone_new_creates_their_account_and_records_an_invitation(
    cohort, administrator
):
    enrolment = services.person_enrol(
        cohort=cohort,
        email="  Hemi.Parata@Example.org ",
        first_name="Hemi",
        last_name="Parata",
        profession="manager",
        role=Enrolment.Role.PARTICIPANT,
        acting_user=administrator,
    )
    person = enrolment.person
    assert person.email == "hemi.parata@example.org"
    assert not person.has_usable_password()
    actions = set(AuditEvent.objects.filter(person_id=person.pk).values_list("action", flat=True))
    assert actions == {"person.create", "person.invite", "enrolment.create"}


def test_enrolling_someone_twice_in_the_same_role_is_refused(cohort, participant, administrator):
    with pytest.raises(ValidationError, match="is already in Cohort 3 as participant"):
        services.enrolment_create(
            cohort=cohort, person=participant, role="participant", acting_user=administrator
        )


def test_withdrawing_frees_the_place_and_a_returning_person_gets_their_enrolment_back(
    programme, administrator
):
    cohort = CohortFactory(programme=programme, capacity=1)
    enrolment = EnrolmentFactory(cohort=cohort)
    today = timezone.localdate()
    services.enrolment_withdraw(
        enrolment=enrolment, withdrawn_on=today, reason="Parental leave", acting_user=administrator
    )
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.withdrawn_on) == (Enrolment.Status.WITHDRAWN, today)
    services.enrolment_create(
        cohort=cohort, person=enrolment.person, role="participant", acting_user=administrator
    )
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED
    assert enrolment.withdrawal_reason == ""
    assert cohort.enrolments.count() == 1


def test_a_withdrawal_needs_a_reason_and_a_date_not_in_the_future(participant, administrator):
    enrolment = participant.enrolments.get()
    with pytest.raises(ValidationError, match="Give the reason"):
        services.enrolment_withdraw(
            enrolment=enrolment,
            withdrawn_on=timezone.localdate(),
            reason=" ",
            acting_user=administrator,
        )
    with pytest.raises(ValidationError, match="cannot be in the future"):
        services.enrolment_withdraw(
            enrolment=enrolment,
            withdrawn_on=timezone.localdate() + datetime.timedelta(days=1),
            reason="Leaving",
            acting_user=administrator,
        )


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ([40], "Each number of days must be from 1 to 31."),
        ([3, 3], "Give each number of days once."),
        ([True], "Give whole numbers of days, e.g. 14, 2."),
        ("7", "Give whole numbers of days, e.g. 14, 2."),
    ],
)
def test_a_programme_refuses_reminder_days_it_could_not_keep_and_changes_nothing(
    administrator, programme, days, message
):
    with pytest.raises(ValidationError) as raised:
        services.programme_update(
            programme=programme,
            acting_user=administrator,
            fields={"name": "Renamed", "assignment_reminder_days": days},
        )
    assert raised.value.message_dict == {"assignment_reminder_days": [message]}
    programme.refresh_from_db()
    assert (programme.name, programme.assignment_reminder_days) == (
        "Enhanced Care Management",
        [],
    )


def test_a_copied_programme_keeps_its_reminder_rules_and_pairing_rule(administrator, programme):
    programme.session_reminder_days = [10, 1]
    programme.assignment_overdue_days = [3]
    programme.pairs_avoid_same_team = True
    programme.save()
    copy = services.programme_copy(programme=programme, acting_user=administrator)
    assert copy.session_reminder_days == [10, 1]
    assert copy.effective_session_reminder_days == [10, 1]
    assert copy.effective_assignment_reminder_days == [7, 1]  # the site's
    assert copy.effective_assignment_overdue_days == [3]
    assert copy.pairs_avoid_same_team is True
