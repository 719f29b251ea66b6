"""The API over real HTTP: a gunicorn serving the project, called with ``requests`` as a BI tool
or a feed would — a token reads a cohort's measures page by page with ETags, sends a batch
twice (the second changes nothing), and stops working once revoked."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

from api import services
from tests.api.helpers import make_measure, make_token
from tests.faults.processes import patience
from tests.local_servers import free_port

ROOT = Path(__file__).resolve().parents[2]


# Seconds a request may take on a quiet machine, stretched on a busy one (a loaded CI machine
# once took more than 30 s to answer the batch).
WAIT = 30 * patience()


def _serve(tmp_path) -> tuple[str, subprocess.Popen, Path]:
    db = connection.settings_dict
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "leadership.settings",
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "LOG_FORMAT": "json",
    }
    port = free_port()
    log = tmp_path / "web.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "leadership.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", str(int(WAIT) + 30)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"),
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 2 * WAIT
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            if requests.get(f"{base}/health/live/", timeout=WAIT).status_code == 200:
                return base, process, log
        except requests.ConnectionError:
            time.sleep(0.1)
    process.terminate()
    raise AssertionError(f"gunicorn never answered: {log.read_text()[-3000:]}")


@pytest.mark.django_db(transaction=True)
def test_a_token_reads_pages_sends_a_batch_twice_and_is_refused_once_revoked(
    tmp_path, administrator, programme, cohort, participant
):
    measure = make_measure(cohort, participant, points=16, name="Measure 0")
    for n in (1, 2):
        make_measure(cohort, participant, points=16, name=f"Measure {n}", team=measure.team)
    token, raw = make_token(administrator, programme, scope="write_points")
    base, process, log = _serve(tmp_path)
    feed = requests.Session()
    feed.headers["Authorization"] = f"Bearer {raw}"
    try:
        url, names = f"{base}/api/cohorts/{cohort.pk}/measures/?limit=2", []
        first = feed.get(url, timeout=WAIT)
        while url:
            page = feed.get(url, timeout=WAIT)
            assert page.status_code == 200, page.text
            names += [item["name"] for item in page.json()["items"]]
            url = page.json()["next"]
        assert names == ["Measure 0", "Measure 1", "Measure 2"]
        assert first.json()["next"].startswith(base)
        cached = feed.get(first.url, headers={"If-None-Match": first.headers["ETag"]}, timeout=WAIT)
        assert cached.status_code == 304

        batch = {
            "points": [{"period": "2025-06-01", "value": 4}, {"period": "2025-07-01", "value": 5}]
        }
        sent = feed.post(f"{base}/api/measures/{measure.pk}/points/", json=batch, timeout=WAIT)
        again = feed.post(f"{base}/api/measures/{measure.pk}/points/", json=batch, timeout=WAIT)
        assert sent.status_code == 201, sent.text
        assert (again.status_code, again.json()["created"], again.json()["unchanged"]) == (
            200,
            0,
            2,
        )
        assert measure.datapoints.count() == 18

        services.api_token_revoke(token=token, acting_user=administrator)
        refused = feed.get(f"{base}/api/cohorts/", timeout=WAIT)
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "unauthenticated"
    finally:
        process.terminate()
        process.wait(timeout=WAIT)
