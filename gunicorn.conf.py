"""Gunicorn's settings, read from the working directory (the Dockerfile's and compose's
gunicorn commands run from the project root): with JSON logs, gunicorn's own lines (start-up,
worker restarts, time-outs) are JSON objects too, so the log platform reads one format. The
access log stays off: the app writes one line per request (leadership/logging_json.py)."""

import os

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
