"""A clinical leader generates the progress report from their start page, watches it being
built by a real Celery worker and downloads it."""

import re

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser import log_in
from tests.cohorts.test_reports import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clinical_leader_generates_follows_and_downloads_the_report(
    page: Page, live_server, cohort, clinical_leader, celery_live_worker, tmp_path
):
    world = build_world(cohort, participants=8, sessions=3, teams=2, assignments=1, measures=1)
    log_in(page, live_server, clinical_leader.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohorts you sponsor")
    expect(page.get_by_text("No report built yet.")).to_be_visible()
    page.get_by_role("button", name="Generate progress report for Cohort 3").click()

    # The report's page: first waiting or building (htmx asks again), then ready.
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohort progress report")
    status = page.locator("#report-status")
    expect(status).to_contain_text(re.compile("Waiting for a worker|Being built|Ready"))
    download_link = page.get_by_role("link", name="Download the PDF")
    expect(download_link).to_be_visible(timeout=60_000)
    expect(status).to_contain_text("Ready: built in")
    expect(status).not_to_have_attribute("hx-trigger", re.compile("."))  # polling stopped

    with page.expect_download() as info:
        download_link.click()
    path = tmp_path / "report.pdf"
    info.value.save_as(path)
    assert info.value.suggested_filename.startswith("ecm-cohort-3-progress-")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())
    assert "Cohort 3" in text
    assert world["people"][0].get_full_name() in text

    # Back on the start page the latest report is offered.
    page.goto(f"{live_server.url}/cohorts/sponsored/")
    expect(page.get_by_role("link", name="Download the PDF of Cohort 3")).to_be_visible()
