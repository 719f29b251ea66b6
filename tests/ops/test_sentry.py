"""Error reporting: with a DSN, an exception in a view reaches the error tracker (here a tiny
HTTP server on loopback standing in for Sentry's ingest) without personal data; without one,
Sentry is not even initialised. Each case runs in its own process, as Sentry is global state."""

import gzip
import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "tok-9f8e7d6c5b4a"
PRIVATE_TEXT = "Mrs Example's discharge was delayed"

SCRIPT = f"""
import json
import django
django.setup()
import sentry_sdk
from django.test import Client
from django.test.utils import override_settings, setup_test_environment
setup_test_environment()
with override_settings(ROOT_URLCONF="tests.ops.sentry_urls"):
    response = Client(raise_request_exception=False).post(
        "/boom/{TOKEN}/?email=someone%40example.org",
        {{"text": "{PRIVATE_TEXT}"}},
        HTTP_X_CLINICIAN_NOTE="private header",
    )
sentry_sdk.flush(timeout=5)
print(json.dumps({{"status": response.status_code, "active": sentry_sdk.get_client().is_active()}}))
"""


class _Sink(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        self.server.received.append((self.path, body.decode()))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_sink():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _events(received) -> list[dict]:
    """The event items of the envelopes received (an envelope is lines of JSON: a header, then
    item header and item payload pairs)."""
    events = []
    for _path, envelope in received:
        lines = envelope.splitlines()
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                events.append(json.loads(payload))
    return events


def _run(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_an_error_in_a_view_reaches_the_tracker_only_when_a_dsn_is_set(sentry_sink, tmp_path):
    host, port = sentry_sink.server_address
    base = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "leadership.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "LOG_LEVEL": "CRITICAL",
    }
    with_dsn = _run({**base, "SENTRY_DSN": f"http://publickey@{host}:{port}/42"})
    without = _run(base)
    results = {}
    for name, process in (("with", with_dsn), ("without", without)):
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        results[name] = json.loads(out.strip().splitlines()[-1])

    assert results["with"] == {"status": 500, "active": True}
    assert results["without"] == {"status": 500, "active": False}
    assert all(path == "/api/42/envelope/" for path, _body in sentry_sink.received)
    [event] = _events(sentry_sink.received)
    [exception] = event["exception"]["values"]
    assert (exception["type"], exception["value"]) == ("RuntimeError", "the view failed")
    assert event["transaction"] == "/boom/{token}/"
    assert event["request"] == {"url": "/boom/{token}/"}
    # Nothing personal or secret: not the token in the path, the query string, the posted
    # text, the headers, nor the frames' local variables.
    everything = "".join(body for _path, body in sentry_sink.received)
    for secret in (TOKEN, "someone", PRIVATE_TEXT, "private header"):
        assert secret not in everything
    assert all("vars" not in frame for frame in exception["stacktrace"]["frames"])
    assert "user" not in event

    time.sleep(0.2)  # nothing late arrives from the process without a DSN
    assert len(_events(sentry_sink.received)) == 1
