"""In Chromium against a live server: a participant answers a session's evaluation from the
e-mail that asks for it, with the keyboard-and-screen-reader form (each scale a group named
by its question), and their answers are stored without their name."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from evaluation.models import EvaluationAnswer, EvaluationInvitation, EvaluationResponse
from evaluation.reminders import plan_session_evaluations
from modules.models import Attendance
from tests.a11y.axe import describe, page_violations, serious_violations
from tests.browser import log_in
from tests.conftest import PASSWORD
from tests.evaluation.helpers import answer, attendees, held_session, make_form, open_evaluation

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_participant_evaluates_a_session_from_the_email_link(
    page: Page, live_server, settings, mailoutbox, cohort, administrator, participant
):
    settings.SITE_URL = live_server.url  # links in e-mails point at the live server
    make_form(cohort.programme, administrator, name="Module day")
    session = held_session(cohort, title="Culture and change")
    Attendance.objects.create(session=session, person=participant, status="present")
    assert plan_session_evaluations(now=timezone.now()) == 1
    (email,) = [m for m in mailoutbox if m.to == [participant.email]]
    assert "Culture and change" in email.subject
    link = re.search(rf"{re.escape(live_server.url)}/\S+", email.body).group()

    page.goto(link)  # not logged in yet: the login page brings her back to the form
    page.get_by_label(re.compile("e-?mail", re.IGNORECASE)).fill(participant.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How was Culture and change?")
    assert describe(serious_violations(page)) == ""

    # Sending it empty names what is missing, next to each question.
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")

    worth = page.get_by_role("group", name=re.compile("The session was worth my time"))
    worth.get_by_label("4 – Agree").focus()
    page.keyboard.press("Space")
    expect(worth.get_by_label("4 – Agree")).to_be_checked()
    page.get_by_role("group", name=re.compile("The pace was")).get_by_label("About right").check()
    page.get_by_label(re.compile("What would you change")).fill("More time for the case study.")
    page.get_by_role("button", name="Send my answers").click()

    expect(page.get_by_text("your answers are in, without your name")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Evaluate Culture and change"))).to_have_count(
        0
    )
    invitation = EvaluationInvitation.objects.get(person=participant)
    assert invitation.responded_on is not None
    response = EvaluationResponse.objects.get()
    assert {a.rating or a.choice or a.text for a in EvaluationAnswer.objects.all()} == {
        4,
        "About right",
        "More time for the case study.",
    }
    assert response.evaluation_id == invitation.evaluation_id


def test_the_results_pass_axe_on_a_phone_and_their_bars_scroll_by_keyboard(
    page: Page, live_server, cohort, administrator
):
    """The answers' bar charts are wider than a phone: the box that scrolls them is a named
    region the keyboard can reach (axe's scrollable-region-focusable), at 360 and 1280 px."""
    form = make_form(cohort.programme, administrator)
    session = held_session(cohort)
    people = attendees(cohort, session, 3)
    evaluation = open_evaluation(session, form, people)
    for person in people:
        answer(evaluation, person)
    log_in(page, live_server, administrator.email)
    for path in (
        f"/evaluation/sessions/{session.pk}/results/",
        f"/evaluation/modules/{session.module_id}/results/",
    ):
        page.goto(live_server.url + path)
        figure = page.locator(".distribution-figure").first
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            assert describe(page_violations(page)) == "", (path, width)
        expect(figure).to_have_attribute("tabindex", "0")
        expect(figure).to_have_attribute("role", "region")
