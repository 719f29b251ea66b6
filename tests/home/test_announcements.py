"""The programme office writes to a cohort, a team or a filtered set: a preview with the count
and one rendered example, then one e-mail each through the outbox (never doubled), in the
cohort's e-mail log and the audit trail. What people type is text, never HTML."""

import uuid

import pytest
from django.core import mail
from django.urls import reverse

from cohorts.models import Announcement
from cohorts.privacy import export_enrolments
from home.announcements import audience_for
from leadership import notifications
from leadership.models import AuditEvent, Notification
from redesign_projects.models import Assignment
from tests.redesign_projects.helpers import make_assignment, make_team, participant_in, submit

pytestmark = pytest.mark.django_db

BODY = "Module 2 is in room 4.\n\nBring <b>your A3</b> & see https://example.org/map"


def _post(client, cohort, action, *, token, **fields):
    data = {
        "subject": "Room change",
        "body": BODY,
        "form_token": str(token),
        "action": action,
        **fields,
    }
    return client.post(reverse("home:announcement_create", args=[cohort.pk]), data)


def test_preview_then_send_records_one_e_mail_each_in_the_log_and_the_audit_trail(
    client, cohort, administrator, participant, faculty, clinical_leader
):
    programme = cohort.programme
    programme.email_greeting, programme.email_sign_off = "Dear", "The programme office"
    programme.save()
    client.force_login(administrator)
    token = uuid.uuid4()

    preview = _post(client, cohort, "preview", token=token)
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "<strong>3 people</strong>: Everyone in Cohort 3." in html
    example = preview.context["preview"]["example"]
    assert example["subject"] == "Room change"
    assert example["text"].startswith("Dear ")
    assert "The programme office" in example["text"]
    assert "Bring &lt;b&gt;your A3&lt;/b&gt;" in html and "<b>your A3</b>" not in html
    assert not Notification.objects.exists() and not Announcement.objects.exists()

    digest = preview.context["form"].data["previewed"]
    sent = _post(client, cohort, "send", token=token, previewed=digest)
    again = _post(client, cohort, "send", token=token, previewed=digest)
    assert sent.status_code == again.status_code == 302

    (announcement,) = Announcement.objects.all()
    assert announcement.recipient_count == 3 and announcement.sent_by == administrator
    rows = Notification.objects.filter(kind="announcement")
    assert {row.recipient for row in rows} == {participant, faculty, clinical_leader}
    assert all(row.cohort_id == cohort.pk for row in rows)
    event = AuditEvent.objects.get(action="announcement.send")
    assert event.actor == administrator
    assert event.changes["recipients"] == 3
    # What they wrote is part of what is held about them (subject access).
    held = export_enrolments(administrator, None).sections["announcements_sent"]
    assert [(a["subject"], a["to"]) for a in held] == [("Room change", "Everyone in Cohort 3")]

    log = client.get(reverse("notification_log", args=[cohort.pk]) + "?kind=announcement")
    assert {row.pk for row in log.context["page"].rows} == {row.pk for row in rows}

    mail.outbox.clear()
    notifications.send_due()
    assert len(mail.outbox) == 3
    message = mail.outbox[0]
    html_part = message.alternatives[0][0]
    assert "Bring &lt;b&gt;your A3&lt;/b&gt; &amp; see" in html_part
    assert '<a href="https://example.org/map"' in html_part
    assert "<b>your A3</b>" in message.body  # the plain text says what was typed


def test_an_edit_after_the_preview_is_previewed_again_not_sent(client, cohort, administrator):
    participant_in(cohort)
    client.force_login(administrator)
    token = uuid.uuid4()
    preview = _post(client, cohort, "preview", token=token)
    digest = preview.context["form"].data["previewed"]
    response = client.post(
        reverse("home:announcement_create", args=[cohort.pk]),
        {
            "subject": "Room change (edited)",
            "body": BODY,
            "form_token": str(token),
            "previewed": digest,
            "action": "send",
        },
    )
    assert response.status_code == 200
    assert "It changed since the preview" in response.content.decode()
    assert not Announcement.objects.exists()


def test_audiences_by_role_team_and_work_not_submitted(cohort, faculty, participant):
    lead, member, other_lead = (participant_in(cohort, profession="doctor") for _ in range(3))
    flow = make_team(cohort, lead=lead, members=[member], name="Flow")
    make_team(cohort, lead=other_lead, name="Frailty")
    team_work = make_assignment(cohort, title="Driver diagram")
    own_work = make_assignment(cohort, title="Reflection", kind=Assignment.Kind.INDIVIDUAL)
    submit(team_work, by=other_lead, team=flow.cohort.redesign_teams.get(name="Frailty"))
    submit(own_work, by=lead, owner=lead)

    participants = audience_for(cohort, role="participant")
    assert set(participants.people) == {lead, member, other_lead, participant}
    assert participants.label == "Participants in Cohort 3"
    assert set(audience_for(cohort, team=flow).people) == {lead, member}
    owing_team = audience_for(cohort, not_submitted=team_work)
    assert set(owing_team.people) == {lead, member}
    assert owing_team.label == "Everyone in Cohort 3 who have not submitted “Driver diagram”"
    assert set(audience_for(cohort, not_submitted=own_work).people) == {
        member,
        other_lead,
        participant,
    }
    assert audience_for(cohort, role="faculty", not_submitted=own_work).people == []


def test_a_team_gets_its_own_announcement(client, cohort, administrator, participant):
    lead = participant_in(cohort, profession="doctor")
    flow = make_team(cohort, lead=lead, name="Flow")
    client.force_login(administrator)
    token = uuid.uuid4()
    preview = _post(client, cohort, "preview", token=token, team=str(flow.pk))
    digest = preview.context["form"].data["previewed"]
    _post(client, cohort, "send", token=token, team=str(flow.pk), previewed=digest)
    assert list(
        Notification.objects.filter(kind="announcement").values_list("recipient", flat=True)
    ) == [lead.pk]
    assert Announcement.objects.get().audience_label == "Everyone in Flow"


def test_nobody_matching_is_said_and_nothing_can_be_sent(client, cohort, administrator):
    client.force_login(administrator)
    response = _post(client, cohort, "preview", token=uuid.uuid4(), role="coach")
    html = response.content.decode()
    assert "Nobody matches “Coaches in Cohort 3”" in html
    assert 'value="send"' not in html


def test_people_who_opted_out_of_announcements_get_none(
    client, cohort, administrator, participant, faculty
):
    notifications.preference_opt_out(person=participant, kind="announcement")
    client.force_login(administrator)
    token = uuid.uuid4()
    preview = _post(client, cohort, "preview", token=token)
    _post(
        client,
        cohort,
        "send",
        token=token,
        previewed=preview.context["form"].data["previewed"],
    )
    assert list(
        Notification.objects.filter(kind="announcement").values_list("recipient", flat=True)
    ) == [faculty.pk]


def test_the_list_shows_what_was_sent_and_says_what_will_appear(client, cohort, administrator):
    client.force_login(administrator)
    page = client.get(reverse("home:announcement_list", args=[cohort.pk])).content.decode()
    assert "No announcements yet." in page
    assert reverse("home:announcement_create", args=[cohort.pk]) in page
