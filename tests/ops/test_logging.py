"""Structured logs: one JSON line per request and per task, with the same request id from a
request to the tasks it queued, and nothing secret or personal in them."""

import io
import json
import logging
import re
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.urls import reverse

from leadership.logging_json import ContextFilter, JsonFormatter
from leadership.notifications import preference_token

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def json_lines():
    """Everything logged at INFO and above while inside, as the production formatter writes
    it: yields a function that parses the lines written so far."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.INFO)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def _by(lines, logger):
    return [line for line in lines if line["logger"] == logger]


@pytest.mark.django_db
def test_a_request_writes_one_json_line_with_its_id_user_path_status_and_duration(
    client, cohort, administrator
):
    client.force_login(administrator)
    url = reverse("cohorts:cohort_detail", args=[cohort.pk])
    with json_lines() as read:
        response = client.get(url, headers={"X-Request-ID": "lb-4f3a9c2e-0001"})
    assert response.status_code == 200
    assert response["X-Request-ID"] == "lb-4f3a9c2e-0001"
    lines = read()
    [line] = _by(lines, "leadership.request")
    assert line["request_id"] == "lb-4f3a9c2e-0001"
    assert line["user_id"] == administrator.pk
    assert (line["method"], line["path"], line["status"]) == ("GET", url, 200)
    assert line["route"] == "cohorts/<int:cohort_id>/"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "offered", ["short", "a b c d e f g h", "x" * 200, "id\nFORGED log line", "<script>1</script>"]
)
def test_an_insane_request_id_is_replaced_by_a_new_one(client, offered):
    with json_lines() as read:
        response = client.get(reverse("account_login"), headers={"X-Request-ID": offered})
    given = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", given)
    lines = read()
    [line] = _by(lines, "leadership.request")
    assert line["request_id"] == given
    assert "user_id" not in line  # nobody logged in


@pytest.mark.django_db
def test_paths_holding_tokens_and_query_strings_are_not_logged(client, participant):
    token = preference_token(participant, "session_reminder")
    url = reverse("notification_preferences_link", args=[token])
    with json_lines() as read:
        client.get(url + "?email=participant%40example.org")
    lines = read()
    [line] = _by(lines, "leadership.request")
    assert line["path"] == "/notifications/stop/<token>/"
    written = json.dumps(lines)
    assert token not in written
    assert "participant" not in written


def test_the_request_id_travels_to_the_task_the_request_queued(
    client, cohort, clinical_leader, celery_live_worker
):
    client.force_login(clinical_leader)
    with json_lines() as read:
        response = client.post(
            reverse("reports:report_generate", args=[cohort.pk]),
            {"kind": "progress"},
            headers={"X-Request-ID": "journey-0000000042"},
        )
        assert response.status_code == 302
        deadline = time.monotonic() + 30
        while not _by(read(), "leadership.task"):
            assert time.monotonic() < deadline, "the worker never logged the task"
            time.sleep(0.05)
        lines = read()
    [request_line] = _by(lines, "leadership.request")
    [task_line] = _by(lines, "leadership.task")
    assert request_line["request_id"] == "journey-0000000042"
    assert task_line["request_id"] == "journey-0000000042"
    assert task_line["task_name"] == "cohorts.build_report"
    assert task_line["state"] == "SUCCESS"
    assert task_line["task_id"] and task_line["duration_ms"] > 0
    # The task's own log lines (if any) carry both ids too.
    for line in lines:
        if line.get("task_id"):
            assert line["request_id"] == "journey-0000000042"


def test_production_logs_are_json_and_development_logs_are_text(tmp_path):
    """The settings choose the format from DJANGO_ENV unless LOG_FORMAT says otherwise."""
    probe = (
        "import django, logging; django.setup();"
        "logging.getLogger('leadership.probe').warning('hello %s', 'there')"
    )
    base = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "leadership.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    production = {**base, "DJANGO_ENV": "production", "SECRET_KEY": "x" * 50}
    environments = {
        "production": production,
        "development": base,
        "production-text": {**production, "LOG_FORMAT": "text"},
    }
    running = {
        name: subprocess.Popen(
            [sys.executable, "-c", probe], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
        )
        for name, env in environments.items()
    }
    outputs = {}
    for name, process in running.items():
        _out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        outputs[name] = err.strip().splitlines()[-1]
    line = json.loads(outputs["production"])
    assert (line["level"], line["logger"], line["message"]) == (
        "WARNING",
        "leadership.probe",
        "hello there",
    )
    for name in ("development", "production-text"):
        assert outputs[name].endswith("WARNING leadership.probe [None] hello there")
