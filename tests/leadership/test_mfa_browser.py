"""The two-factor pages in Chromium: they use the site's layout, pass axe, and work with the
keyboard alone."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.a11y.axe import describe, serious_violations
from tests.conftest import PASSWORD
from tests.totp import code_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clinical_leader_logs_in_with_a_code_typed_from_the_keyboard(
    page: Page, live_server, clinical_leader
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(re.compile("e-?mail", re.IGNORECASE)).fill(clinical_leader.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor authentication")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()  # the site's layout
    assert describe(serious_violations(page)) == ""

    page.get_by_label("Code").fill("000000")
    page.keyboard.press("Enter")
    # Next to the field, and in the error summary that takes focus.
    expect(page.locator("#id_code_error")).to_contain_text("That code is not right")
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    page.get_by_label("Code").fill(code_for(clinical_leader))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohorts you sponsor")

    page.goto(f"{live_server.url}/accounts/2fa/")
    expect(page.get_by_text("Your role needs it.")).to_be_visible()
    expect(page.get_by_role("link", name="Turn off")).to_have_count(0)
    assert describe(serious_violations(page)) == ""
    page.get_by_role("link", name="Make recovery codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    assert describe(serious_violations(page)) == ""
