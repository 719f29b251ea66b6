"""The read endpoints: the pages' access, cursor pages, ETags, filters, the measures' analysis
and a fixed number of queries whatever the page size."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures import services as measure_services
from measures.selectors import chart_for, get_measure_for_user
from tests.api.helpers import bearer, make_measure, make_token
from tests.factories import CohortFactory, EnrolmentFactory
from tests.pairings.helpers import enrol, manager_in, pair
from tests.redesign_projects.helpers import make_assignment

pytestmark = pytest.mark.django_db


def _all_pages(client, url, **headers):
    items, pages = [], 0
    while url:
        body = client.get(url, **headers).json()
        items += body["items"]
        url = body["next"]
        pages += 1
    return items, pages


def test_cohorts_come_in_cursor_pages_that_together_list_each_once(
    client, administrator, programme, cohort, other_cohort
):
    more = [CohortFactory(programme=programme, name=f"Cohort {n}") for n in range(5, 8)]
    _, raw = make_token(administrator, programme)

    items, pages = _all_pages(client, reverse("api:cohort_list") + "?limit=2", **bearer(raw))

    assert [c["id"] for c in items] == sorted([cohort.pk, other_cohort.pk, *(c.pk for c in more)])
    assert pages == 3


def test_cohorts_filter_by_start_date(client, administrator, programme, cohort, other_cohort):
    cohort.starts_on, other_cohort.starts_on = datetime.date(2025, 2, 1), datetime.date(2026, 2, 1)
    cohort.save(), other_cohort.save()
    _, raw = make_token(administrator, programme)
    url = reverse("api:cohort_list") + "?starts_from=2026-01-01"
    assert [c["id"] for c in client.get(url, **bearer(raw)).json()["items"]] == [other_cohort.pk]
    bad = client.get(reverse("api:cohort_list") + "?starts_from=soon", **bearer(raw))
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "bad_date")


@pytest.mark.parametrize(
    ("query", "code"), [("cursor=%25%25", "bad_cursor"), ("limit=0", "bad_limit")]
)
def test_a_bad_cursor_or_limit_is_a_400_that_says_which(client, participant, query, code):
    client.force_login(participant)
    response = client.get(reverse("api:cohort_list") + "?" + query)
    assert (response.status_code, response.json()["error"]["code"]) == (400, code)


def test_a_list_answers_304_to_its_own_etag_and_200_once_it_changed(
    client, administrator, programme, cohort
):
    _, raw = make_token(administrator, programme)
    url = reverse("api:enrolment_list", args=[cohort.pk])
    first = client.get(url, **bearer(raw))
    etag = first["ETag"]

    again = client.get(url, HTTP_IF_NONE_MATCH=etag, **bearer(raw))
    EnrolmentFactory(cohort=cohort)
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag, **bearer(raw))

    assert again.status_code == 304
    assert again.content == b""
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_a_measure_comes_with_the_same_analysis_as_its_chart(client, cohort, participant):
    measure = make_measure(cohort, participant, points=20)
    client.force_login(participant)

    body = client.get(reverse("api:measure_detail", args=[measure.pk])).json()

    chart = chart_for(get_measure_for_user(participant, measure.pk)[0])
    segment = chart.analysis.segments[-1]
    analysis = body["analysis"]
    assert len(body["points"]) == 20
    assert analysis["kind"] == "xmr"
    assert analysis["headline"] == chart.summary
    assert analysis["centre_line"] == pytest.approx(segment.mean)
    assert analysis["segments"][-1]["upper_limit"] == pytest.approx(segment.upper)
    assert analysis["segments"][-1]["lower_limit"] == pytest.approx(segment.lower)
    assert [s["description"] for s in analysis["signals"]] == chart.signal_labels
    assert analysis["rules"] == chart.rules


def test_a_measure_with_few_points_has_a_run_chart_median_and_none_without_points(
    client, cohort, participant
):
    few = make_measure(cohort, participant, points=5)
    client.force_login(participant)
    analysis = client.get(reverse("api:measure_detail", args=[few.pk])).json()["analysis"]
    assert analysis["kind"] == "run"
    assert analysis["centre_line"] == 6.0
    assert analysis["segments"] == []


def test_points_filter_by_date_while_the_analysis_keeps_them_all(client, cohort, participant):
    measure = make_measure(cohort, participant, points=20)
    client.force_login(participant)
    url = reverse("api:measure_list", args=[cohort.pk]) + "?since=2025-01-01&until=2025-03-01"

    (item,) = client.get(url).json()["items"]

    assert [p["period"] for p in item["points"]] == ["2025-01-01", "2025-02-01", "2025-03-01"]
    assert item["id"] == measure.pk
    assert item["analysis"]["kind"] == "xmr"


def test_a_participant_of_another_cohort_gets_404_for_a_measure(
    client, cohort, participant, other_participant
):
    measure = make_measure(cohort, participant, points=3)
    client.force_login(other_participant)
    response = client.get(reverse("api:measure_detail", args=[measure.pk]))
    assert response.status_code == 404
    assert "Length of stay" not in response.content.decode()


def _queries(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, **headers).status_code == 200
    return len(queries)


def test_the_enrolment_list_runs_the_same_queries_for_5_or_200_people(
    client, administrator, programme, cohort
):
    _, raw = make_token(administrator, programme)
    url = reverse("api:enrolment_list", args=[cohort.pk])
    EnrolmentFactory.create_batch(5, cohort=cohort)
    few = _queries(client, url + "?limit=500", **bearer(raw))
    EnrolmentFactory.create_batch(195, cohort=cohort)
    many = _queries(client, url + "?limit=500", **bearer(raw))
    # The token with its creator; is the creator still the programme's administrator; the
    # use counted against the rate limit (one UPDATE); its audit event; the cohort with the
    # caller's roles; the enrolments with their people.
    assert few == many == 6


def test_the_measure_list_runs_the_same_queries_for_2_or_12_measures(
    client, administrator, programme, cohort, participant
):
    _, raw = make_token(administrator, programme)
    url = reverse("api:measure_list", args=[cohort.pk])
    team = make_measure(cohort, participant, points=16, name="M0").team
    make_measure(cohort, participant, points=16, name="M1", team=team)
    few = _queries(client, url, **bearer(raw))
    for number in range(2, 12):
        make_measure(cohort, participant, points=16, name=f"M{number}", team=team)
    many = _queries(client, url + "?limit=5", **bearer(raw))
    # As the enrolments' first four (token, administrator, rate limit, audit), the cohort with
    # the caller's roles, the teams; then the measures with their owners and rule set, their
    # points, rebases and PDSA cycles.
    assert few == many == 10


# Each list: its own queries after the token's four (token with creator, administrator check,
# counted use, audit event), whatever the page size; and whether it is a cohort's.
LIST_QUERIES = {
    "api:programme_list": (1, False),  # the programmes
    "api:cohort_list": (1, False),  # the cohorts with their programme
    "api:enrolment_list": (2, True),  # the cohort with the caller's roles; the enrolments
    "api:team_list": (2, True),  # the cohort; the teams with counts
    "api:pdsa_list": (3, True),  # the cohort; the teams; the cycles
    "api:assignment_list": (6, True),  # the cohort; the assignments overview's five
    "api:pair_list": (2, True),  # the cohort; the pairs with their members and counts
}


@pytest.mark.parametrize("name", sorted(LIST_QUERIES))
def test_each_list_runs_the_same_queries_for_a_page_of_one_or_of_all(
    client, administrator, programme, cohort, participant, name
):
    measure = make_measure(cohort, participant, points=2)
    for n in range(3):
        measure_services.pdsa_cycle_create(
            team=measure.team, measure=measure, change_idea=f"Idea {n}",
            started_on=datetime.date(2024, 6, n + 1), acting_user=None,
        )  # fmt: skip
        pair(cohort, enrol(cohort), manager_in(cohort))
        make_assignment(cohort, title=f"Assignment {n}")
    EnrolmentFactory.create_batch(3, cohort=cohort)
    CohortFactory(programme=programme, name="Cohort 9")
    _, raw = make_token(administrator, programme)
    own, of_cohort = LIST_QUERIES[name]
    url = reverse(name, kwargs={"cohort_id": cohort.pk} if of_cohort else {})

    one = _queries(client, url + "?limit=1", **bearer(raw))
    every = _queries(client, url + "?limit=500", **bearer(raw))

    assert one == every == 4 + own
