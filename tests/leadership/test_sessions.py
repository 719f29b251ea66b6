"""Sessions end after 30 idle minutes, 10 hours after login whatever happens, on logout and
when the account is deactivated — server-side, not just in the browser."""

import datetime

import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

HOME = "/cohorts/mine/"


def _log_in(client, person):
    response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302
    return client.session.session_key


def test_thirty_idle_minutes_end_the_session(client, participant):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        key = _log_in(client, participant)
        assert client.get(HOME).status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        response = client.get(HOME)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not Session.objects.filter(session_key=key).exists()


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
    client.get(reverse("account_login"))
    before = client.session.session_key or client.cookies.get("sessionid")
    after = _log_in(client, participant)
    assert after and after != before


def test_logging_out_deletes_the_session_on_the_server(client, participant):
    key = _log_in(client, participant)
    client.post(reverse("account_logout"))
    assert not Session.objects.filter(session_key=key).exists()


def test_a_deactivated_account_is_logged_out_on_its_next_request(client, participant):
    _log_in(client, participant)
    participant.is_active = False
    participant.save()
    response = client.get(HOME)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
