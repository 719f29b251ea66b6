"""Programmes from blank, as well as by copy."""

import pytest
from django.urls import reverse

from cohorts.models import Programme
from leadership.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = reverse("cohorts:programme_create")


def _data(**overrides) -> dict:
    return {
        "name": "Leading Primary Care",
        "description": "A year for practice leads.",
        "default_capacity": "30",
        "phases": "Foundations\nPractice",
        "completion_min_attendance_percent": "75",
        "email_greeting": "Kia ora",
        **overrides,
    }


def test_an_administrator_starts_a_programme_from_blank_and_then_adds_its_modules(
    client, administrator
):
    client.force_login(administrator)
    page = client.get(reverse("cohorts:programme_list")).content.decode()
    assert URL in page and "New programme" in page

    response = client.post(URL, _data())
    created = Programme.objects.get(name="Leading Primary Care")
    assert response["Location"] == reverse("modules:programme_edit", args=[created.pk])
    assert (created.slug, created.default_capacity, created.phases) == (
        "leading-primary-care",
        30,
        ["Foundations", "Practice"],
    )
    assert list(created.administrators.all()) == [administrator]
    assert not created.module_templates.exists()
    assert AuditEvent.objects.filter(action="programme.create", actor=administrator).count() == 1


def test_a_taken_name_is_refused_next_to_the_field_and_nothing_is_saved(
    client, administrator, programme
):
    client.force_login(administrator)
    before = Programme.objects.count()  # with the programme models the migrations install
    response = client.post(URL, _data(name=programme.name, completion_min_attendance_percent="140"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "name" in errors and "completion_min_attendance_percent" in errors
    assert Programme.objects.count() == before


def test_people_who_administer_nothing_do_not_find_the_page(client, participant):
    client.force_login(participant)
    assert client.get(URL).status_code == 404
    assert client.post(URL, _data()).status_code == 404
    assert not Programme.objects.filter(name="Leading Primary Care").exists()
