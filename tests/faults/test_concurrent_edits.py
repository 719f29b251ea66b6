"""Two administrators at once: editing the same cohort, or taking its last place. No lost
update and no over-booking — the second is told clearly. Two real requests, each on its own
database connection, made to meet at the cohort's row (see ``concurrency``)."""

import pytest
from django.test import Client
from django.urls import reverse

from cohorts.models import Cohort, Enrolment
from leadership.models import AuditEvent
from tests.factories import EnrolmentFactory, UserFactory
from tests.totp import give_authenticator_app

from .concurrency import at_once


def _admin_client(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def second_administrator(programme):
    person = UserFactory(email="second.admin@example.org", first_name="Sam")
    programme.administrators.add(person)
    give_authenticator_app(person)  # administrators must use two-factor authentication
    return person


@pytest.mark.django_db(transaction=True)
def test_two_administrators_saving_the_same_cohort_at_once_lose_nothing(
    administrator, second_administrator, cohort
):
    url = reverse("cohorts:cohort_edit", args=[cohort.pk])
    # Both opened the form on the same version.
    form = {"version": cohort.version, "name": cohort.name, "venue_address": ""}
    first, second = _admin_client(administrator), _admin_client(second_administrator)

    responses = at_once(
        "cohorts_cohort",
        cohort.pk,
        lambda: first.post(url, {**form, "capacity": "40", "venue_name": "Room A"}),
        lambda: second.post(url, {**form, "capacity": "30", "venue_name": "Room B"}),
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 302], responses
    saved = next(r for r in responses if r.status_code == 302)
    refused = next(r for r in responses if r.status_code == 200)
    cohort.refresh_from_db()
    winner = ("40", "Room A") if saved is responses[0] else ("30", "Room B")
    assert (str(cohort.capacity), cohort.venue_name) == winner
    assert cohort.version == 2
    assert AuditEvent.objects.filter(action="cohort.update").count() == 1
    message = refused.context["form"].non_field_errors()[0]
    assert "Someone else saved changes to this cohort while you were editing it" in message
    assert f"now “{cohort.venue_name}”" in message
    # The refused form keeps the person's own input, ready to save again knowingly.
    assert refused.context["form"]["venue_name"].value() != cohort.venue_name
    assert refused.context["form"]["version"].value() == 2


@pytest.mark.django_db(transaction=True)
def test_two_administrators_enrolling_into_the_last_place_at_once_do_not_overbook(
    administrator, second_administrator, cohort
):
    Cohort.objects.filter(pk=cohort.pk).update(capacity=3)
    for n in range(2):
        EnrolmentFactory(cohort=cohort, person=UserFactory(email=f"taken{n}@example.org"))
    url = reverse("cohorts:enrolment_create", args=[cohort.pk])
    first, second = _admin_client(administrator), _admin_client(second_administrator)

    def enrol(client, email, name):
        return lambda: client.post(
            url,
            {"email": email, "role": "participant", "first_name": name, "profession": "nurse"},
        )

    responses = at_once(
        "cohorts_cohort",
        cohort.pk,
        enrol(first, "ana@example.org", "Ana"),
        enrol(second, "ben@example.org", "Ben"),
    )

    assert sorted(response.status_code for response in responses) == [200, 302], responses
    participants = Enrolment.objects.filter(cohort=cohort, role=Enrolment.Role.PARTICIPANT)
    assert participants.count() == 3
    refused = next(r for r in responses if r.status_code == 200)
    assert "is full: all 3 participant places are taken" in refused.content.decode()
