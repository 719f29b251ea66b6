"""Health endpoints for load balancers and orchestration, and the connectivity checks that
``manage.py check_deployment`` shares with them.

* ``/health/live/`` — the process answers; touches nothing else, so a database outage does not
  get every web process restarted.
* ``/health/ready/`` — the database, Redis (when configured) and the private file storage
  answer; 503 when one does not, so the load balancer sends traffic elsewhere.

Both are unauthenticated and say only "ok" or "failing" per check name: the reason (which may
name hosts) goes to the log, not to whoever asks. ``HealthCheckMiddleware`` answers them before
the host check and the HTTPS redirect, because probes come over plain HTTP to an IP address.
"""

import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from .storage import private_storage

logger = logging.getLogger(__name__)

LIVE_PATH = "/health/live/"
READY_PATH = "/health/ready/"
# Seconds before a Redis check gives up; probes are typically given 1–5 s in all.
REDIS_TIMEOUT = 2.0


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


def _run(name: str, check: Callable[[], str]) -> CheckResult:
    try:
        return CheckResult(name, True, check())
    except Exception as error:  # noqa: BLE001 — any failure is the answer we report
        return CheckResult(name, False, f"{type(error).__name__}: {error}")


def redact_url(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


# --- the checks -------------------------------------------------------------------------------


def check_database() -> str:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
    return f"{connections['default'].vendor} answered"


def redis_urls() -> dict[str, str]:
    """The Redis servers this deployment uses, by role (broker, results, cache)."""
    candidates = {
        "broker": settings.CELERY_BROKER_URL,
        "results": settings.CELERY_RESULT_BACKEND or "",
        "cache": settings.CACHES["default"].get("LOCATION", "")
        if "redis" in str(settings.CACHES["default"].get("BACKEND", "")).lower()
        else "",
    }
    return {
        role: url
        for role, url in candidates.items()
        if isinstance(url, str) and url.startswith(("redis://", "rediss://"))
    }


def check_redis(url: str) -> str:
    client = redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
    )
    try:
        client.ping()
    finally:
        client.close()
    return f"{redact_url(url)} answered"


def _bucket_name() -> str | None:
    return getattr(private_storage, "bucket_name", None)


def check_storage() -> str:
    """The private storage is reachable: the bucket exists and our keys may use it, or the
    directory exists (it is created if missing, as the first upload would) and is writable."""
    bucket = _bucket_name()
    if bucket:
        private_storage.connection.meta.client.head_bucket(Bucket=bucket)
        return f"bucket {bucket} answered"
    location = private_storage.location
    os.makedirs(location, exist_ok=True)
    if not os.access(location, os.W_OK | os.X_OK):
        raise PermissionError(f"{location} is not writable")
    return f"directory {location} is writable"


def check_storage_write() -> str:
    """Write a small probe file, read it back and delete it (``check_deployment`` only)."""
    name = private_storage.save(
        f"deployment-check/{uuid.uuid4().hex}.txt", ContentFile(b"deployment check")
    )
    try:
        with private_storage.open(name, "rb") as probe:
            if probe.read() != b"deployment check":
                raise OSError("the probe file read back differently")
    finally:
        private_storage.delete(name)
    if private_storage.exists(name):
        raise OSError("the probe file could not be deleted")
    where = f"bucket {_bucket_name()}" if _bucket_name() else private_storage.location
    return f"wrote, read and deleted a probe file in {where}"


def readiness_checks() -> list[CheckResult]:
    results = [_run("database", check_database)]
    urls = redis_urls()
    # One check per Redis server, named "redis" — the roles usually share one server.
    for url in dict.fromkeys(urls.values()):
        results.append(_run("redis", partial(check_redis, url)))
    results.append(_run("storage", check_storage))
    return results


# --- the views --------------------------------------------------------------------------------


def _json(payload: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(payload, status=status)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _not_allowed(request: HttpRequest) -> HttpResponse | None:
    """405 as JSON (this answers before the middleware that would dress an HTML page)."""
    if request.method in ("GET", "HEAD"):
        return None
    response = _json({"status": "method not allowed"}, 405)
    response["Allow"] = "GET, HEAD"
    return response


@never_cache
def live(request: HttpRequest) -> HttpResponse:
    """The process is up and answering. Nothing else is touched."""
    return _not_allowed(request) or _json({"status": "ok"})


@never_cache
def ready(request: HttpRequest) -> HttpResponse:
    """200 when every dependency answers, 503 naming the check that does not."""
    if refused := _not_allowed(request):
        return refused
    results = readiness_checks()
    checks: dict[str, str] = {}
    for result in results:
        if not result.ok:
            logger.warning("readiness check %s failing: %s", result.name, result.detail)
        # Two Redis servers report as one "redis" check: failing if either fails.
        if checks.get(result.name) != "failing":
            checks[result.name] = "ok" if result.ok else "failing"
    ok = all(result.ok for result in results)
    return _json({"status": "ok" if ok else "failing", "checks": checks}, 200 if ok else 503)


class HealthCheckMiddleware:
    """Answers the two health paths before ``ALLOWED_HOSTS`` and ``SECURE_SSL_REDIRECT`` are
    applied: a load balancer probes a host's own address over plain HTTP, which those would
    turn into a 400 or a redirect. Nothing else is served here."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.views = {LIVE_PATH: live, READY_PATH: ready}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = self.views.get(request.path_info)
        if view is not None:
            return view(request)
        return self.get_response(request)
