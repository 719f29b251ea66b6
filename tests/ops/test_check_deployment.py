"""``manage.py check_deployment`` against a good configuration (the test database, Redis and
a moto bucket) and a bad one (wrong database port, Redis not there, a bucket that does not
exist, variables missing): it says plainly what is wrong and exits non-zero."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.local_servers import free_port

from .conftest import keys_in, s3_environment

ROOT = Path(__file__).resolve().parents[2]


def _database_url(port=None, password="db-pa55word") -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{password}@{db['HOST']}:{port or db['PORT']}/{db['NAME']}"


def _start(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "check_deployment", "--no-color"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _base() -> dict:
    return {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "leadership.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": "k" * 50,
        "ALLOWED_HOSTS": "leadership.example.org",
        "PRIVATE_MEDIA_ROOT": "/nonexistent/never-used",
    }


@pytest.mark.django_db(transaction=True)
def test_it_passes_a_good_deployment_and_names_each_problem_of_a_bad_one(s3_endpoint, s3_bucket):
    good = {
        **_base(),
        **s3_environment(s3_endpoint, s3_bucket),
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
        "EMAIL_URL": "smtp://mail.example.org:587",
        "SITE_URL": "https://leadership.example.org",
    }
    dead_redis = f"redis://:redis-pa55word@127.0.0.1:{free_port()}/0"
    bad = {
        **_base(),
        **s3_environment(s3_endpoint, "no-such-bucket"),
        "DATABASE_URL": _database_url(port=free_port()),
        "CELERY_BROKER_URL": dead_redis,
    }
    running = {"good": _start(good), "bad": _start(bad)}
    results = {name: process.communicate(timeout=90) for name, process in running.items()}

    out, err = results["good"]
    assert running["good"].returncode == 0, out + err
    assert "FAIL" not in out
    for name in ("database", "redis (broker)", "redis (results)", "storage"):
        assert f"ok    {name}: " in out, out
    assert "all migrations applied" in out
    assert f"wrote, read and deleted a probe file in bucket {s3_bucket}" in out
    assert "warn  SENTRY_DSN" in out
    assert keys_in(s3_endpoint, s3_bucket) == set()  # the probe is gone

    out, err = results["bad"]
    assert running["bad"].returncode == 1
    report = out + err
    assert "FAIL  database: cannot connect: OperationalError" in report
    assert "FAIL  redis (broker, results): cannot reach redis://:***@127.0.0.1:" in report
    assert "FAIL  storage: bucket no-such-bucket is not writable: NoSuchBucket" in report
    assert "FAIL  EMAIL_URL: is not set" in report
    assert "FAIL  SITE_URL: is http://127.0.0.1:8000" in report
    assert "problems found: EMAIL_URL, SITE_URL, database, redis (broker, results), storage" in err
    for secret in ("db-pa55word", "redis-pa55word", "ops-test-secret"):
        assert secret not in report
