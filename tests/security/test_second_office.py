"""Issue 19: an administrator of a second programme enrolled a first-programme participant by
her e-mail alone, and then saw her login history (with network addresses, from before she
joined) in the audit trail, on her page and in her subject-access export.

An office sees what belongs to its own programmes: its cohorts' events and data. Logins and the
other account-wide events stay with superusers and the person. And the person is told, by
e-mail, when another office enrols the account they already have."""

import io
import json
import zipfile

import pytest
from django.core import mail
from django.urls import reverse

from cohorts.models import Enrolment
from leadership import notifications
from leadership.models import Notification
from leadership.services import audit_record
from tests.factories import CohortFactory, ProgrammeFactory, UserFactory
from tests.totp import give_authenticator_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_office():
    """Another programme office: its programme, a cohort and its administrator."""
    programme = ProgrammeFactory(name="Primary Care Leaders", slug="pcl")
    cohort = CohortFactory(programme=programme, name="PCL 1", slug="pcl-1")
    administrator = UserFactory(email="office2@example.org", first_name="Tui")
    programme.administrators.add(administrator)
    give_authenticator_app(administrator)
    return {"programme": programme, "cohort": cohort, "administrator": administrator}


def _her_account_history(participant, cohort) -> None:
    """What programme 1 holds about her: logins with network addresses, an e-mail, an event."""
    for ip in ("10.9.8.7", "10.9.8.8"):
        audit_record(
            actor=participant, action="auth.login", target=participant,
            person_id=participant.pk, changes={"methods": ["password"], "ip": ip},
        )  # fmt: skip
    audit_record(actor=participant, action="mfa.totp_enabled", target=participant,
                 person_id=participant.pk)  # fmt: skip
    audit_record(
        actor=None, action="attendance.record", target=cohort, cohort_id=cohort.pk,
        person_id=participant.pk, changes={"note": "Left early for a clinic"},
    )  # fmt: skip
    notifications.notify(
        recipient=participant, kind=Notification.Kind.SESSION_REMINDER, dedup_key="p1:reminder",
        template="generic", context={"subject": "Module 2", "message": "Thursday"},
        cohort_id=cohort.pk,
    )  # fmt: skip


def _enrol_by_email(client, office, participant):
    client.force_login(office["administrator"])
    response = client.post(
        reverse("cohorts:enrolment_create", args=[office["cohort"].pk]),
        {"email": participant.email, "role": "participant", "profession": "nurse"},
    )
    assert response.status_code == 302
    return Enrolment.objects.get(cohort=office["cohort"], person=participant)


def test_a_second_office_sees_none_of_her_account_history_in_the_audit_trail(
    client, cohort, participant, second_office
):
    _her_account_history(participant, cohort)
    _enrol_by_email(client, second_office, participant)
    page = client.get(reverse("governance:audit_log"), {"person": participant.first_name})
    shown = {event.action for event in page.context["page"]}
    assert shown == {"enrolment.create"}
    html = page.content.decode()
    assert "10.9.8.7" not in html and "Left early" not in html


def test_a_second_office_sees_none_of_it_on_her_page(client, cohort, participant, second_office):
    _her_account_history(participant, cohort)
    _enrol_by_email(client, second_office, participant)
    page = client.get(
        reverse("reports:person_detail", args=[second_office["cohort"].pk, participant.pk])
    )
    assert [event.action for event in page.context["history"]] == ["enrolment.create"]
    assert "10.9.8.7" not in page.content.decode()


def test_a_second_offices_export_of_her_holds_only_its_own_cohorts(
    client, cohort, participant, second_office
):
    _her_account_history(participant, cohort)
    _enrol_by_email(client, second_office, participant)
    response = client.post(reverse("governance:person_export", args=[participant.pk]))
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        data = json.loads(archive.read("data.json"))
        everything = b"".join(archive.read(name) for name in archive.namelist())
    assert {event["code"] for event in data["audit_events"]} == {"enrolment.create"}
    # Programme 1's reminder is not theirs to see; their own e-mail to her is.
    assert [e["kind"] for e in data["emails_to_you"]] == ["Enrolled by another programme office"]
    assert [e["cohort"] for e in data["enrolments"]] == ["PCL 1"]
    assert data["profile"][0]["last_login"] is None
    assert data["sign_in_methods"] == [] and data["calendar_feeds"] == []
    assert b"10.9.8.7" not in everything and b"Left early" not in everything


def test_her_own_export_still_holds_everything(client, cohort, participant, second_office):
    _her_account_history(participant, cohort)
    _enrol_by_email(client, second_office, participant)
    client.force_login(participant)
    response = client.post(reverse("governance:my_data_export"))
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        data = json.loads(archive.read("data.json"))
    codes = {event["code"] for event in data["audit_events"]}
    assert {"auth.login", "mfa.totp_enabled", "attendance.record", "enrolment.create"} <= codes
    assert len(data["emails_to_you"]) >= 1


def test_she_is_told_by_e_mail_that_another_office_enrolled_her(
    client, cohort, participant, second_office
):
    mail.outbox.clear()
    _enrol_by_email(client, second_office, participant)
    notifications.send_due()
    (message,) = [m for m in mail.outbox if participant.email in m.to]
    assert message.subject == "Primary Care Leaders has enrolled you in PCL 1"
    assert "The programme office of Primary Care Leaders has enrolled you in PCL 1" in message.body
    html = next(body for body, kind in message.alternatives if kind == "text/html")
    assert "Primary Care Leaders" in html
    row = Notification.objects.get(kind=Notification.Kind.PROGRAMME_ADDED)
    assert (row.recipient, row.cohort_id) == (participant, second_office["cohort"].pk)
    # Nobody can opt out of it: it is how she learns another office sees her account.
    assert "List-Unsubscribe" not in message.extra_headers


def test_her_own_office_enrolling_her_again_sends_no_such_e_mail(
    client, administrator, participant, programme, second_office
):
    mail.outbox.clear()
    another = CohortFactory(programme=programme, name="Cohort 5", slug="ecm-cohort-5")
    client.force_login(administrator)
    client.post(
        reverse("cohorts:enrolment_create", args=[another.pk]),
        {"email": participant.email, "role": "participant", "profession": "nurse"},
    )
    assert Enrolment.objects.filter(cohort=another, person=participant).exists()
    assert not Notification.objects.filter(kind=Notification.Kind.PROGRAMME_ADDED).exists()
    # ... and a second cohort of the second office tells her only once.
    _enrol_by_email(client, second_office, participant)
    later = CohortFactory(programme=second_office["programme"], name="PCL 2", slug="pcl-2")
    client.post(
        reverse("cohorts:enrolment_create", args=[later.pk]),
        {"email": participant.email, "role": "participant", "profession": "nurse"},
    )
    assert Enrolment.objects.filter(cohort=later, person=participant).exists()
    assert Notification.objects.filter(kind=Notification.Kind.PROGRAMME_ADDED).count() == 1
