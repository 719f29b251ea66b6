"""Sessions end after 30 idle minutes, 10 hours after login whatever happens, on logout, when
the account is deactivated and when the person is withdrawn from a cohort — server-side (the
row is deleted), not just in the browser."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.db import connection, connections
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from cohorts import services as cohort_services
from leadership.models import LoginSession
from leadership.sessions import SessionStore, end_sessions_for, user_of_session
from tests.conftest import PASSWORD

HOME = "/cohorts/mine/"


def _log_in(client, person):
    response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302
    return client.session.session_key


def _sends_to_login(client) -> bool:
    response = client.get(HOME)
    return response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_thirty_idle_minutes_end_the_session(client, participant):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        key = _log_in(client, participant)
        assert client.get(HOME).status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        assert _sends_to_login(client)
    assert not LoginSession.objects.filter(session_key=key).exists()


def test_activity_keeps_the_session_alive_until_the_absolute_limit(client, participant):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        _log_in(client, participant)
        for _ in range(29):  # every 20 minutes for 9 h 40 min
            clock.shift(datetime.timedelta(minutes=20))
            assert client.get(HOME).status_code == 200
        clock.shift(datetime.timedelta(minutes=21))
        response = client.get(HOME)
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_logging_in_rotates_the_session_key(client, participant):
    planted = client.session  # a session that exists before login (e.g. fixed by an attacker)
    planted["visited"] = True
    planted.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert LoginSession.objects.filter(session_key=before, user=None).exists()
    after = _log_in(client, participant)
    assert after and after != before
    assert not LoginSession.objects.filter(session_key=before).exists()


def test_each_session_row_records_whose_it_is(client, participant):
    key = _log_in(client, participant)
    assert LoginSession.objects.get(session_key=key).user == participant


def test_logging_out_deletes_the_session_and_its_cookie_no_longer_works(client, participant):
    key = _log_in(client, participant)
    client.post(reverse("account_logout"))
    assert not LoginSession.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key  # the old cookie, kept by a thief
    assert _sends_to_login(replay)


def test_deactivating_an_account_ends_all_its_sessions_at_once(participant, faculty):
    browsers = [Client(), Client()]
    keys = [_log_in(browser, participant) for browser in browsers]
    other = Client()
    _log_in(other, faculty)
    participant.is_active = False
    participant.save()
    assert not LoginSession.objects.filter(session_key__in=keys).exists()
    assert all(_sends_to_login(browser) for browser in browsers)
    assert other.get("/cohorts/teaching/").status_code == 200


def test_withdrawing_someone_from_a_cohort_ends_their_sessions(
    client, participant, cohort, administrator
):
    key = _log_in(client, participant)
    enrolment = participant.enrolments.get(cohort=cohort)
    cohort_services.enrolment_withdraw(
        enrolment=enrolment,
        withdrawn_on=timezone.localdate(),
        reason="Moved to another district",
        acting_user=administrator,
    )
    assert not LoginSession.objects.filter(session_key=key).exists()
    assert _sends_to_login(client)


def test_ending_sessions_can_keep_the_callers_own(participant):
    here, elsewhere = Client(), Client()
    keep = _log_in(here, participant)
    _log_in(elsewhere, participant)
    assert end_sessions_for(participant, keep_session_key=keep) == 1
    assert here.get(HOME).status_code == 200
    assert _sends_to_login(elsewhere)


def test_the_daily_sweep_deletes_expired_sessions_and_throttle_rows(participant):
    from django.core.cache import cache

    from leadership.tasks import clear_expired_sessions

    live = _log_in(Client(), participant)
    expired = _log_in(Client(), participant)
    LoginSession.objects.filter(session_key=expired).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    cache.set("still-counting", 1, timeout=300)
    cache.set("long-gone", 1, timeout=300)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE leadership_cache SET expires = %s WHERE cache_key LIKE %s",
            [timezone.now() - datetime.timedelta(seconds=1), "%long-gone"],
        )
    assert clear_expired_sessions() == {"sessions": 1, "cache_rows": 1}
    assert list(LoginSession.objects.values_list("session_key", flat=True)) == [live]
    assert cache.get("still-counting") == 1
    assert clear_expired_sessions() == {"sessions": 0, "cache_rows": 0}


# --- The person read with the session (leadership.sessions.AuthenticationMiddleware) ----------


def _whoami(client):
    """The person a request is answered as."""
    return client.get(HOME).wsgi_request.user


def test_a_logged_in_request_reads_its_session_and_person_in_one_query(
    client, participant, django_assert_num_queries
):
    client.force_login(participant)
    request = RequestFactory().get(HOME)
    request.session = SessionStore(client.session.session_key)
    with django_assert_num_queries(1):
        person = user_of_session(request)
    assert person == participant


def test_a_changed_password_ends_the_other_sessions_as_django_does(client, participant):
    _log_in(client, participant)
    participant.set_password("a completely new passphrase")
    participant.save()
    assert _sends_to_login(client)  # the session's password hash no longer matches: flushed
    assert _whoami(client).is_anonymous


def test_a_rotated_secret_key_keeps_the_session_through_its_fallback(client, participant, settings):
    key = _log_in(client, participant)
    old_secret = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = [old_secret]
    person = _whoami(client)
    assert person.pk == participant.pk  # Django's own check re-keys the session
    assert client.session.session_key != key


def test_an_inactive_account_is_anonymous_even_with_its_session_row(client, participant):
    _log_in(client, participant)
    # Deactivating ends the sessions (a signal); update() leaves the row, as a database edit would.
    type(participant).objects.filter(pk=participant.pk).update(is_active=False)
    assert _whoami(client).is_anonymous


def test_a_session_whose_person_column_disagrees_is_answered_from_its_data(
    client, participant, faculty
):
    key = _log_in(client, participant)
    LoginSession.objects.filter(session_key=key).update(user=faculty)
    assert _whoami(client).pk == participant.pk


# --- The session read is the persistent connection's health check ------------------------------


def _start_of_request(database) -> None:
    # What Django does as a request starts (close_old_connections), which the test client skips.
    database.ensure_connection()
    database.health_check_enabled = True
    database.health_check_done = False


def _end_backend(pid: int) -> None:
    """End one PostgreSQL backend from another connection, as a database restart would, and
    wait until it has gone."""
    import psycopg2

    settings_dict = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432,
        password=settings_dict["PASSWORD"],
    )
    other.autocommit = True
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 30000)", [pid])
            assert cursor.fetchone() == (True,)
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_a_logged_in_request_checks_its_connection_with_its_session_read(
    client, participant, monkeypatch
):
    client.force_login(participant)
    checks = []
    original = type(connections["default"]).is_usable
    monkeypatch.setattr(
        type(connections["default"]), "is_usable", lambda self: checks.append(1) or original(self)
    )
    _start_of_request(connection)
    assert client.get(HOME).status_code == 200
    assert checks == []  # no "SELECT 1" of its own: the session read stood for it
    assert connection.health_check_done


@pytest.mark.django_db(transaction=True)
def test_a_connection_that_died_while_idle_is_replaced_and_the_page_answers(client, participant):
    client.force_login(participant)
    _start_of_request(connection)
    dead = connection.connection.get_backend_pid()
    _end_backend(dead)
    _start_of_request(connection)
    response = client.get(HOME)
    assert response.status_code == 200
    assert response.wsgi_request.user == participant
    assert connection.connection.get_backend_pid() != dead


@pytest.mark.django_db(transaction=True)
def test_an_anonymous_request_still_checks_its_connection_first(client, monkeypatch):
    checks = []
    original = type(connections["default"]).is_usable
    monkeypatch.setattr(
        type(connections["default"]), "is_usable", lambda self: checks.append(1) or original(self)
    )
    _start_of_request(connection)
    connection.cursor().execute("SELECT 1")  # any first query of a request without a session
    assert checks == [1]
