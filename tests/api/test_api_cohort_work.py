"""Sessions, attendance, assignments and pairs: the pages' figures, in a fixed number of
queries whatever the size of the cohort."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.api.helpers import bearer, make_token
from tests.modules.helpers import add_attended_sessions
from tests.pairings.helpers import enrol, manager_in, pair
from tests.redesign_projects.helpers import make_assignment, make_team, submit

pytestmark = pytest.mark.django_db


def _get(client, url, raw):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **bearer(raw))
    assert response.status_code == 200, response.content
    return response.json(), len(queries)


def test_sessions_and_attendance_count_the_same_queries_for_a_small_and_a_large_cohort(
    client, administrator, programme, cohort
):
    _, raw = make_token(administrator, programme)
    add_attended_sessions(cohort, participants=2, sessions=2)
    small_sessions, small_session_queries = _get(client, f"/api/cohorts/{cohort.pk}/sessions/", raw)
    small, small_queries = _get(client, f"/api/cohorts/{cohort.pk}/attendance/", raw)
    add_attended_sessions(cohort, participants=20, sessions=8)
    large_sessions, large_session_queries = _get(
        client, f"/api/cohorts/{cohort.pk}/sessions/?limit=3", raw
    )
    large, large_queries = _get(client, f"/api/cohorts/{cohort.pk}/attendance/", raw)

    assert len(small_sessions["items"]) == 2
    assert len(large_sessions["items"]) == 3
    assert large_sessions["next"]
    assert small_sessions["items"][0]["expected_count"] == 2
    assert {(row["attended"], row["rate"]) for row in small["items"]} == {(2, 1.0)}
    assert len(large["items"]) == 22
    # Token, administrator, counted use, audit; the cohort with the caller's roles; then the
    # schedule's modules, sessions, facilitators and participant count.
    assert small_session_queries == large_session_queries == 9
    # The same first five; then participants, held sessions, sign-ups, attendance.
    assert small_queries == large_queries == 9


def test_assignments_carry_each_teams_submission_status(
    client, administrator, programme, cohort, participant
):
    team = make_team(cohort, lead=participant, name="Flow team")
    assignment = make_assignment(cohort)
    submit(assignment, by=participant, team=team)
    _, raw = make_token(administrator, programme)

    body, _ = _get(client, reverse("api:assignment_list", args=[cohort.pk]), raw)

    (item,) = body["items"]
    assert item["id"] == assignment.pk
    assert item["teams"] == [
        {"team_id": team.pk, "status": "submitted", "due_at": item["teams"][0]["due_at"]}
    ]


def test_pairs_are_listed_with_their_members(client, administrator, programme, cohort):
    clinician = enrol(cohort, first_name="Hana", last_name="<b>Ngata</b>")
    manager = manager_in(cohort, first_name="Tom", last_name="Reid")
    pairing = pair(cohort, clinician, manager)
    _, raw = make_token(administrator, programme)

    body, _ = _get(client, reverse("api:pair_list", args=[cohort.pk]), raw)

    (item,) = body["items"]
    assert (item["id"], item["clinician_id"], item["manager_id"]) == (
        pairing.pk, clinician.pk, manager.pk,
    )  # fmt: skip
    assert item["clinician_name"] == "Hana <b>Ngata</b>"  # JSON carries text as typed
    assert item["status"] == "active"
