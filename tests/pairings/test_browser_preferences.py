"""The office asks for pairing preferences; a participant answers from their start page's
to-do and the suggestion's score changes. Real Chromium, live server."""

import re

import pytest
from playwright.sync_api import Page, expect

from leadership.models import Notification
from pairings.models import PairingPreference
from tests.browser import log_in
from tests.pairings.helpers import manager_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_participant_answers_from_their_to_do_and_the_score_changes(
    page: Page, browser, live_server, cohort, administrator, participant
):
    manager = manager_in(cohort, email="tama@example.org", first_name="Tama", last_name="Herewini")
    PairingPreference.objects.create(
        cohort=cohort, person=manager, interests=["patient_flow"], availability=["wed_am"]
    )
    office = browser.new_page()
    office.set_default_timeout(10_000)
    log_in(office, live_server, administrator.email)
    office.goto(f"{live_server.url}/pairings/cohort/{cohort.pk}/suggestions/")
    expect(office.get_by_role("heading", name="Preferences: 1 of 2 answered")).to_be_visible()
    row = office.get_by_role("row", name=re.compile("Aroha"))
    expect(row.get_by_role("cell").nth(2)).to_have_text(re.compile(r"^0\s+Missing answers$"))
    expect(row).to_contain_text("Rests on missing answers:")
    office.get_by_role("button", name=re.compile("Ask everyone who has not answered")).click()
    expect(office.get_by_role("status")).to_contain_text("1 e-mail on the way")
    assert Notification.objects.get(kind="pairing_preferences").recipient == participant

    log_in(page, live_server, participant.email)
    page.get_by_role("link", name=re.compile("Give your pairing preferences")).click()
    page.get_by_label("Patient flow and discharge").check()
    page.get_by_label("Wed morning").check()
    page.get_by_label("Thu afternoon").check()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_role("status")).to_have_text("Pairing preferences saved.")
    page.goto(f"{live_server.url}/")
    expect(
        page.get_by_role("link", name=re.compile("Give your pairing preferences"))
    ).to_have_count(0)

    office.reload()
    expect(office.get_by_role("heading", name="Preferences: 2 of 2 answered")).to_be_visible()
    row = office.get_by_role("row", name=re.compile("Aroha"))
    # 3 for the shared interest, 1 for the half-day both are free.
    expect(row.get_by_role("cell").nth(2)).to_have_text("4")
    expect(row).to_contain_text("Both free: Wed morning")
    expect(row).not_to_contain_text("missing answers")
    office.close()
