"""Test settings: the real services on this machine, PostgreSQL and Redis, unless the
environment names others. Redis databases 2 and 3 keep tests away from a development worker
on database 0."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/leadership")
# pytest-xdist workers each get their own pair (gw0: 2 and 3, gw1: 4 and 5), so a worker thread
# started by one never consumes another's tasks.
_xdist = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
# TEST_REDIS lets two test runs on one machine use separate Redis servers (e.g. 127.0.0.1:6380).
_redis = os.environ.get("TEST_REDIS", "127.0.0.1:6379")
# Set, not defaulted: xdist's workers inherit the environment of the controlling process, which
# imported these settings first (as gw0), and two workers on one queue run each other's tasks
# against the wrong test database.
os.environ["CELERY_BROKER_URL"] = f"redis://{_redis}/{2 + 2 * _xdist}"
os.environ["CELERY_RESULT_BACKEND"] = f"redis://{_redis}/{3 + 2 * _xdist}"
# A Redis database for tests that start a separate worker process (gw0: 14, gw1: 15).
SUBPROCESS_BROKER_URL = f"redis://{_redis}/{14 + _xdist}"
# Unit tests run tasks in-process; the tests that are about tasks switch this off and use a
# real worker (see the ``celery_live_worker`` fixture).
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
# Each xdist worker stores files in its own folder (set, not defaulted, as for Redis above): a
# test that compares what is on disk before and after must not see another worker's uploads.
_private_base = os.environ.get("LEADERSHIP_TEST_PRIVATE_BASE") or os.environ.get(
    "PRIVATE_MEDIA_ROOT", "/tmp/leadership-test-private"
)
os.environ["LEADERSHIP_TEST_PRIVATE_BASE"] = _private_base
os.environ["PRIVATE_MEDIA_ROOT"] = f"{_private_base}/gw{_xdist}"

from leadership.settings import *  # noqa: E402,F403

# Transactional tests empty the tables with DELETE instead of TRUNCATE (1-2 s saved per test;
# why it is safe: tests/postgresql_quick_flush/base.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["ENGINE"] = "tests.postgresql_quick_flush"  # noqa: F405

# Hashing cost is not what these tests are about.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Serve static files from the finders; no collectstatic needed before tests.
WHITENOISE_AUTOREFRESH = True
