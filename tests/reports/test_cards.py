"""The cohort page's cards: the small ones drawn in the page, the others loaded after it, each
at a fixed number of queries."""

import pytest
from django.urls import reverse

from modules.models import Attendance
from reports.cards import CARDS, PAGE_CARDS
from tests.modules.helpers import add_attended_sessions


def test_the_cohort_page_draws_small_cards_and_links_the_others_for_use_without_javascript(
    client, administrator, cohort
):
    client.force_login(administrator)
    page = client.get(reverse("cohorts:cohort_detail", args=[cohort.pk])).content.decode()
    for name, card in PAGE_CARDS.items():
        url = reverse("reports:cohort_card", args=[cohort.pk, name])
        assert (f'hx-get="{url}"' in page) is card.lazy, name
        assert (f'href="{url}"' in page) is card.lazy, name
        assert card.title in page
    # Drawn in the page: the schedule's, the teams' and the pairings' own words.
    assert "No schedule yet." in page and "No pairs yet." in page and "No teams yet." in page
    assert set(CARDS) == {"attendance"}


# Every card loaded on its own: the session with its person, the cohort with the viewer's roles in
# it and everywhere — then its own selector's queries: attendance (one statement: the held
# sessions, counted or with their register not taken, the participants, the sign-ups to the
# counted sessions and the attendance rows at them; four before, built through the ORM, and
# five before that, when the counted sessions and the registers not taken were read apart).
CARD_QUERIES = {"attendance": 2 + 1}


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
