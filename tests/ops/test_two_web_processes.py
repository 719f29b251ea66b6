"""Done means: two web processes — two gunicorns on different loopback ports, as two hosts
behind a load balancer would run — share one database and one S3 bucket. A file uploaded
through one is downloaded through the other; someone who may not see it gets 404 there."""

import json
import os
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client

from redesign_projects.models import SubmissionFile
from tests.local_servers import free_port
from tests.redesign_projects.helpers import PDF_BYTES, make_assignment, make_team

from .conftest import keys_in, s3_environment

ROOT = Path(__file__).resolve().parents[2]


def _session_cookie(user) -> dict:
    """A logged-in session stored in the shared database, as a cookie for either process."""
    client = Client()
    client.force_login(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


class _HiddenInputs(HTMLParser):
    """The hidden fields a browser would send back with the page's form (the CSRF token and
    whatever else the form carries)."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") == "hidden" and attributes.get("name"):
            self.fields[attributes["name"]] = attributes.get("value") or ""


def _hidden_fields(html: str) -> dict[str, str]:
    parser = _HiddenInputs()
    parser.feed(html)
    return parser.fields


def _gunicorn(port: int, env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "leadership.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"),
    )  # fmt: skip


def _wait_until_ready(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            # The socket opens before the worker has loaded the app: the first answer waits.
            response = requests.get(f"{base}/health/ready/", timeout=30)
        except requests.ConnectionError:
            time.sleep(0.1)
            continue
        assert response.status_code == 200, response.text
        assert response.json()["checks"] == {"database": "ok", "storage": "ok"}
        return
    raise AssertionError(f"{base} never became ready: {log.read_text()[-3000:]}")


@pytest.mark.django_db(transaction=True)
def test_a_file_uploaded_through_one_web_process_downloads_through_the_other(
    tmp_path, s3_endpoint, s3_bucket, cohort, participant, other_participant
):
    make_team(cohort, lead=participant)
    assignment = make_assignment(cohort)
    db = connection.settings_dict
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "leadership.settings",
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "nothing-is-written-here"),
        "LOG_FORMAT": "json",
        **s3_environment(s3_endpoint, s3_bucket),
    }
    ports = [free_port(), free_port()]
    logs = [tmp_path / "web-a.log", tmp_path / "web-b.log"]
    processes = [_gunicorn(port, env, log) for port, log in zip(ports, logs, strict=True)]
    try:
        web_a, web_b = (f"http://127.0.0.1:{port}" for port in ports)
        for base, process, log in zip((web_a, web_b), processes, logs, strict=True):
            _wait_until_ready(base, process, log)

        # Upload through A, like a browser: the form page for the CSRF token, then the post.
        author = requests.Session()
        author.cookies.update(_session_cookie(participant))
        form_url = f"{web_a}/projects/assignments/{assignment.pk}/submit/"
        page = author.get(form_url, timeout=30)
        assert page.status_code == 200
        hidden = _hidden_fields(page.text)
        assert "csrfmiddlewaretoken" in hidden
        response = author.post(
            form_url,
            data={**hidden, "text": "Our aim", "submit": "1"},
            files={"files": ("aim.pdf", PDF_BYTES, "application/pdf")},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, response.text[-2000:]
        stored = SubmissionFile.objects.get()
        assert keys_in(s3_endpoint, s3_bucket) == {stored.file.name}
        assert not (tmp_path / "nothing-is-written-here").exists()

        # Download through B, which never saw the upload.
        download = f"{web_b}/projects/files/{stored.pk}/"
        response = author.get(download, timeout=30)
        assert response.status_code == 200
        assert response.content == PDF_BYTES
        assert response.headers["Content-Disposition"] == 'attachment; filename="aim.pdf"'
        assert response.headers["Cache-Control"] == "private, no-store"

        outsider = requests.Session()
        outsider.cookies.update(_session_cookie(other_participant))
        response = outsider.get(download, timeout=30)
        assert response.status_code == 404
        assert PDF_BYTES not in response.content
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)

    # Each process logged its own requests as JSON lines: the upload on A, the downloads on B.
    # Every line is JSON: gunicorn's own (gunicorn.conf.py) and Python's warnings too.
    def requests_logged(log: Path) -> list[tuple[str, str, int]]:
        lines = [json.loads(raw) for raw in log.read_text().splitlines()]
        assert any(line["logger"] == "gunicorn.error" for line in lines)
        return [
            (line["method"], line["path"], line["status"])
            for line in lines
            if line["logger"] == "leadership.request" and "/health/" not in line["path"]
        ]

    assert ("POST", f"/projects/assignments/{assignment.pk}/submit/", 302) in requests_logged(
        logs[0]
    )
    assert requests_logged(logs[1]) == [
        ("GET", f"/projects/files/{stored.pk}/", 200),
        ("GET", f"/projects/files/{stored.pk}/", 404),
    ]
