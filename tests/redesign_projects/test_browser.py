"""A participant submits a file for their team, faculty request changes, the participant
resubmits, faculty accept; the team page shows both versions. Real Chromium, live server."""

import re

import pytest
from django.urls import get_resolver
from playwright.sync_api import expect

from tests.browser import log_in

from .helpers import PDF_BYTES, make_assignment, make_team, participant_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _upload(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}


def test_a_submission_goes_through_changes_requested_to_accepted(
    page, browser, live_server, cohort, participant, faculty
):
    team = make_team(
        cohort, lead=participant, members=[participant_in(cohort, profession="nurse")], name="Flow"
    )
    assignment = make_assignment(cohort, title="Driver diagram")
    # Import every app's views now: on a loaded machine the first request otherwise spends
    # most of the page's 10 s timeout importing heavy libraries (scipy, openpyxl).
    get_resolver().resolve("/")

    log_in(page, live_server, participant.email)
    page.goto(f"{live_server.url}/projects/assignments/{assignment.pk}/")
    page.get_by_role("link", name="Start your submission").click()
    page.get_by_label("Text").fill("Our first driver diagram.")
    page.get_by_label("Add files").set_input_files(_upload("drivers v1.pdf"))
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("version 1")
    version_1 = page.url

    reviewer = browser.new_page()
    reviewer.set_default_timeout(10_000)
    log_in(reviewer, live_server, faculty.email)
    reviewer.goto(version_1)
    reviewer.get_by_role("link", name="Give feedback").click()
    reviewer.get_by_label("Comments").fill("Add a balancing measure, then resubmit.")
    reviewer.get_by_label("Changes requested").check()
    reviewer.get_by_role("button", name="Save and release").click()
    expect(reviewer.locator("#feedback-decision")).to_have_text("Changes requested")

    page.goto(version_1)
    expect(page.locator("#feedback-decision")).to_have_text("Changes requested")
    page.get_by_role("link", name="Work on a new version").click()
    page.get_by_label("Text").fill("Second diagram, with a balancing measure.")
    page.get_by_label("Add files").set_input_files(_upload("drivers v2.pdf"))
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("version 2")
    version_2 = page.url

    reviewer.goto(version_2)
    reviewer.get_by_role("link", name="Give feedback").click()
    reviewer.get_by_label("Comments").fill("Clear and measurable. Accepted.")
    reviewer.get_by_label("Accepted").check()
    reviewer.get_by_role("button", name="Save and release").click()
    expect(reviewer.locator("#feedback-decision")).to_have_text("Accepted")

    page.goto(f"{live_server.url}/projects/teams/{team.pk}/")
    submissions = page.locator("#submissions-heading + article, article.submission")
    expect(submissions).to_have_count(2)
    expect(page.get_by_role("link", name=re.compile("Driver diagram — version 1"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Driver diagram — version 2"))).to_be_visible()
    expect(page.get_by_text("Feedback: Accepted")).to_be_visible()
    expect(page.get_by_text("Feedback: Changes requested")).to_be_visible()
    expect(page.get_by_role("link", name="drivers v2.pdf")).to_be_visible()
    expect(page.locator("[data-status='accepted']")).to_have_text("Accepted")
    reviewer.close()
