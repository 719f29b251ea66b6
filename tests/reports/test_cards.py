"""The cohort page's cards: loaded after the page, each at a fixed number of queries."""

import pytest
from django.urls import reverse

from modules.models import Attendance
from reports.cards import CARDS
from tests.modules.helpers import add_attended_sessions


def test_the_cohort_page_offers_every_card_with_a_link_that_works_without_javascript(
    client, administrator, cohort
):
    client.force_login(administrator)
    page = client.get(reverse("cohorts:cohort_detail", args=[cohort.pk])).content.decode()
    for name in CARDS:
        url = reverse("reports:cohort_card", args=[cohort.pk, name])
        assert f'hx-get="{url}"' in page
        assert f'href="{url}"' in page


# Every card: session, user, the cohort with the viewer's roles, the viewer's roles across
# cohorts (which links to show) — then its own selector's queries: schedule (modules,
# sessions), attendance (participants, counted sessions, sign-ups, attendance rows; the
# registers not taken), pairings
# (pairing counts by status, shadowing count), teams (teams, participants, memberships,
# assignments past due; their extensions and submissions only when some are past due —
# tests/redesign_projects measures that case).
CARD_QUERIES = {"schedule": 4 + 2, "attendance": 4 + 5, "pairings": 4 + 2, "teams": 4 + 4}


def test_every_card_has_a_measured_query_count():
    assert set(CARD_QUERIES) == set(CARDS)


@pytest.mark.parametrize("name", sorted(CARD_QUERIES))
@pytest.mark.parametrize(("participants", "sessions"), [(3, 2), (30, 8)])
def test_each_card_costs_the_same_queries_for_a_small_and_a_large_cohort(
    client, administrator, cohort, name, participants, sessions, django_assert_num_queries
):
    add_attended_sessions(cohort, participants, sessions)
    client.force_login(administrator)
    url = reverse("reports:cohort_card", args=[cohort.pk, name])
    with django_assert_num_queries(CARD_QUERIES[name]):
        response = client.get(url)
    assert response.status_code == 200
    assert CARDS[name].title in response.content.decode()


def test_the_attendance_card_shows_each_participants_rate(client, administrator, cohort):
    people = add_attended_sessions(cohort, 2, 4)
    Attendance.objects.filter(person=people[0]).order_by("session__starts_at").first().delete()
    client.force_login(administrator)
    html = client.get(reverse("reports:cohort_card", args=[cohort.pk, "attendance"])).content
    text = html.decode()
    assert str(people[0]) in text and "75%" in text
    assert str(people[1]) in text and "100%" in text


def test_an_unknown_card_is_not_found(client, administrator, cohort):
    client.force_login(administrator)
    url = reverse("reports:cohort_card", args=[cohort.pk, "gossip"])
    assert client.get(url).status_code == 404
