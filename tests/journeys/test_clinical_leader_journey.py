"""Journey 3 of issue 11, in Chromium against a live server: a clinical leader follows the
cohort they sponsor and takes its progress report to their board.

Log in → their start page shows the cohort they sponsor and no other (the programme's second
cohort is absent, and its pages answer 404) → the cohort's dashboard → generate the progress
report, watch the page ask again (htmx) while a real Celery worker builds it, download it →
the PDF's text holds the figures the start page and the dashboard showed: participants
enrolled, attendance so far and the team names.

axe-core checks the report's page while it is being built; the start page and the cohort page
are in the main-pages test.
"""

import re

import pytest
from playwright.sync_api import Page, Request, expect
from pypdf import PdfReader

from tests.a11y.axe import describe, serious_violations
from tests.browser import log_in
from tests.redesign_projects.helpers import make_team, participant_in
from tests.worlds import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEAMS = ["Flow before noon", "Frailty at the front door"]


def _figure(card, term: str) -> str:
    """The value beside ``term`` in a card's description list."""
    return card.locator(f"dt:text-is('{term}') + dd").inner_text().strip()


def test_a_clinical_leader_follows_their_cohort_and_downloads_its_report(
    page: Page, live_server, cohort, other_cohort, clinical_leader, celery_live_worker, tmp_path
):
    world = build_world(cohort, participants=8, sessions=4, teams=2, team_names=TEAMS)
    hidden_team = make_team(
        other_cohort, lead=participant_in(other_cohort, profession="doctor"), name="Not yours"
    )

    # Their start page: the cohort they sponsor, with its key figures, and nothing else.
    log_in(page, live_server, clinical_leader.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohorts you sponsor")
    cards = page.locator("main section")
    expect(cards).to_have_count(1)
    card = cards.first
    expect(card.get_by_role("heading", level=2)).to_have_text("Cohort 3")
    expect(page.get_by_text("Cohort 4")).to_have_count(0)
    enrolled = _figure(card, "Participants")
    attendance = _figure(card, "Attendance so far")
    assert enrolled == str(len(world["people"]))
    assert re.fullmatch(r"\d+%", attendance), attendance
    assert _figure(card, "Redesign teams") == str(len(TEAMS))

    # The cohort's dashboard; the other cohort's pages are not there for them.
    card.get_by_role("link", name="Cohort 3", exact=True).click()
    expect(page.locator("[aria-busy=true]")).to_have_count(0)
    teams = page.get_by_role("region", name="Redesign teams")
    for name in TEAMS:
        expect(teams.get_by_role("link", name=name)).to_be_visible()
    for path in (
        f"/cohorts/{other_cohort.pk}/",
        f"/cohorts/{other_cohort.pk}/reports/",
        f"/projects/teams/{hidden_team.pk}/",
    ):
        assert page.goto(f"{live_server.url}{path}").status == 404, path

    # Generate the report and watch it being built: the page asks again until it is ready.
    page.goto(f"{live_server.url}/cohorts/sponsored/")
    expect(page.get_by_text("No report built yet.")).to_be_visible()
    polls: list[Request] = []
    page.on("request", lambda r: polls.append(r) if r.headers.get("hx-request") else None)
    page.get_by_role("button", name="Generate progress report for Cohort 3").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohort progress report")
    status = page.locator("#report-status")
    expect(status).to_contain_text(re.compile("Waiting for a worker|Being built"))
    assert describe(serious_violations(page)) == ""
    download_link = page.get_by_role("link", name="Download the PDF")
    expect(download_link).to_be_visible(timeout=60_000)
    expect(status).to_contain_text("Ready: built in")
    # The status region stays put (screen readers announce what changes inside it), and what
    # htmx swapped in last asks for nothing more: polling stopped.
    expect(status).to_have_attribute("role", "status")
    expect(status.locator("[hx-trigger]")).to_have_count(0)
    assert polls and all(r.url == page.url for r in polls), [r.url for r in polls]

    with page.expect_download() as info:
        download_link.click()
    path = tmp_path / "report.pdf"
    info.value.save_as(path)
    assert info.value.suggested_filename.startswith("enhanced-care-management-cohort-3-progress-")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())

    # The PDF says what the start page and the dashboard said.
    assert "Cohort 3" in text
    assert f"Participants {enrolled} enrolled" in text
    assert f"Attendance {attendance}" in text
    for name in TEAMS:
        assert f"Team: {name}" in text
    assert world["people"][0].get_full_name() in text
    assert "Not yours" not in text and "Cohort 4" not in text

    # Back on the start page the report is offered.
    page.goto(f"{live_server.url}/cohorts/sponsored/")
    expect(page.get_by_role("link", name="Download the PDF of Cohort 3")).to_be_visible()
