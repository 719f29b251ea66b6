"""Issue 19: eight administrators' requests enrolling one new address at the same moment gave
four server errors (the unique index on e-mail refused the second account). Real requests,
each on its own database connection, made to meet inside the database (see
``tests/faults/concurrency``): one creates and enrols the person, every other is told they are
already enrolled, and there is one account, one enrolment and one invitation."""

import pytest
from django.test import Client
from django.urls import reverse

from cohorts.models import Enrolment
from leadership.models import AuditEvent, Notification, User
from tests.faults.concurrency import at_once

REQUESTS = 8


@pytest.mark.django_db(transaction=True)
def test_one_new_address_enrolled_by_many_requests_at_once_gets_one_account(cohort, administrator):
    url = reverse("cohorts:enrolment_create", args=[cohort.pk])
    form = {
        "email": "Tane.Mahuta@example.org",
        "role": Enrolment.Role.PARTICIPANT,
        "first_name": "Tāne",
        "last_name": "Mahuta",
        "profession": "nurse",
    }

    def request():
        client = Client()
        client.force_login(administrator)
        return lambda: client.post(url, form)

    responses = at_once("cohorts_cohort", cohort.pk, *(request() for _ in range(REQUESTS)))

    # A request that failed outright shows as its exception's name (the test client re-raises).
    statuses = sorted(str(getattr(r, "status_code", type(r).__name__)) for r in responses)
    assert statuses == ["200"] * (REQUESTS - 1) + ["302"], responses
    for response in responses:
        if response.status_code == 200:
            assert "Tāne Mahuta is already in Cohort 3 as participant." in response.content.decode()
    person = User.objects.get(email="tane.mahuta@example.org")
    assert Enrolment.objects.filter(cohort=cohort, person=person).count() == 1
    assert Notification.objects.filter(recipient=person, kind="invitation").count() == 1
    assert AuditEvent.objects.filter(action="person.create", person_id=person.pk).count() == 1
