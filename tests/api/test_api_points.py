"""POSTing a batch of points: all or none, idempotent, through the measures' own import."""

import json

import pytest
from django.urls import reverse

from leadership.models import AuditEvent
from measures.models import DataPoint
from tests.api.helpers import bearer, make_measure, make_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def measure(cohort, participant):
    return make_measure(cohort, participant, points=3)


@pytest.fixture
def writer(administrator, programme):
    return make_token(administrator, programme, scope="write_points")


def _post(client, measure, raw, body, *, content_type="application/json", **headers):
    data = json.dumps(body) if content_type == "application/json" else body
    return client.post(
        reverse("api:points_create", args=[measure.pk]),
        data,
        content_type=content_type,
        **bearer(raw),
        **headers,
    )


BATCH = {"points": [{"period": f"2024-{m:02d}-01", "value": 7 + m} for m in range(4, 13)]}


def test_a_batch_is_saved_and_the_answer_carries_the_updated_analysis(
    client, measure, writer, administrator
):
    response = _post(client, measure, writer[1], BATCH)

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["created"], body["unchanged"]) == (9, 0)
    assert len(body["measure"]["points"]) == 12
    assert body["measure"]["analysis"]["kind"] == "run"
    assert {s["rule"] for s in body["measure"]["analysis"]["signals"]}  # a rising trend
    assert measure.datapoints.count() == 12
    event = AuditEvent.objects.get(action="datapoint.import")
    assert event.actor == administrator
    assert event.changes["count"] == 9
    assert AuditEvent.objects.filter(action="api_token.use").count() == 1
    batch = AuditEvent.objects.get(action="api_points.receive")
    assert batch.changes == {"token": writer[0].prefix, "created": 9, "unchanged": 0,
                             "idempotency_key": ""}  # fmt: skip


def test_sending_the_same_batch_again_changes_nothing(client, measure, writer):
    _post(client, measure, writer[1], BATCH)
    response = _post(client, measure, writer[1], BATCH)

    assert response.status_code == 200
    assert (response.json()["created"], response.json()["unchanged"]) == (0, 9)
    assert measure.datapoints.count() == 12
    assert AuditEvent.objects.filter(action="datapoint.import").count() == 1


def test_an_idempotency_key_replays_the_first_answer(client, measure, writer):
    first = _post(client, measure, writer[1], BATCH, HTTP_IDEMPOTENCY_KEY="run-42")
    again = _post(client, measure, writer[1], BATCH, HTTP_IDEMPOTENCY_KEY="run-42")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert measure.datapoints.count() == 12


def test_an_idempotency_key_reused_for_another_batch_is_a_409(client, measure, writer):
    _post(client, measure, writer[1], BATCH, HTTP_IDEMPOTENCY_KEY="run-42")
    other = {"points": [{"period": "2025-01-01", "value": 1}]}
    response = _post(client, measure, writer[1], other, HTTP_IDEMPOTENCY_KEY="run-42")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert not measure.datapoints.filter(period="2025-01-01").exists()


def test_one_bad_row_rejects_the_whole_batch_with_each_rows_errors(client, measure, writer):
    bad = {"points": [
        {"period": "2024-04-01", "value": 5},
        {"period": "April", "value": 5},
        {"period": "2024-06-01", "value": "lots"},
        {"period": "2024-01-01", "value": 99},
    ]}  # fmt: skip

    response = _post(client, measure, writer[1], bad)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_batch"
    assert [row["row"] for row in error["rows"]] == [2, 3, 4]
    assert "not a date" in error["rows"][0]["errors"][0]
    assert "already a value for 2024-01-01" in error["rows"][2]["errors"][0]
    assert measure.datapoints.count() == 3


def test_a_csv_batch_is_read_by_the_same_rules(client, measure, writer):
    text = "period,value,annotation\n2024-04-01,8,new rota\n1/5/2024,9,\n"
    response = _post(client, measure, writer[1], text, content_type="text/csv")

    assert response.status_code == 201, response.content
    assert DataPoint.objects.get(measure=measure, period="2024-04-01").annotation == "new rota"
    assert measure.datapoints.filter(period="2024-05-01").exists()


def test_a_read_token_may_not_write(client, measure, administrator, programme):
    _, raw = make_token(administrator, programme)
    response = _post(client, measure, raw, BATCH)
    assert (response.status_code, response.json()["error"]["code"]) == (403, "read_only_token")
    assert measure.datapoints.count() == 3


def test_a_logged_in_person_cannot_post_points_without_a_token(client, measure, participant):
    client.force_login(participant)
    response = client.post(
        reverse("api:points_create", args=[measure.pk]), BATCH, content_type="application/json"
    )
    assert response.status_code == 401


def test_a_token_of_another_cohort_gets_404(
    client, measure, administrator, programme, other_cohort
):
    _, raw = make_token(administrator, programme, cohort=other_cohort, scope="write_points")
    assert _post(client, measure, raw, BATCH).status_code == 404


def test_a_batch_over_the_size_limit_is_a_413(client, settings, measure, writer):
    settings.API_MAX_BODY_BYTES = 100
    response = _post(client, measure, writer[1], BATCH)
    assert (response.status_code, response.json()["error"]["code"]) == (413, "too_large")


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ("<points/>", "application/xml", 415, "unsupported_media_type"),
        ("{not json", "application/json", 400, "bad_json"),
        ('{"points": 3}', "application/json", 400, "bad_json"),
    ],
)
def test_a_body_that_is_not_a_batch_says_why(
    client, measure, writer, body, content_type, status, code
):
    response = client.post(
        reverse("api:points_create", args=[measure.pk]), body, content_type=content_type,
        **bearer(writer[1]),
    )  # fmt: skip
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)


def test_more_than_a_thousand_rows_is_refused(client, measure, writer):
    rows = [{"period": f"{1900 + n // 12}-{n % 12 + 1:02d}-01", "value": 1} for n in range(1001)]
    response = _post(client, measure, writer[1], {"points": rows})
    assert response.status_code == 422
    assert "At most 1000 rows" in response.json()["error"]["errors"][0]
