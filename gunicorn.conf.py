"""Gunicorn's settings, read from the working directory (the Dockerfile's and compose's
gunicorn commands run from the project root).

How many requests a host serves at once: ``workers`` processes (``WEB_CONCURRENCY``, by
default one per core) of ``threads`` threads each (``GUNICORN_THREADS``, by default 2). A
page spends part of its time waiting for PostgreSQL: the second thread of a process works
while the first waits, and lets a slow request (a report download, an export) not hold up
the next one. More processes than that only take turns on the same cores, and each turn
costs: on 2 cores with PostgreSQL beside them (bench/production_shape.py, 8 connections),
two processes served the participant start page at 490-520 requests a second with a p99 of
31-32 ms, where four served 430-525 (as the connections happened to spread over them) with
a p99 of 41-50 ms; the login page 797-818 against 772-795. Each thread keeps one database
connection open (``CONN_MAX_AGE``), so a host holds ``workers × threads`` connections: see
the README, "Deploying", for sizing them against the database's ``max_connections``.

With JSON logs, gunicorn's own lines (start-up, worker restarts, time-outs) are JSON objects
too, so the log platform reads one format. The access log stays off: the app writes one line
per request (leadership/logging_json.py)."""

import os


def _positive(name: str, default: int) -> int:
    """A whole number from the environment, or ``default`` when unset or 0 (docker-compose
    passes 0 for "not set": gunicorn itself reads WEB_CONCURRENCY as a number, so it may not
    be empty)."""
    number = int(os.environ.get(name, "").strip() or 0)
    if number < 0:
        raise ValueError(f"{name} must be a whole number, not {number}.")
    return number or default


workers = _positive("WEB_CONCURRENCY", os.cpu_count() or 1)
# The application and every view are imported once, in the master, and the workers forked
# from it start ready (leadership/warmup.py): a new or restarted worker no longer spends its
# first requests compiling the code, and the workers share those pages of memory. A code
# change needs a restart, not a HUP, which is how the image is deployed anyway.
preload_app = True
threads = _positive("GUNICORN_THREADS", 2)
worker_class = "gthread" if threads > 1 else "sync"

_production = os.environ.get("DJANGO_ENV", "development") == "production"
if os.environ.get("LOG_FORMAT", "json" if _production else "text") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "leadership.logging_json.JsonFormatter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": "INFO", "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False}
        },
    }


def when_ready(server) -> None:
    """In the master, after the application is loaded and before any worker is forked."""
    from leadership.warmup import import_everything

    import_everything()
