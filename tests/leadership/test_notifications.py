"""Record first, send once: the notification pipeline with real SMTP and a real worker."""

import re
import smtplib
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from leadership import notifications
from leadership.models import Notification, NotificationPreference
from tests.factories import UserFactory
from tests.faults.processes import wait_for


def _remind(person, key="session-reminder:1:14", **extra):
    return notifications.notify(
        recipient=person,
        kind=Notification.Kind.SESSION_REMINDER,
        dedup_key=key,
        template="generic",
        context={"subject": "See you on Thursday", "message": "Module 2 starts at 09:00."},
        **extra,
    )


def test_a_reminder_planned_twice_is_recorded_and_sent_once(participant):
    assert _remind(participant) is not None
    assert _remind(participant) is None
    assert Notification.objects.count() == 1
    notifications.send_due()
    notifications.send_due()
    assert len(mail.outbox) == 1
    assert Notification.objects.get().status == Notification.Status.SENT


def test_the_e_mail_is_html_and_text_with_a_one_click_way_to_stop_that_kind(client, participant):
    _remind(participant)
    notifications.send_due()
    message = mail.outbox[0]
    assert message.subject == "See you on Thursday"
    assert "Module 2 starts at 09:00." in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Module 2 starts at 09:00." in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.search(r"http://\S+/notifications/stop/\S+/", message.body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]

    page = client.get(path)
    assert page.status_code == 200
    assert not NotificationPreference.objects.exists()  # a GET changes nothing
    client.post(path)
    assert NotificationPreference.objects.filter(
        person=participant, kind=Notification.Kind.SESSION_REMINDER
    ).exists()
    assert _remind(participant, key="session-reminder:2:14") is None


def test_a_tampered_preference_link_is_not_found(client, participant):
    token = notifications.preference_token(participant, Notification.Kind.SESSION_REMINDER)
    response = client.get(reverse("notification_preferences_link", args=[token + "x"]))
    assert response.status_code == 404


# --- one-click unsubscribe (RFC 8058; issue 19) -------------------------------------------------


def _one_click_url(person, kind=Notification.Kind.SESSION_REMINDER) -> str:
    token = notifications.preference_token(person, kind)
    return reverse("notification_preferences_link", args=[token])


def test_a_mail_programs_one_click_post_needs_no_cookie_or_csrf_token(participant):
    """What the mail program sends: the RFC's body, from nowhere near our pages."""
    mail_program = Client(enforce_csrf_checks=True)
    response = mail_program.post(
        _one_click_url(participant),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
        HTTP_ORIGIN="https://mail.example.net",
    )
    assert response.status_code == 302
    assert NotificationPreference.objects.filter(
        person=participant, kind=Notification.Kind.SESSION_REMINDER
    ).exists()


def test_the_pages_own_stop_button_still_needs_its_csrf_token(participant):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(_one_click_url(participant)).status_code == 403
    assert not NotificationPreference.objects.exists()


def test_a_one_click_post_from_another_site_reaches_only_the_tokens_owner(
    participant, other_participant
):
    """Whatever session comes along, only the person and kind in the signed token change;
    without a valid token, nothing does."""
    someone_else = Client(enforce_csrf_checks=True)
    someone_else.force_login(other_participant)
    one_click = {"data": "List-Unsubscribe=One-Click"}
    one_click["content_type"] = "application/x-www-form-urlencoded"
    assert someone_else.post(_one_click_url(participant) + "x/", **one_click).status_code == 404
    forged = reverse("notification_preferences_link", args=["e30:forged"])
    assert someone_else.post(forged, **one_click).status_code == 404
    assert not NotificationPreference.objects.exists()
    someone_else.post(_one_click_url(participant), **one_click)
    assert list(NotificationPreference.objects.values_list("person", "kind")) == [
        (participant.pk, Notification.Kind.SESSION_REMINDER)
    ]


def test_an_opt_out_after_planning_cancels_the_message_at_send_time(participant):
    _remind(participant)
    notifications.preference_opt_out(person=participant, kind=Notification.Kind.SESSION_REMINDER)
    notifications.send_due()
    assert mail.outbox == []
    assert Notification.objects.get().status == Notification.Status.CANCELLED


def test_nobody_can_opt_out_of_an_invitation(participant):
    assert not notifications.preference_opt_out(
        person=participant, kind=Notification.Kind.INVITATION
    )
    assert notifications.invitation_notify(
        person=participant, programme_name="ECM", cohort_name="Cohort 3", cohort_id=1
    )


def test_an_invitation_link_lets_the_person_set_a_password_once(client, db):
    person = UserFactory(email="new.person@example.org", password=None)
    person.set_unusable_password()
    person.save()
    notifications.invitation_notify(
        person=person, programme_name="ECM", cohort_name="Cohort 3", cohort_id=1
    )
    notifications.send_due()
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body)
    path = "/" + link.group(0).split("://", 1)[1].split("/", 1)[1]
    action = client.get(path, follow=True).context["action_url"]
    password = "tui-sing-at-dawn-2026"
    client.post(action, {"password1": password, "password2": password})
    person.refresh_from_db()
    assert person.check_password(password)
    assert client.get(path, follow=True).context["token_fail"] is True


def test_an_administrator_can_mark_a_kind_required_so_opt_outs_are_ignored(participant):
    from leadership.models import RequiredNotificationKind

    NotificationPreference.objects.create(
        person=participant, kind=Notification.Kind.SESSION_REMINDER
    )
    RequiredNotificationKind.objects.create(kind=Notification.Kind.SESSION_REMINDER)
    assert _remind(participant) is not None


def test_recording_inside_a_transaction_queues_one_sender_after_commit(
    participant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        for n in range(5):
            _remind(participant, key=f"session-reminder:{n}:14")
    assert len(callbacks) == 1


def test_a_reminder_for_later_waits_until_it_is_due(participant):
    later = timezone.now() + timezone.timedelta(days=2)
    _remind(participant, scheduled_for=later)
    notifications.send_due()
    assert mail.outbox == []
    with time_machine.travel(later + timezone.timedelta(minutes=1)):
        notifications.send_due()
    assert len(mail.outbox) == 1


def test_a_server_that_refuses_twice_gets_the_message_on_the_third_attempt(
    participant, smtp_server, smtp_settings
):
    smtp_server.handler.refuse_first = 2
    _remind(participant)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for expected_status in ("pending", "pending", "sent"):
            notifications.send_due()
            row = Notification.objects.get()
            assert row.status == expected_status
            clock.shift(row.next_attempt_at - timezone.now())
    assert row.attempts == 3
    assert smtp_server.handler.attempts == 3
    assert smtp_server.handler.keys() == ["session-reminder:1:14"]


def test_a_temporary_failure_backs_off_exponentially_then_gives_up_and_shows_the_error(
    participant, smtp_server, smtp_settings
):
    smtp_settings.NOTIFICATION_MAX_ATTEMPTS = 3
    smtp_server.handler.refuse_first = 10
    _remind(participant)
    start = timezone.now()
    delays = []
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(3):
            notifications.send_due()
            row = Notification.objects.get()
            delays.append((row.next_attempt_at - timezone.now()).total_seconds())
            clock.shift(row.next_attempt_at - timezone.now())
    assert delays[:2] == [60, 120]
    assert row.status == Notification.Status.FAILED
    assert "451" in row.last_error


def test_a_permanent_refusal_fails_at_once(participant, settings, monkeypatch):
    def refuse(self, messages):
        raise smtplib.SMTPRecipientsRefused({participant.email: (550, b"No such user")})

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    _remind(participant)
    notifications.send_due()
    row = Notification.objects.get()
    assert row.status == Notification.Status.FAILED
    assert row.attempts == 1


def test_claims_left_by_a_dead_worker_are_released_after_the_lease(participant, settings):
    settings.NOTIFICATION_CLAIM_LEASE_SECONDS = 60
    _remind(participant)
    assert notifications.claim_due(batch_size=10)
    assert notifications.release_stale_claims() == 0
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=61)):
        assert notifications.release_stale_claims() == 1
    assert Notification.objects.get().status == Notification.Status.PENDING


@pytest.mark.django_db(transaction=True)
def test_a_dead_senders_claim_goes_back_at_the_next_sweep_and_a_live_ones_never(participant):
    """A sender holds its advisory lock while it holds its rows (issue 19: a killed worker's
    rows used to wait out a 600 s lease). Its own connection, as a worker process has."""
    Notification.objects.bulk_create(  # recorded without queueing a sender (eager here)
        Notification(
            recipient=participant, kind="session_reminder", dedup_key=f"k{n}",
            template="generic", context={"subject": "Soon", "message": "Module 2."},
        )
        for n in range(3)
    )  # fmt: skip
    claimed, die = threading.Event(), threading.Event()

    def sender() -> None:
        with notifications.claim_lock() as key:
            assert len(notifications.claim_due(batch_size=10, claimed_by=key)) == 3
            claimed.set()
            die.wait(timeout=20)
            connection.close()  # the process is killed: its session ends, lock and all

    thread = threading.Thread(target=sender)
    thread.start()
    assert claimed.wait(timeout=20)
    # Alive: its rows stay with it, however long it takes (no lease for a keyed claim).
    with time_machine.travel(timezone.now() + timezone.timedelta(days=1)):
        assert notifications.release_stale_claims() == 0
    die.set()
    thread.join(timeout=20)
    # The server ends the closed session a moment later; the next sweep releases its rows.
    assert wait_for(notifications.release_stale_claims, timeout=10) == 3
    assert set(Notification.objects.values_list("status", flat=True)) == {"pending"}
    notifications.send_due()
    assert len(mail.outbox) == 3


def test_two_claimers_never_take_the_same_rows(participant):
    for n in range(10):
        _remind(participant, key=f"k{n}")
    first = notifications.claim_due(batch_size=6)
    second = notifications.claim_due(batch_size=6)
    assert len(first) == 6 and len(second) == 4
    assert not set(first) & set(second)
