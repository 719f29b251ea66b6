"""The cohort page's cards: loaded after the page, each at a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse

from cohorts.cards import CARDS
from modules.models import Attendance
from tests.modules.helpers import add_participants, make_module, make_session


def _grow(cohort, participants: int, sessions: int):
    people = add_participants(cohort, participants, prefix=f"g{participants}")
    module = make_module(cohort, position=1 + cohort.modules.count())
    start = datetime.date.today() - datetime.timedelta(days=sessions + 1)
    for n in range(sessions):
        session = make_session(module, start + datetime.timedelta(days=n))
        Attendance.objects.bulk_create(
            Attendance(session=session, person=p, status="present") for p in people
        )
    return people


def test_the_cohort_page_offers_every_card_with_a_link_that_works_without_javascript(
    client, administrator, cohort
):
    client.force_login(administrator)
    page = client.get(reverse("cohorts:cohort_detail", args=[cohort.pk])).content.decode()
    for name in CARDS:
        url = reverse("cohorts:cohort_card", args=[cohort.pk, name])
        assert f'hx-get="{url}"' in page
        assert f'href="{url}"' in page


# Every card: session, user, the cohort with the viewer's roles, the viewer's roles across
# cohorts (which links to show) — then its own selector's queries: schedule (modules,
# sessions), attendance (participants, held sessions, attendance counts, apologies), pairings
# (pairing counts by status, shadowing count), teams (teams, participants, memberships,
# assignments past due; their extensions and submissions only when some are past due —
# tests/redesign_projects measures that case).
CARD_QUERIES = {"schedule": 4 + 2, "attendance": 4 + 4, "pairings": 4 + 2, "teams": 4 + 4}


def test_every_card_has_a_measured_query_count():
    assert set(CARD_QUERIES) == set(CARDS)


@pytest.mark.parametrize("name", sorted(CARD_QUERIES))
@pytest.mark.parametrize(("participants", "sessions"), [(3, 2), (30, 8)])
def test_each_card_costs_the_same_queries_for_a_small_and_a_large_cohort(
    client, administrator, cohort, name, participants, sessions, django_assert_num_queries
):
    _grow(cohort, participants, sessions)
    client.force_login(administrator)
    url = reverse("cohorts:cohort_card", args=[cohort.pk, name])
    with django_assert_num_queries(CARD_QUERIES[name]):
        response = client.get(url)
    assert response.status_code == 200
    assert CARDS[name].title in response.content.decode()


def test_the_attendance_card_shows_each_participants_rate(client, administrator, cohort):
    people = _grow(cohort, 2, 4)
    Attendance.objects.filter(person=people[0]).order_by("session__starts_at").first().delete()
    client.force_login(administrator)
    html = client.get(reverse("cohorts:cohort_card", args=[cohort.pk, "attendance"])).content
    text = html.decode()
    assert str(people[0]) in text and "75%" in text
    assert str(people[1]) in text and "100%" in text


def test_an_unknown_card_is_not_found(client, administrator, cohort):
    client.force_login(administrator)
    url = reverse("cohorts:cohort_card", args=[cohort.pk, "gossip"])
    assert client.get(url).status_code == 404


def test_creating_a_cohort_lays_out_its_schedule_from_the_programme(client, administrator):
    from cohorts.models import Cohort, Programme
    from modules.services import programme_models_install

    programme_models_install()
    programme = Programme.objects.get(slug="enhanced-care-management")
    programme.administrators.add(administrator)
    client.force_login(administrator)
    starts = datetime.date.today() + datetime.timedelta(days=60)
    response = client.post(
        reverse("modules:cohort_create"),
        {
            "programme": programme.pk,
            "name": "Cohort 9",
            "starts_on": starts.isoformat(),
            "capacity": 40,
            "time_zone": "Pacific/Auckland",
            "holiday_region": "NZ-AUK",
            "venue_name": "",
            "venue_address": "",
            "sponsor_emails": "",
        },
        follow=True,
    )
    cohort = Cohort.objects.get(name="Cohort 9")
    assert cohort.modules.count() == programme.module_templates.count()
    sessions = sum(m.sessions.count() for m in cohort.modules.all())
    assert f"Scheduled {cohort.modules.count()} modules in {sessions} sessions." in [
        str(m) for m in response.context["messages"]
    ]


def test_a_participants_page_shows_their_attendance_against_the_rule(client, administrator, cohort):
    people = _grow(cohort, 1, 4)
    Attendance.objects.filter(person=people[0]).order_by("session__starts_at").first().delete()
    client.force_login(administrator)
    page = client.get(reverse("cohorts:person_detail", args=[cohort.pk, people[0].pk]))
    text = page.content.decode()
    assert "Attendance in Cohort 3" in text
    assert "75%" in text
