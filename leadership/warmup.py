"""Import every view before a server process takes its first request.

gunicorn (``preload_app``, ``gunicorn.conf.py``) and the Celery worker (``leadership/celery.py``)
call ``import_everything`` in their parent process, before forking: each worker then starts
with the URLconf and every view it names already imported (shared copy-on-write), instead of
spending its first request or task on it. The image runs without a bytecode cache
(``PYTHONDONTWRITEBYTECODE``), so that first import compiles every module from source: about
2 s a process on a quiet 2-core host and 8 s on a busy one, which a fresh worker's first
requests (or a Celery child's first e-mail, whose preferences link needs ``reverse``) waited
for, once per process and again after each worker restart.
"""

from django.db import connections
from django.urls import get_resolver


def import_everything() -> None:
    """Load the URLconf and fill its reverse lookup (importing every app's views), then close
    any database connection that opened: forked processes must not share one."""
    get_resolver().reverse_dict  # noqa: B018 — read for its side effect: every view imported
    connections.close_all()
