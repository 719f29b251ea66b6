"""A team member defines a measure, pastes a year of data (fixing a bad row first), and the
team page shows its run chart. Real Chromium, live server."""

import pytest
from django.urls import get_resolver
from playwright.sync_api import expect

from tests.browser import log_in
from tests.redesign_projects.helpers import make_team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = [f"2025-{month:02d}-01,{value}" for month, value in enumerate([9, 8, 9, 10, 9, 8], 1)]
ROWS += [
    f"{month}/2025,{value}" for month, value in zip(["1/7", "1/8", "1/9"], [6, 5, 6], strict=True)
]


def test_a_member_imports_data_and_sees_the_chart(page, live_server, cohort, participant):
    team = make_team(cohort, lead=participant, name="Flow")
    get_resolver().resolve("/")  # import every app's views before the first timed request

    log_in(page, live_server, participant.email)
    page.goto(f"{live_server.url}/projects/teams/{team.pk}/")
    page.get_by_role("link", name="Add a measure").click()
    page.get_by_label("Name").fill("Length of stay")
    page.get_by_label("Unit").fill("days")
    page.get_by_label("Better direction").select_option("down")
    page.get_by_role("button", name="Save measure").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Length of stay")

    page.get_by_role("link", name="Paste or upload CSV").click()
    # Cells copied from a spreadsheet arrive tab-separated.
    pasted = ["\t".join(row.split(",")) for row in [*ROWS, "2025-09-01,7"]]
    page.get_by_label("Paste from a spreadsheet").fill("Period\tValue\n" + "\n".join(pasted))
    page.get_by_role("button", name="Check the data").click()
    expect(page.locator("#import-preview")).to_contain_text("also on line 10")
    expect(page.get_by_role("button", name="Save all")).to_have_count(0)

    page.get_by_label("Paste from a spreadsheet").fill("period,value\n" + "\n".join(ROWS))
    page.get_by_role("button", name="Check the data").click()
    page.get_by_role("button", name="Save all 9 data points").click()
    expect(page.get_by_role("status").or_(page.locator(".alert-success"))).to_contain_text(
        "Imported 9 data points"
    )

    page.goto(f"{live_server.url}/projects/teams/{team.pk}/")
    chart = page.get_by_role("img", name="Length of stay")
    expect(chart).to_be_visible()
    expect(page.locator(".measure-summary")).to_contain_text("Run chart of 9 points")
    # The team page's charts are compact; the full chart and its data are a link away.
    page.get_by_role("link", name="Full chart and data for Length of stay").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Length of stay")
    expect(page.get_by_role("rowheader", name="Sep 2025", exact=True)).to_be_visible()
