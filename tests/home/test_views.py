"""The start pages: "/" sends each person to the page of their most senior role; faculty and
participants find their cohorts there, and the menu offers each role's pages."""

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "start_page"),
    [
        ("administrator", "home:office_home"),
        ("clinical_leader", "home:leader_home"),
        ("faculty", "home:faculty_home"),
        ("participant", "home:participant_home"),
    ],
)
def test_home_sends_each_role_to_its_start_page(client, personas, persona, start_page):
    client.force_login(personas[persona])
    response = client.get(reverse("home"))
    assert response.url == reverse(start_page)
    assert client.get(response.url).status_code == 200


def test_someone_with_no_role_is_welcomed_and_told_so(client, django_user_model):
    user = django_user_model.objects.create_user("nobody@example.org", PASSWORD, first_name="N")
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "not enrolled in any cohort" in response.content.decode()


def test_faculty_see_the_cohorts_they_teach_and_no_other(client, faculty, cohort, other_cohort):
    client.force_login(faculty)
    page = client.get(reverse("home:faculty_home")).content.decode()
    assert reverse("cohorts:cohort_people", args=[cohort.pk]) in page
    assert reverse("cohorts:cohort_people", args=[other_cohort.pk]) not in page


def test_a_participant_sees_their_programme(client, participant, cohort, other_cohort):
    client.force_login(participant)
    page = client.get(reverse("home:participant_home")).content.decode()
    assert "Your programme" in page
    assert reverse("cohorts:cohort_people", args=[cohort.pk]) in page
    assert reverse("cohorts:cohort_people", args=[other_cohort.pk]) not in page


def test_the_menu_offers_a_participant_their_pages_and_no_one_elses(client, participant):
    client.force_login(participant)
    page = client.get(reverse("home:participant_home")).content.decode()
    for name in ("home:participant_home", "reports:my_documents", "modules:my_schedule"):
        assert f'href="{reverse(name)}"' in page
    for name in ("cohorts:cohort_list", "home:leader_home", "home:faculty_home"):
        assert f'href="{reverse(name)}"' not in page
