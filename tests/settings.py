"""Test settings: the real services on this machine, PostgreSQL and Redis, unless the
environment names others. Redis databases 2 and 3 keep tests away from a development worker
on database 0."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/leadership")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/2")
os.environ.setdefault("CELERY_RESULT_BACKEND", "redis://127.0.0.1:6379/3")
# Unit tests run tasks in-process; the tests that are about tasks switch this off and use a
# real worker (see the ``celery_live_worker`` fixture).
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("PRIVATE_MEDIA_ROOT", "/tmp/leadership-test-private")

from leadership.settings import *  # noqa: E402,F403

# Hashing cost is not what these tests are about.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Serve static files from the finders; no collectstatic needed before tests.
WHITENOISE_AUTOREFRESH = True
