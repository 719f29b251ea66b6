"""Structured logs: one line per request and per Celery task, carrying a request id.

* ``RequestLogMiddleware`` gives each request an id (the caller's ``X-Request-ID`` when it is
  sane, otherwise a new one), returns it in the response's ``X-Request-ID`` and logs one line:
  request id, user id, method, path, route, status, duration.
* Tasks queued while a request is handled carry its id in a message header
  (``before_task_publish``); the worker puts it back in the context (``task_prerun``) and logs
  one line per task: task id, name, state, duration — with the same request id.
* ``ContextFilter`` stamps every log record with the ids, whatever logger wrote it;
  ``JsonFormatter`` writes a record as one JSON object (``LOG_FORMAT=json``, the production
  default; ``text`` stays readable for ``make run``).

What is never logged: query strings, request or response bodies, headers, cookies, task
arguments, and the values of non-numeric URL parameters (paths can hold signed tokens — the
e-mail opt-out and calendar feed links do — so ``path`` shows ``<token>`` instead).
"""

import contextvars
import datetime
import json
import logging
import re
import time
import uuid
from logging.config import dictConfig

from celery import signals
from django.conf import settings
from django.utils.functional import empty

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
task_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("task_id", default=None)

REQUEST_ID_HEADER = "X-Request-ID"
# The Celery message header that carries the request id to the worker.
TASK_HEADER = "leadership_request_id"
# Letters, digits and - _ . : only, 8–128 characters: enough for UUIDs and the ids load
# balancers make (AWS's "Root=1-…" does not fit and is replaced), too little to smuggle a
# forged log line or markup into the logs.
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
_ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")

request_logger = logging.getLogger("leadership.request")
task_logger = logging.getLogger("leadership.task")

# The structured fields a JSON line may carry besides time, level, logger and message. Only
# these are written: other ``extra`` data (Celery puts task arguments there) is left out.
FIELDS = (
    "request_id",
    "task_id",
    "user_id",
    "method",
    "path",
    "route",
    "status",
    "duration_ms",
    "task_name",
    "state",
)


def sane_request_id(value: str | None) -> str | None:
    """``value`` if it is an acceptable request id, otherwise None."""
    if value and _SANE_ID.fullmatch(value):
        return value
    return None


def new_request_id() -> str:
    return uuid.uuid4().hex


class ContextFilter(logging.Filter):
    """Stamps each record with the current request and task ids (None outside of them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        if getattr(record, "task_id", None) is None:
            record.task_id = task_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, the fields in
    ``FIELDS`` that are set, and the exception's type and traceback if there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                line[field] = value
        if record.exc_info:
            line["exception"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


# --- requests ---------------------------------------------------------------------------------


def loggable_path(request) -> str:
    """The path with only numeric URL parameters filled in (``/cohorts/3/`` but
    ``/notifications/stop/<token>/``); unresolved paths as requested, shortened."""
    match = getattr(request, "resolver_match", None)
    if match is None or not match.route:
        return request.path[:200]

    def fill(parameter: re.Match) -> str:
        value = match.kwargs.get(parameter["name"])
        return str(value) if isinstance(value, int) else f"<{parameter['name']}>"

    return "/" + _ROUTE_PARAMETER.sub(fill, match.route)


def _user_id(request) -> int | None:
    """The user's id if this request already loaded the user: evaluating the lazy user here
    would cost queries on pages that never needed it."""
    user = request.__dict__.get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or wrapped is empty:
        return None
    return wrapped.pk if getattr(wrapped, "is_authenticated", False) else None


class RequestLogMiddleware:
    """First in ``MIDDLEWARE``: sets the request id for everything below it and logs the line
    once the response is ready. Health probes that pass are logged at DEBUG (they come every
    few seconds from every load balancer)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = sane_request_id(request.headers.get(REQUEST_ID_HEADER)) or new_request_id()
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            path = loggable_path(request)
            quiet = request.path_info.startswith("/health/") and response.status_code == 200
            match = getattr(request, "resolver_match", None)
            request_logger.log(
                logging.DEBUG if quiet else logging.INFO,
                "%s %s %s %sms",
                request.method,
                path,
                response.status_code,
                duration_ms,
                extra={
                    "user_id": _user_id(request),
                    "method": request.method,
                    "path": path,
                    "route": match.route if match else None,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
            return response
        finally:
            request_id_var.reset(token)


# --- Celery -----------------------------------------------------------------------------------

_started: dict[str, tuple[float, contextvars.Token, contextvars.Token]] = {}


@signals.before_task_publish.connect
def _send_request_id(headers=None, **kwargs) -> None:
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


@signals.task_prerun.connect
def _task_started(task_id=None, task=None, **kwargs) -> None:
    # Run eagerly inside a request, the task has no header and keeps the request's id.
    request_id = sane_request_id(getattr(task.request, TASK_HEADER, None)) or request_id_var.get()
    _started[task_id] = (
        time.perf_counter(),
        request_id_var.set(request_id),
        task_id_var.set(task_id),
    )


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, **kwargs) -> None:
    entry = _started.pop(task_id, None)
    if entry is None:
        return
    started, request_token, task_token = entry
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    try:
        task_logger.info(
            "task %s %s %sms",
            task.name,
            state,
            duration_ms,
            extra={"task_name": task.name, "state": state, "duration_ms": duration_ms},
        )
    finally:
        task_id_var.reset(task_token)
        request_id_var.reset(request_token)


@signals.setup_logging.connect
def _use_django_logging(**kwargs) -> None:
    """A worker or beat logs through ``settings.LOGGING`` like the web processes, instead of
    Celery replacing the root logger's handlers with its own format."""

    dictConfig(settings.LOGGING)
