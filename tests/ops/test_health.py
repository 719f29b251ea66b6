"""Health endpoints: liveness touches nothing; readiness checks the database, Redis and the
file storage and says only ok/failing per check; both answer a load balancer's probe."""

import logging

import pytest

from tests.local_servers import free_port

LIVE = "/health/live/"
READY = "/health/ready/"


def test_liveness_answers_without_touching_the_database(client):
    # No django_db mark: any query would raise "Database access not allowed".
    response = client.get(LIVE)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readiness_is_ok_when_database_redis_and_storage_answer(client):
    response = client.get(READY)
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok", "storage": "ok"},
    }


@pytest.mark.django_db
def test_readiness_fails_when_redis_does_not_answer_and_says_no_more(client, settings, caplog):
    dead = f"redis://:s3cret-password@127.0.0.1:{free_port()}/0"
    settings.CELERY_BROKER_URL = dead
    with caplog.at_level(logging.WARNING, logger="leadership.health"):
        response = client.get(READY)
    assert response.status_code == 503
    assert response.json() == {
        "status": "failing",
        "checks": {"database": "ok", "redis": "failing", "storage": "ok"},
    }
    assert b"127.0.0.1" not in response.content
    # The reason is for the operators' log — without the password.
    assert "readiness check redis failing" in caplog.text
    assert "s3cret-password" not in caplog.text


@pytest.mark.django_db
def test_readiness_fails_when_the_bucket_is_missing(client, settings, s3_storage, s3_endpoint):
    from .conftest import s3_client

    s3_client(s3_endpoint).delete_bucket(Bucket=s3_storage)
    response = client.get(READY)
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "failing"


@pytest.mark.django_db
def test_readiness_is_ok_with_the_bucket_in_place(client, s3_storage):
    assert client.get(READY).json()["checks"]["storage"] == "ok"


@pytest.mark.django_db
def test_probes_by_address_over_http_are_answered_in_production(client, settings):
    """A load balancer probes each host's own address over plain HTTP: neither the host check
    nor the HTTPS redirect may turn that into a 400 or a 301."""
    settings.ALLOWED_HOSTS = ["leadership.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    for path in (LIVE, READY):
        assert client.get(path, HTTP_HOST="10.0.3.7:8000").status_code == 200
    assert client.get("/accounts/login/", HTTP_HOST="10.0.3.7:8000").status_code == 400
    assert client.get("/accounts/login/", HTTP_HOST="leadership.example.org").status_code == 301


def test_only_get_and_head_are_answered(client):
    assert client.head(LIVE).status_code == 200
    response = client.post(LIVE)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
