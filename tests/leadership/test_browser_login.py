import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("persona", "heading"),
    [
        ("administrator", "Needs attention"),
        ("clinical_leader", "Cohorts you sponsor"),
        ("faculty", "My teaching"),
        ("participant", "Your programme"),
    ],
)
def test_each_role_logs_in_and_lands_on_its_start_page(
    page: Page, live_server, personas, persona, heading
):
    log_in(page, live_server, personas[persona].email)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("main")).to_contain_text("Cohort 3")


def test_a_wrong_password_is_announced_and_marks_both_fields_invalid(
    page: Page, live_server, participant
):
    log_in(page, live_server, participant.email, "wrong-password-here")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_contain_text("not correct")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: Log in"))
    # It must not say which of the two was wrong, so both are marked.
    for field in (page.get_by_role("textbox", name="Email"), page.get_by_label("Password")):
        expect(field).to_have_attribute("aria-invalid", "true")
