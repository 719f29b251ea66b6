"""Walk every named URL for every persona against ``tests/*/permissions.py``."""

import re

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import PASSWORD
from tests.governance.privacy_checks import assert_patient_data_warning
from tests.permission_table import PERSONAS, World, full_table

# Django's admin site checks staff status itself and is covered by its own test below.
SKIPPED_NAMESPACES = {"admin"}


TABLE = full_table()


def _named_urls(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            names |= _named_urls(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(prefix + entry.name)
    return names


def test_every_named_url_is_in_the_permission_table():
    missing = _named_urls() - TABLE.keys()
    assert not missing, f"add these URLs to a tests/<app>/permissions.py table: {sorted(missing)}"


def test_the_table_lists_no_url_that_does_not_exist():
    assert not TABLE.keys() - _named_urls()


def _cases():
    for name, expect in sorted(TABLE.items()):
        for method, expected in (("get", expect.get), ("post", expect.post)):
            if expected is None:
                continue
            assert set(expected) == set(PERSONAS), f"{name}: give a status for every persona"
            yield pytest.param(name, method, id=f"{name}-{method}")


@pytest.mark.parametrize(("name", "method"), list(_cases()))
def test_each_persona_gets_the_expected_answer(cohort, other_cohort, personas, name, method):
    """One URL, every persona. Each request runs in a savepoint that is rolled back, so one
    persona's successful POST never changes what the next one meets."""
    expect = TABLE[name]
    world = World(cohort, other_cohort, personas)
    url = reverse(name, kwargs=expect.kwargs(world))
    data = expect.data(world) if method == "post" else None
    wrong = []
    for persona in PERSONAS:
        client = Client()
        with transaction.atomic():
            if personas[persona] is not None:
                client.force_login(personas[persona])
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url) if method == "get" else client.post(url, data)
            transaction.set_rollback(True)
        expected = getattr(expect, method)[persona]
        if response.status_code != expected:
            wrong.append(f"{persona}: got {response.status_code}, expected {expected}")
            continue
        if response.get("Content-Type", "").startswith("text/html"):
            _assert_hardened(response)
            assert_patient_data_warning(response)
        if method == "get":
            changed = _tables_written(queries) - WRITES_ALLOWED_ON_GET
            assert not changed, f"GET {url} as {persona} changed {sorted(changed)}"
        elif expected < 400:
            _assert_csrf_required(personas[persona], url, data)
    assert not wrong, f"{method.upper()} {url}: " + "; ".join(wrong)


# A GET may keep the session alive, count a login throttle, record in the audit trail that
# someone downloaded or exported something, and record that a participant opened released
# feedback on their own work (so it is no longer "unread"); it changes nothing else.
WRITES_ALLOWED_ON_GET = {
    "leadership_loginsession",
    "leadership_cache",
    "leadership_auditevent",
    "redesign_projects_feedbackread",
}
_WRITE = re.compile(r'^\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)


def _tables_written(queries: CaptureQueriesContext) -> set[str]:
    return {m.group(1) for q in queries.captured_queries if (m := _WRITE.match(q["sql"]))}


def _assert_csrf_required(user, url: str, data: dict) -> None:
    """The POST that just succeeded, sent again without its CSRF token, is refused."""
    client = Client(enforce_csrf_checks=True)
    with transaction.atomic():
        if user is not None:
            client.force_login(user)
        response = client.post(url, data)
        transaction.set_rollback(True)
    assert response.status_code == 403, f"POST {url} without a CSRF token: {response.status_code}"


def _assert_hardened(response) -> None:
    """Every HTML answer carries the security headers (issue 10's web surface)."""
    policy = response["Content-Security-Policy"]
    for directive in ("object-src 'none'", "frame-ancestors 'none'", "base-uri 'self'"):
        assert directive in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "target", ["https://evil.example.org/", "//evil.example.org/", "http:/\\evil.example.org"]
)
def test_after_logging_in_next_leads_only_to_our_own_pages(client, participant, target):
    response = client.post(
        reverse("account_login") + f"?next={target}",
        {"login": participant.email, "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert "evil.example.org" not in response["Location"]
    assert response["Location"].startswith("/")


def test_the_admin_site_turns_away_people_who_are_not_staff(client, personas):
    client.force_login(personas["administrator"])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
