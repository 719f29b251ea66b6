"""The same form submitted twice at once (a double click): done once. Each rendered form
carries a one-time token; the service, holding the row it works under locked, finds the
token already used and hands back what the first request made. Two real requests, each on
its own database connection, made to meet at that lock (see ``concurrency``)."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from leadership.models import AuditEvent, Notification
from redesign_projects.models import Assignment, Feedback, Submission, SubmissionFile
from tests.redesign_projects.helpers import make_assignment, pdf, submit

from .concurrency import at_once


def _logged_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


@pytest.mark.django_db(transaction=True)
def test_a_double_clicked_submission_makes_one_version_with_one_file(participant, cohort):
    assignment = make_assignment(cohort, kind=Assignment.Kind.INDIVIDUAL)
    url = reverse("redesign_projects:submission_edit", args=[assignment.pk])
    # One page in the browser; the button pressed twice sends the same form twice.
    first, second = _logged_in(participant), _logged_in(participant)
    token = first.get(url).context["form"]["form_token"].value()

    def press(client):
        return lambda: client.post(
            url, {"form_token": token, "text": "Our aim", "files": [pdf()], "submit": "1"}
        )

    responses = at_once("redesign_projects_assignment", assignment.pk, press(first), press(second))

    assert [getattr(r, "status_code", r) for r in responses] == [302, 302], responses
    assert responses[0].url == responses[1].url  # both land on the one version
    version = Submission.objects.get()
    assert version.version == 1 and version.status == Submission.Status.SUBMITTED
    assert SubmissionFile.objects.filter(submission=version).count() == 1
    assert AuditEvent.objects.filter(action="submission.submit").count() == 1
    # The next page has a fresh token: a deliberate second version still works.
    again = first.get(url).context["form"]["form_token"].value()
    assert again != token
    assert first.post(url, {"form_token": again, "text": "v2", "submit": "1"}).status_code == 302
    assert Submission.objects.filter(version=2).exists()


@pytest.mark.django_db(transaction=True)
def test_double_clicked_feedback_release_saves_once_and_sends_one_e_mail(
    participant, faculty, cohort
):
    assignment = make_assignment(cohort, kind=Assignment.Kind.INDIVIDUAL)
    version = submit(assignment, by=participant, owner=participant)
    url = reverse("redesign_projects:feedback_edit", args=[version.pk])
    first, second = _logged_in(faculty), _logged_in(faculty)
    token = first.get(url).context["form"]["form_token"].value()
    form = {
        "form_token": token,
        "comments": "Clear aim; add a balancing measure.",
        "decision": "changes_requested",
        "release": "1",
    }
    mail.outbox.clear()

    responses = at_once(
        "redesign_projects_submission",
        version.pk,
        lambda: first.post(url, form),
        lambda: second.post(url, form),
    )

    assert [getattr(r, "status_code", r) for r in responses] == [302, 302], responses
    feedback = Feedback.objects.get()
    assert feedback.is_released
    assert AuditEvent.objects.filter(action="feedback.release").count() == 1
    released = Notification.objects.filter(kind=Notification.Kind.FEEDBACK_RELEASED)
    assert released.count() == 1
    assert [m.to for m in mail.outbox] == [[participant.email]]
