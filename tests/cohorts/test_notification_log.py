"""A cohort's e-mail log: its administrators see every e-mail, filter it and send a failed one
again; nobody outside the cohort finds it."""

import pytest
from django.urls import reverse

from leadership.models import AuditEvent, Notification

pytestmark = pytest.mark.django_db


def test_the_log_shows_a_cohorts_e_mails_with_filters_and_a_retry_for_failures(
    client,
    administrator,
    cohort,
    participant,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    def row(key, **fields):
        return Notification.objects.create(
            recipient=participant,
            kind="session_reminder",
            dedup_key=key,
            cohort_id=cohort.pk,
            template="generic",
            context={"subject": "s", "message": "m"},
            **fields,
        )

    for n in range(3):
        row(f"ok{n}", status="sent")
    failed = row("bad", status="failed", attempts=5, last_error="550 nope")
    client.force_login(administrator)
    url = reverse("notification_log", args=[cohort.pk])
    # the session with its person, the cohort with the user's roles in it and the navigation's, the
    # rows with their recipients
    with django_assert_num_queries(3):
        page = client.get(url)
    assert page.content.decode().count("<tr>") == 5  # header + 4 rows
    failures = client.get(url, {"status": "failed"}).content.decode()
    assert "550 nope" in failures and failures.count("<tr>") == 2

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("notification_retry", args=[failed.pk]))
    failed.refresh_from_db()
    assert failed.status == Notification.Status.SENT  # eager sender ran after commit
    assert AuditEvent.objects.filter(action="notification.retry", actor=administrator).exists()


def test_the_log_is_not_found_for_people_outside_the_cohort(client, other_participant, cohort):
    client.force_login(other_participant)
    assert client.get(reverse("notification_log", args=[cohort.pk])).status_code == 404


@pytest.mark.parametrize("count", [3, 130])
def test_the_log_pages_with_the_same_queries_whatever_the_number_of_e_mails(
    client, administrator, cohort, participant, other_participant, django_assert_num_queries, count
):
    people = [participant, other_participant]
    rows = Notification.objects.bulk_create(
        Notification(
            recipient=people[n % 2],
            kind="session_reminder" if n % 3 else "feedback_released",
            dedup_key=f"k{n}",
            cohort_id=cohort.pk,
            template="generic",
            status="sent",
        )
        for n in range(count)
    )
    newest_first = sorted(rows, key=lambda row: (row.scheduled_for, row.pk), reverse=True)
    client.force_login(administrator)
    url = reverse("notification_log", args=[cohort.pk])
    walked, params = [], {}
    while True:
        # the session with its person, the cohort with the user's roles in it and the navigation's,
        # one page of rows with their recipients
        with django_assert_num_queries(3):
            page = client.get(url, params).context["page"]
        walked += page.rows
        if not page.older:
            break
        params = {"older": page.older}
    assert [row.pk for row in walked] == [row.pk for row in newest_first]
    kind = client.get(url, {"kind": "feedback_released", "person": participant.last_name})
    shown = kind.context["page"].rows
    assert {(row.kind, row.recipient_id) for row in shown} == {
        ("feedback_released", participant.pk)
    }


def test_each_row_shows_its_e_mail_escaped_with_a_retry_form_only_when_it_failed(
    client, administrator, cohort, participant
):
    participant.first_name, participant.last_name = "<script>alert(1)</script>", "O'Neil"
    participant.save()
    for key, status, error in (("sent", "sent", ""), ("bad", "failed", "5" * 130 + "<b>")):
        Notification.objects.create(
            recipient=participant,
            kind="session_reminder",
            dedup_key=key,
            cohort_id=cohort.pk,
            template="generic",
            status=status,
            attempts=3,
            last_error=error,
        )
    failed = Notification.objects.get(dedup_key="bad")
    client.force_login(administrator)
    html = client.get(reverse("notification_log", args=[cohort.pk])).content.decode()
    name = "&lt;script&gt;alert(1)&lt;/script&gt; O&#x27;Neil"
    assert "<script>alert" not in html and html.count(name) == 3  # two rows, one retry label
    assert '<span class="badge text-bg-success">Sent</span>' in html
    assert '<span class="badge text-bg-danger">Failed</span>' in html
    assert "Session reminder" in html and "<td>3</td>" in html
    assert "5" * 119 + "…" in html and "5" * 120 not in html  # truncated, as truncatechars:120
    retry = reverse("notification_retry", args=[failed.pk])
    assert html.count("/retry/") == 1  # a retry form for the failed one only
    assert (
        f'<form method="post" action="{retry}"><input type="hidden" name="csrfmiddlewaretoken"'
        in html
    )
    assert f"> e-mail to {name}</span>" in html
