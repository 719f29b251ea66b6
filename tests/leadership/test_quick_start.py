"""The quick start (no environment at all) runs on SQLite with in-process tasks, and the demo
with each role's start page works there. Run in subprocesses so these settings are really the
ones a newcomer's laptop gets."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BARE_ENV = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "leadership.settings"}


def _run(args: list[str], env: dict, timeout: int = 240) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def test_with_nothing_set_the_settings_choose_sqlite_and_eager_tasks():
    probe = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps([s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'],"
        " s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND, s.DEBUG]))"
    )
    engine, name, eager, email_backend, debug = json.loads(_run(["-c", probe], BARE_ENV).stdout)
    assert engine == "django.db.backends.sqlite3"
    assert name.endswith("var/leadership.sqlite3")
    assert eager is True
    assert email_backend == "leadership.console_mail.SummaryEmailBackend"
    assert debug is True


def test_on_sqlite_the_demo_loads_every_role_has_a_start_page_and_the_timer_sends_reminders(
    tmp_path,
):
    # One test, one migrated database with the demo (about 40 s of the suite's time each):
    # the start pages and the sweep read the same data. The demo's second run changing
    # nothing is tested on PostgreSQL (tests/demo/test_cohorts.py).
    # Only the database file moves (so a developer's var/ is left alone); it is still SQLite.
    env = {
        **BARE_ENV,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'quick.sqlite3'}",
        "SITE_URL": "http://127.0.0.1:8123",
    }
    _run(["manage.py", "migrate", "--no-input", "-v0"], env)
    output = _run(["manage.py", "load_demo"], env).stdout
    assert "admin@demo.example.org" in output
    visit = """
import django, json
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import reverse
from demo.cohorts import DEMO_PASSWORD
setup_test_environment()
pages = {}
for who in ("admin", "leader", "faculty", "participant"):
    client = Client()
    assert client.login(username=f"{who}@demo.example.org", password=DEMO_PASSWORD), who
    response = client.get("/", follow=True)
    pages[who] = [response.status_code, response.redirect_chain[-1][0]]
    if who == "admin":  # the audit trail: read through the ORM on SQLite
        pages["audit trail"] = client.get(reverse("governance:audit_log")).status_code
    if who == "leader":  # the portfolio's summaries: hand-written SQL, on SQLite too
        page = client.get(reverse("reports:portfolio"))
        pages["portfolio"] = [page.status_code, 'scope="row" class="fw-normal"' in page.text]
print(json.dumps(pages))
"""
    pages = json.loads(_run(["-c", visit], env).stdout)
    assert pages == {
        "admin": [200, "/cohorts/office/"],
        "leader": [200, "/cohorts/sponsored/"],
        "faculty": [200, "/cohorts/teaching/"],
        "participant": [200, "/cohorts/mine/"],
        "audit trail": 200,
        "portfolio": [200, True],
    }

    # Without a broker, the timer (run_sweeps) sends what is due, one line per e-mail.
    swept = _run(["manage.py", "run_sweeps", "--once"], env).stdout
    lines = swept.splitlines()
    sent = [line for line in lines if line.startswith("[e-mail] to ")]
    assert sent, swept[-2000:]
    assert "Content-Type:" not in swept and "MIME-Version" not in swept
    assert any("| http://127.0.0.1:8123/" in line for line in sent)
    assert any(line.startswith("[sweep] planned ") for line in lines)
    # Everything due went out: a second sweep has nothing to send.
    again = _run(["manage.py", "run_sweeps", "--once"], env).stdout
    assert not [line for line in again.splitlines() if line.startswith("[e-mail] to ")]
