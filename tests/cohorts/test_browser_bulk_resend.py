"""Done means: a bulk resend of invitations to 40 people sends 40 e-mails once each, however
often it is clicked (Chromium)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.browser import log_in
from tests.factories import EnrolmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_bulk_resend_to_forty_people_clicked_twice_sends_forty_e_mails_once_each(
    page: Page, live_server, administrator, cohort, participant
):
    invited = [
        UserFactory(email=f"invited{i}@example.org", last_name=f"Invited {i:02}", password=None)
        for i in range(40)
    ]
    for person in invited:
        EnrolmentFactory(cohort=cohort, person=person)
    mail.outbox.clear()

    log_in(page, live_server, administrator.email)
    page.goto(f"{live_server.url}/cohorts/{cohort.pk}/")
    page.get_by_role("link", name="People", exact=True).click()
    page.get_by_label("Invitation not accepted").check()
    page.get_by_role("button", name="Filter").click()
    # 25 on the page; "select all" takes the other 15 too, chosen on the server.
    expect(page.locator("input[name=enrolment]")).to_have_count(25)
    page.get_by_label("Select all 40 matching the filter, on every page").check()
    page.get_by_label("Action").select_option(label="Resend invitations")
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Resend invitations: 40 people")
    expect(page.locator("#bulk-names li")).to_have_count(40)
    confirm = page.get_by_role("button", name="Resend invitations (40)")
    confirm.dblclick()
    # The browser shows whichever of the two answers came last: the first click's
    # "Sent 40", or the second's "Sent 0 ... already had one today". Either way
    # each person gets one e-mail (checked below).
    expect(page.get_by_role("status")).to_have_text(
        re.compile(r"Sent 40 new invitations\.|Sent 0 new invitations\. 40 people already had")
    )
    page.go_back()
    page.get_by_role("button", name="Resend invitations (40)").click()
    expect(page.get_by_text("40 people already had a new invitation today")).to_be_visible()

    recipients = [message.to[0] for message in mail.outbox]
    assert sorted(recipients) == sorted(person.email for person in invited)
