"""The stack is the real one: PostgreSQL for data, Redis and a worker for tasks."""

import pytest
from django.conf import settings
from django.db import connection

from leadership.celery import app
from leadership.models import TaskHeartbeat
from leadership.tasks import heartbeat


def test_the_tests_run_on_postgresql(db):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("select version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


def test_tasks_use_redis_as_broker():
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True


@pytest.mark.django_db(transaction=True)
def test_a_task_goes_through_redis_to_a_real_worker_and_writes_a_row(celery_live_worker):
    result = heartbeat.delay("through the broker")
    assert app.conf.task_always_eager is False
    row_id = result.get(timeout=20)
    row = TaskHeartbeat.objects.get(pk=row_id)
    assert row.label == "through the broker"
    # Only a real worker sets a hostname on the request; eager execution leaves it empty.
    assert row.worker_hostname
