"""Personas and shared fixtures.

The world every test can ask for: one programme with a cohort (``cohort``) and a second cohort
of the same programme (``other_cohort``); an administrator of the programme; a faculty member,
a clinical leader and a participant of ``cohort``; a participant of ``other_cohort``.

The administrator and the clinical leader must use two-factor authentication, so they have an
authenticator app (``tests.totp``): ``client.force_login`` skips the login steps, as it skips
the password, and ``tests.browser.log_in`` types the app's code when the page asks for it.
"""

import os
import shutil

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from cohorts.models import Enrolment
from tests.factories import CohortFactory, EnrolmentFactory, ProgrammeFactory, UserFactory
from tests.faults.processes import patience
from tests.local_servers import RecordingHandler, free_port
from tests.totp import give_authenticator_app

# Playwright's sync API runs an event loop in the main thread; without this the ORM raises
# SynchronousOnlyOperation inside tests that use ``page``.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    return {**browser_type_launch_args, "executable_path": chromium}


@pytest.fixture
def programme(db):
    return ProgrammeFactory(name="Enhanced Care Management", slug="ecm")


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, name="Cohort 3", slug="ecm-cohort-3")


@pytest.fixture
def other_cohort(programme):
    return CohortFactory(programme=programme, name="Cohort 4", slug="ecm-cohort-4")


@pytest.fixture
def administrator(programme):
    user = UserFactory(
        email="admin@example.org", first_name="Alex", last_name="Reid", profession="manager"
    )
    programme.administrators.add(user)
    give_authenticator_app(user)
    return user


def _member(cohort, email, role, **fields):
    user = UserFactory(email=email, **fields)
    EnrolmentFactory(cohort=cohort, person=user, role=role)
    return user


@pytest.fixture
def faculty(cohort):
    return _member(cohort, "faculty@example.org", Enrolment.Role.FACULTY, first_name="Margaret")


@pytest.fixture
def clinical_leader(cohort):
    user = _member(
        cohort, "leader@example.org", Enrolment.Role.CLINICAL_LEADER, first_name="Richard"
    )
    give_authenticator_app(user)
    return user


@pytest.fixture
def participant(cohort):
    return _member(
        cohort, "participant@example.org", Enrolment.Role.PARTICIPANT, first_name="Aroha"
    )


@pytest.fixture
def other_participant(other_cohort):
    return _member(
        other_cohort, "other@example.org", Enrolment.Role.PARTICIPANT, first_name="Wiremu"
    )


@pytest.fixture
def personas(administrator, faculty, clinical_leader, participant, other_participant):
    """Every logged-in persona by name (``anonymous`` is ``None``)."""
    return {
        "anonymous": None,
        "participant": participant,
        "other_participant": other_participant,
        "faculty": faculty,
        "clinical_leader": clinical_leader,
        "administrator": administrator,
    }


@pytest.fixture
def celery_live_worker(transactional_db):
    """A real Celery worker thread consuming from the test Redis broker. The worker thread has
    its own database connection, so tests using it need committed data (transactional_db)."""
    from celery.contrib.testing.worker import start_worker

    from leadership.celery import app

    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as w:
            yield w
    finally:
        app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """Login throttling counts and used one-time codes live in the cache, a database table.
    A test in a rolled-back transaction leaves nothing there; tests that commit (live server,
    real workers) clear it after themselves, so the next test starts with nothing counted."""
    marker = request.node.get_closest_marker("django_db")
    commits = (marker is not None and marker.kwargs.get("transaction", False)) or (
        "transactional_db" in request.fixturenames
    )
    if not commits:
        yield
        return
    request.getfixturevalue("transactional_db")  # set up first, so torn down after this
    yield
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def page(page):
    """Playwright's page with a 10 s timeout on a quiet machine: a missing element fails fast,
    not after 30 s. Assertions (``expect``) wait as long: their own 5 s default was seen to run
    out while a loaded two-core machine answered a POST. Both stretch with the machine's load
    (``patience``): importing fifty people took 20 s at a load average of 6 on two cores."""
    timeout = 10_000 * patience()
    page.set_default_timeout(timeout)
    expect.set_options(timeout=timeout)
    return page


@pytest.fixture(scope="session", autouse=True)
def _urls_loaded():
    """Import every view module once before any test, as a production process does before it
    forks (``leadership.warmup``): the first request to a live server otherwise pays for it
    inside a browser test's timeout."""
    from leadership.warmup import import_everything

    import_everything()


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free loopback port; ``.handler`` records and can refuse."""
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp_server):
    """Send real SMTP to ``smtp_server``."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    return settings
