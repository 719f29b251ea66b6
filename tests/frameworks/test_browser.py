"""A rater without an account answers a 360 from the link in their e-mail; the participant
sees their report only once a group has three answers."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from frameworks import services
from leadership.models import Notification
from tests.browser import log_in
from tests.frameworks.helpers import all_rated, example, use_example

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = "/tmp/lead_h4-media"


def _link_sent_to(address: str) -> str:
    row = Notification.objects.get(to_address=address, kind=Notification.Kind.FEEDBACK_REQUEST)
    return row.context["link"]


def test_a_rater_answers_from_a_link_and_the_report_waits_for_three(
    page: Page, live_server, cohort, administrator, participant
):
    cohort.starts_on = timezone.localdate() - datetime.timedelta(days=7)
    cohort.save()
    use_example(cohort.programme, administrator)

    log_in(page, live_server, participant.email)
    page.get_by_role("link", name=re.compile("Self-assessments and 360 feedback")).click()
    page.get_by_role("link", name="Ask for 360 feedback").click()
    for index in range(3):
        page.get_by_label("Who they are to you").select_option(label="Peer")
        page.get_by_label("Their e-mail address").fill(f"peer{index}@raters.example.net")
        page.get_by_role("button", name="Send them a link").click()
        expect(page.get_by_role("status")).to_contain_text(f"peer{index}@raters.example.net")
    expect(page.get_by_role("table")).to_contain_text("peer2@raters.example.net")

    # The rater: no account, only the link from their e-mail.
    page.context.clear_cookies()
    link = _link_sent_to("peer0@raters.example.net").replace(
        "http://127.0.0.1:8000", live_server.url
    )
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Feedback for"))
    groups = page.get_by_role("group")
    expect(groups).to_have_count(15)
    for index in range(15):
        groups.nth(index).get_by_label("4 Usually").check()
    page.screenshot(path=f"{SHOTS}/rater-form.png", full_page=True)
    page.get_by_role("button", name="Send my feedback").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("You have already answered")

    # A second peer answers: two are not enough for the participant to see anything.
    second = _link_sent_to("peer1@raters.example.net").rsplit("/", 2)[-2]
    services.feedback_submit(token=second, ratings=all_rated(example(), 2))
    log_in(page, live_server, participant.email)
    page.goto(f"{live_server.url}/frameworks/cohort/{cohort.pk}/360/report/")
    expect(page.get_by_role("status")).to_contain_text("appears when at least 3")
    expect(page.locator("table").filter(has_text="You beside your raters")).to_have_count(0)

    third = _link_sent_to("peer2@raters.example.net").rsplit("/", 2)[-2]
    services.feedback_submit(token=third, ratings=all_rated(example(), 3))
    page.reload()
    table = page.get_by_role("table", name="You beside your raters: mean rating per dimension")
    expect(table).to_contain_text("Peer (3)")
    expect(table.get_by_role("row", name=re.compile("Setting direction"))).to_contain_text("3.0")
    page.screenshot(path=f"{SHOTS}/feedback-report.png", full_page=True)
