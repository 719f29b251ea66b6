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


def test_a_wrong_password_is_shown_next_to_the_form(page: Page, live_server, participant):
    log_in(page, live_server, participant.email, "wrong-password-here")
    expect(page.get_by_text("not correct")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
