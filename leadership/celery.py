"""The one Celery app. Settings come from Django's settings under the ``CELERY_`` prefix."""

import os

from celery import Celery

# Connects the Celery signals that carry the request id to tasks and log one line per task.
from . import logging_json  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadership.settings")

app = Celery("leadership")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
