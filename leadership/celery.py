"""The one Celery app. Settings come from Django's settings under the ``CELERY_`` prefix."""

import os

from celery import Celery
from celery.signals import worker_init

# Connects the Celery signals that carry the request id to tasks and log one line per task.
from . import logging_json  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadership.settings")

app = Celery("leadership")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _import_everything(**_kwargs) -> None:
    """In the worker's parent process, before it forks the pool (leadership/warmup.py): the
    first task of each child no longer waits for every view to be imported."""
    from .warmup import import_everything

    import_everything()
