"""Done means: an administrator creates a cohort from a blueprint and finds its assignments,
then changes the blueprint and applies the change to the cohort, in Chromium."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from blueprints.services import programme_models_install
from tests.browser import log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_runs_a_cohort_from_the_blueprint_and_applies_a_change(
    page: Page, live_server
):
    ecm = {p.slug: p for p in programme_models_install()}["enhanced-care-management"]
    admin = UserFactory(email="programme.office@example.org", first_name="Alexandra")
    ecm.administrators.add(admin)
    starts_on = timezone.localdate() + datetime.timedelta(days=45)

    log_in(page, live_server, admin.email)
    page.locator("#main").get_by_role("link", name="Programmes", exact=True).click()
    page.get_by_role("link", name=ecm.name).click()
    page.get_by_role("link", name="Blueprint: assignments, milestones, close-downs").click()
    expect(page.get_by_role("table", name="Assignments of the blueprint")).to_contain_text(
        "Final redesign report"
    )
    page.get_by_role("link", name="New cohort from this blueprint").click()
    page.locator("#id_name").fill("Cohort 4")
    page.get_by_label("Start date").fill(starts_on.isoformat())
    page.get_by_role("button", name="Create cohort").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cohort 4")
    expect(page.get_by_text("1 milestone and 4 assignments")).to_be_visible()

    page.get_by_role("link", name="Assignment overview").click()
    overview = page.locator("#overview thead")
    for title in (
        "Redesign proposal",
        "Process map and measures",
        "Leading change reflection",
        "Final redesign report",
    ):
        expect(overview).to_contain_text(title)
    page.get_by_role("link", name="Redesign proposal").click()
    expect(page.get_by_text("Problem definition").first).to_be_visible()

    # A change to the blueprint reaches the cohort only when applied.
    page.goto(f"{live_server.url}/cohorts/programmes/{ecm.pk}/")
    page.get_by_role("link", name="Blueprint: assignments, milestones, close-downs").click()
    page.get_by_role("link", name="Final redesign report").click()
    page.get_by_label("Brief").fill("Report the redesigned system and its run charts.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved the assignment “Final redesign report”.")).to_be_visible()
    page.get_by_role("link", name="Cohorts that differ").click()
    cohort = page.get_by_role("region", name="Cohort 4")
    expect(cohort).to_contain_text("Assignment “Final redesign report” (changed: brief)")
    cohort.get_by_role("button", name="Apply 1 change to Cohort 4").click()
    expect(page.get_by_text("Applied 1 change to Cohort 4.")).to_be_visible()
    expect(page.get_by_role("region", name="Cohort 4")).to_contain_text("Same as the blueprint.")
