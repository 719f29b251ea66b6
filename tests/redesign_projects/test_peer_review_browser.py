"""A peer-review round end to end in Chromium: the programme office allocates reviewers
round-robin from the assignment page, a participant writes their review from their start
page's to-do, and the authors read it as "Reviewer 1" while the office reads the name."""

import os
import re

import pytest
from django.urls import get_resolver
from playwright.sync_api import expect

from redesign_projects.models import PeerReview
from tests.browser import log_in

from .helpers import make_assignment, make_team, participant_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("PEER_REVIEW_SCREENSHOTS")  # a folder, to look at the pages


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_the_office_allocates_a_reviewer_reviews_and_the_author_reads_it_anonymously(
    page, browser, live_server, cohort, administrator, participant
):
    cohort.peer_review_enabled = True
    cohort.save()
    assignment = make_assignment(cohort, title="Driver diagram")
    for n in range(3):
        lead = participant if n == 0 else participant_in(cohort, first_name=f"Lead{n}")
        team = make_team(cohort, lead=lead, members=[lead], name=f"Ward {n} team")
        submit(assignment, by=lead, team=team, text=f"Ward {n}'s driver diagram")
    get_resolver().resolve("/")  # import every view before the first timed request

    log_in(page, live_server, administrator.email)
    page.goto(f"{live_server.url}/projects/assignments/{assignment.pk}/")
    page.get_by_role("link", name="Peer reviewers").click()
    page.get_by_label("Reviewers per piece of work").select_option("1")
    page.get_by_role("button", name="Allocate round-robin avoiding own team").click()
    expect(page.get_by_role("status").or_(page.locator(".alert-success"))).to_contain_text(
        "Allocated 3 review(s)"
    )
    _shot(page, "peer-review-allocation")

    mine = PeerReview.objects.select_related("submission__team").get(reviewer=participant)
    author = mine.submission.team.clinical_lead
    assert author != participant

    reviewer = browser.new_page()
    reviewer.set_default_timeout(10_000)
    log_in(reviewer, live_server, participant.email)
    reviewer.get_by_role("link", name=re.compile(rf"Review {mine.submission.team.name}")).click()
    expect(reviewer.get_by_role("heading", level=1)).to_contain_text("Peer review")
    rubric = PeerReview.RUBRIC
    reviewer.get_by_role("group", name=rubric[0][1]).get_by_label("Mostly").check()
    reviewer.get_by_role("group", name=rubric[1][1]).get_by_label("Partly").check()
    reviewer.get_by_role("group", name=rubric[2][1]).get_by_label("Fully").check()
    reviewer.get_by_label("What works well").fill("A clear aim with a date.")
    reviewer.get_by_label("What would make it stronger").fill("Add a balancing measure.")
    _shot(reviewer, "peer-review-form")
    reviewer.get_by_role("button", name="Send the review").click()
    expect(reviewer.locator("body")).to_contain_text("Your review was sent")
    expect(reviewer.locator("body")).not_to_contain_text("Peer reviews to write")

    reader = browser.new_page()
    reader.set_default_timeout(10_000)
    log_in(reader, live_server, author.email)
    reader.goto(f"{live_server.url}/projects/submissions/{mine.submission.pk}/")
    reviews = reader.locator("#peer-reviews")
    expect(reviews).to_contain_text("Reviewer 1")
    expect(reviews).to_contain_text("Add a balancing measure.")
    expect(reviews).to_contain_text("Mostly")
    expect(reviews).not_to_contain_text(str(participant))
    _shot(reader, "peer-review-read-by-author")

    page.goto(f"{live_server.url}/projects/submissions/{mine.submission.pk}/")
    expect(page.locator("#peer-reviews")).to_contain_text(str(participant))
