"""An administrator forms three teams on the formation board from the suggestion: one move by
keyboard alone, one by drag and drop, the balance and the live region following each, then
saves; the people's own team pages agree. Real Chromium, live server."""

import re

import pytest
from django.urls import get_resolver
from playwright.sync_api import Page, expect

from redesign_projects.models import TeamMembership
from tests.browser import log_in

from .helpers import participant_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = [
    ("Aroha", "Ngata", "doctor", "ED"),
    ("Ben", "Cole", "nurse", "Medicine"),
    ("Caro", "Diaz", "allied_health", "Surgery"),
    ("Dev", "Patel", "manager", "Finance"),
    ("Ema", "Fox", "manager", "ED"),
    ("Finn", "Gale", "nurse", "Renal"),
    ("Gus", "Hale", "doctor", "Surgery"),
    ("Hine", "Iti", "other", "Medicine"),
    ("Ian", "Jury", "manager", "Renal"),
]


def _column(page: Page, name: str):
    return page.locator("[data-column]").filter(
        has=page.get_by_role("heading", level=2, name=name, exact=True)
    )


def test_an_administrator_forms_three_teams_by_keyboard_and_by_drag_and_drop(
    page: Page, live_server, cohort, administrator
):
    people = {
        first: participant_in(
            cohort,
            email=f"{first.lower()}@example.org",
            first_name=first,
            last_name=last,
            profession=profession,
            department=department,
        )
        for first, last, profession, department in PEOPLE
    }
    get_resolver().resolve("/")  # import every app's views before the first timed page

    # Tall enough to see the whole board: a drag that has to scroll the page as it goes
    # never starts in Chromium.
    page.set_viewport_size({"width": 1280, "height": 1200})
    log_in(page, live_server, administrator.email)
    page.goto(f"{live_server.url}/projects/cohorts/{cohort.pk}/teams/")
    page.get_by_role("link", name="Form teams (suggested)").click()
    page.get_by_label("Number of teams").fill("3")
    page.get_by_label("Number of teams").press("Enter")
    expect(page.get_by_role("heading", level=2, name=re.compile("^Team"))).to_have_count(3)
    expect(page.locator("[data-unplaced-count]")).to_have_text("0")

    # Keyboard alone: Dev's select, one step down the list of teams, moves his card.
    dev = page.get_by_label("Team for Dev Patel")
    start = dev.input_value()
    dev.focus()
    page.keyboard.press("ArrowUp" if start == "2" else "ArrowDown")
    target = str(int(start) - 1 if start == "2" else int(start) + 1)
    target_name = f"Team {int(target) + 1}"
    target_column = _column(page, target_name)
    expect(target_column.locator("[data-person]", has_text="Dev Patel")).to_have_count(1)
    expect(page.get_by_label("Team for Dev Patel")).to_be_focused()
    status = page.locator("[data-board-status]")
    expect(status).to_contain_text(f"Dev Patel moved to {target_name}.")
    expect(status).to_contain_text(re.compile(target_name + r": \d people: .* 2 managers"))
    expect(target_column.locator("[data-mix]")).to_contain_text("2 managers")

    # Drag and drop: Hine's card onto the "Not placed" column, then onto the first team.
    hine = page.locator("[data-person]", has_text="Hine Iti")
    by_name = {"x": 12, "y": 10}  # picked up by the name, as a person would
    hine.drag_to(page.locator(".board-unplaced"), source_position=by_name)
    expect(page.locator("[data-unplaced-count]")).to_have_text("1")
    expect(page.locator(".board-unplaced")).to_contain_text("Not placed")
    expect(status).to_contain_text("Hine Iti is not placed.")
    hine.drag_to(_column(page, "Team 1"), source_position=by_name)
    expect(page.locator("[data-unplaced-count]")).to_have_text("0")
    expect(page.get_by_label("Team for Hine Iti")).to_have_value("0")
    expect(status).to_contain_text("Hine Iti moved to Team 1.")

    page.get_by_role("button", name="Save all teams").click()
    expect(page.get_by_role("status").first).to_have_text("3 teams were saved.")
    expect(page.get_by_role("status").nth(1)).to_contain_text("Team 1 was created with")

    teams = {m.person_id: m.team for m in TeamMembership.objects.current()}
    assert len(teams) == len(PEOPLE) and len(set(teams.values())) == 3
    assert teams[people["Dev"].pk].name == target_name
    assert teams[people["Hine"].pk].name == "Team 1"
    # The people's own team pages agree with the board.
    for first in ("Dev", "Hine"):
        page.context.clear_cookies()
        log_in(page, live_server, people[first].email)
        page.goto(f"{live_server.url}/projects/my-team/")
        expect(page.get_by_role("heading", level=1)).to_contain_text(teams[people[first].pk].name)
