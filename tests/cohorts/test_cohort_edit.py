"""Editing a cohort's details: saved and audited; bad input next to its field; a save made
from a form someone else has saved over since is refused (the concurrent case is in
tests/faults/test_concurrent_edits.py)."""

from django.urls import reverse

from cohorts.models import Cohort
from leadership.models import AuditEvent
from tests.factories import CohortFactory, EnrolmentFactory


def _form(cohort, **changes):
    return {
        "version": cohort.version,
        "name": cohort.name,
        "capacity": cohort.capacity,
        "venue_name": cohort.venue_name,
        "venue_address": cohort.venue_address,
        **changes,
    }


def test_an_administrator_changes_the_details_and_it_is_audited(client, administrator, cohort):
    client.force_login(administrator)
    url = reverse("cohorts:cohort_edit", args=[cohort.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["version"].value() == 1

    response = client.post(url, _form(cohort, capacity=24, venue_name="Marae"))

    assert response.status_code == 302
    cohort.refresh_from_db()
    assert (cohort.capacity, cohort.venue_name, cohort.version) == (24, "Marae", 2)
    event = AuditEvent.objects.get(action="cohort.update")
    assert event.actor == administrator
    assert event.changes["capacity"] == ["50", "24"]


def test_the_capacity_cannot_drop_below_the_participants_enrolled(client, administrator, cohort):
    for _ in range(3):
        EnrolmentFactory(cohort=cohort)
    client.force_login(administrator)
    response = client.post(
        reverse("cohorts:cohort_edit", args=[cohort.pk]), _form(cohort, capacity=2)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["capacity"] == [
        "3 participants are enrolled already: the capacity cannot be less than 3."
    ]
    assert Cohort.objects.get(pk=cohort.pk).capacity == 50


def test_a_name_another_cohort_of_the_programme_has_is_refused(client, administrator, cohort):
    CohortFactory(programme=cohort.programme, name="Cohort 4")
    client.force_login(administrator)
    response = client.post(
        reverse("cohorts:cohort_edit", args=[cohort.pk]), _form(cohort, name="Cohort 4")
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Cohort.objects.get(pk=cohort.pk).name == "Cohort 3"


def test_a_form_saved_over_since_it_was_opened_is_refused_then_saved_knowingly(
    client, administrator, cohort
):
    client.force_login(administrator)
    url = reverse("cohorts:cohort_edit", args=[cohort.pk])
    stale = _form(cohort, venue_name="Room A")
    assert client.post(url, _form(cohort, venue_name="Room B")).status_code == 302

    refused = client.post(url, stale)

    assert refused.status_code == 200
    assert "now “Room B”" in refused.context["form"].non_field_errors()[0]
    assert Cohort.objects.get(pk=cohort.pk).venue_name == "Room B"
    resubmitted = {
        name: refused.context["form"][name].value() for name in ("version", "name", "capacity")
    }
    again = client.post(url, {**stale, **resubmitted})
    assert again.status_code == 302
    assert Cohort.objects.get(pk=cohort.pk).venue_name == "Room A"
