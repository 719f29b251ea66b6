"""The main pages of the three journeys, on the demo programme office, in Chromium: no serious
or critical axe-core violation, no horizontal scrolling at a 360 px phone width, and desktop
screenshots for the README.

Loading the demo costs ~9 s, and a transactional test flushes the database when it ends, so
one test walks every page rather than one test per page. Failures are collected and reported
together so one run shows everything that is wrong.

`UPDATE_SCREENSHOTS=1 .venv/bin/pytest tests/a11y/test_main_pages.py` refreshes the README's
pictures in docs/screenshots/.
"""

import io
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, Page

from cohorts.models import Cohort
from demo import cohorts as cohorts_demo
from demo import modules as modules_demo
from demo import pairings as pairings_demo
from demo import redesign_projects as redesign_projects_demo
from leadership.models import User
from modules.models import Session
from pairings.models import Pairing
from redesign_projects import selectors as project_selectors
from redesign_projects.models import Submission
from tests.a11y.axe import describe, serious_violations
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
# The README's screenshots live here; a normal test run writes to a temporary folder instead,
# so `make test` leaves the work tree alone. `UPDATE_SCREENSHOTS=1` refreshes the committed ones.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@dataclass(frozen=True)
class MainPage:
    name: str
    persona: str  # demo login's e-mail local part, or "" for nobody logged in
    url: str
    screenshot: bool = False  # desktop, for the README
    phone_screenshot: bool = False


def _load_demo() -> None:
    today = timezone.localdate()
    for demo_of_app in (cohorts_demo, modules_demo, redesign_projects_demo, pairings_demo):
        demo_of_app.load(today)


def _main_pages() -> list[MainPage]:
    cohort = Cohort.objects.get(programme__slug="enhanced-care-management", name="Cohort 3")
    participant = User.objects.get(email=cohorts_demo.demo_email("participant"))
    session = (
        Session.objects.filter(module__cohort=cohort, starts_at__lt=timezone.now(), seat_limit=None)
        .order_by("starts_at")
        .first()
    )
    team = project_selectors.current_team_of(participant, cohort)
    submission = Submission.objects.filter(team=team).order_by("-submitted_at", "-pk").first()
    assignment = submission.assignment
    pairing = Pairing.objects.order_by("pk").first()
    c = cohort.pk
    return [
        MainPage("login", "", reverse("account_login"), screenshot=True),
        MainPage("office-start", "admin", reverse("home:office_home"), screenshot=True),
        MainPage("cohort-list", "admin", reverse("cohorts:cohort_list"), screenshot=True),
        MainPage("cohort", "admin", reverse("cohorts:cohort_detail", args=[c]), screenshot=True),
        MainPage("cohort-people", "admin", reverse("cohorts:cohort_people", args=[c])),
        MainPage("import-upload", "admin", reverse("cohorts:import_upload", args=[c])),
        MainPage(
            "schedule", "admin", reverse("modules:cohort_schedule", args=[c]), screenshot=True
        ),
        MainPage(
            "assignment-overview",
            "admin",
            reverse("redesign_projects:assignment_overview", args=[c]),
        ),
        MainPage(
            "pairing-overview",
            "admin",
            reverse("pairings:cohort_overview", args=[pairing.cohort_id]),
        ),
        MainPage("pairing", "admin", reverse("pairings:pairing_detail", args=[pairing.pk])),
        MainPage("notification-log", "admin", reverse("notification_log", args=[c])),
        MainPage("invitations", "admin", reverse("cohorts:invitation_list", args=[c])),
        MainPage("announcement-form", "admin", reverse("home:announcement_create", args=[c])),
        MainPage("attendance", "admin", reverse("modules:cohort_attendance", args=[c])),
        MainPage("faculty-start", "faculty", reverse("home:faculty_home"), screenshot=True),
        MainPage(
            "register",
            "faculty",
            reverse("modules:attendance_register", args=[session.pk]),
            screenshot=True,
            phone_screenshot=True,
        ),
        MainPage("leader-start", "leader", reverse("home:leader_home"), screenshot=True),
        MainPage(
            "participant-start",
            "participant",
            reverse("home:participant_home"),
            screenshot=True,
            phone_screenshot=True,
        ),
        MainPage(
            "my-schedule",
            "participant",
            reverse("modules:my_schedule"),
            screenshot=True,
            phone_screenshot=True,
        ),
        MainPage("team", "participant", reverse("redesign_projects:team_mine"), screenshot=True),
        MainPage(
            "submission",
            "participant",
            reverse("redesign_projects:submission_detail", args=[submission.pk]),
            screenshot=True,
        ),
        MainPage(
            "submission-form",
            "participant",
            reverse("redesign_projects:submission_edit", args=[assignment.pk]),
        ),
    ]


# The outermost elements that stick out past the right edge: what makes the page scroll sideways.
OVERFLOWING = """() => {
  const limit = document.documentElement.clientWidth + 1;
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + [...el.classList].map((c) => '.' + c).join('');
  const clipped = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') return true;
    }
    return false;
  };
  return [...document.body.querySelectorAll('*')]
    .filter((el) => el.getBoundingClientRect().right > limit
      && el.parentElement.getBoundingClientRect().right <= limit && !clipped(el))
    .map((el) => describe(el.parentElement) + ' > ' + describe(el)
      + ' (' + Math.round(el.getBoundingClientRect().right) + ' px)');
}"""


def _settle(page: Page) -> None:
    """Wait until htmx has replaced every placeholder (aria-busy) with its loaded content."""
    page.wait_for_function("() => document.querySelectorAll('[aria-busy=true]').length === 0")


def _save_small(png: bytes, path: Path) -> None:
    """Save a screenshot as a 128-colour PNG: a third of the size, and these pages are flat
    colours and text, so it looks the same."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def _page_for(browser: Browser, live_server, persona: str) -> Page:
    """A fresh browser context, logged in as the demo login (or nobody)."""
    page = browser.new_context(viewport=DESKTOP).new_page()
    if persona:
        email = cohorts_demo.demo_email(persona)
        log_in(page, live_server, email, cohorts_demo.DEMO_PASSWORD)
    return page


def _check(page: Page, live_server, main_page: MainPage, shots: Path, tmp: Path) -> dict:
    """Visit one page at desktop width (axe, screenshot) then at phone width (no sideways
    scrolling); return what is wrong, by page."""
    problems = {}
    page.set_viewport_size(DESKTOP)
    response = page.goto(f"{live_server.url}{main_page.url}")
    if response is None or response.status != 200:
        return {main_page.name: f"status {response and response.status}"}
    _settle(page)
    if violations := serious_violations(page):
        problems[main_page.name] = describe(violations)
    if main_page.screenshot:
        _save_small(page.screenshot(), shots / f"{main_page.name}.png")
    page.set_viewport_size(PHONE)
    if main_page.phone_screenshot:
        _save_small(page.screenshot(), shots / f"{main_page.name}-phone.png")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    if width > PHONE["width"]:
        phone_shot = tmp / f"{main_page.name}-phone-full.png"
        page.screenshot(path=phone_shot, full_page=True)
        culprits = "; ".join(page.evaluate(OVERFLOWING)[:5])
        problems[f"{main_page.name} at 360 px"] = (
            f"scrolls sideways ({width} px) because of {culprits}; see {phone_shot}"
        )
    return problems


def test_the_main_pages_pass_axe_fit_a_phone_and_are_photographed(
    browser: Browser, live_server, tmp_path
):
    _load_demo()
    pages = _main_pages()
    shots = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    problems: dict[str, str] = {}
    logged_in: dict[str, Page] = {}
    try:
        for main_page in pages:
            if main_page.persona not in logged_in:
                logged_in[main_page.persona] = _page_for(browser, live_server, main_page.persona)
            page = logged_in[main_page.persona]
            problems.update(_check(page, live_server, main_page, shots, tmp_path))
    finally:
        for page in logged_in.values():
            page.context.close()

    assert len(pages) >= 10
    assert not problems, "\n\n".join(f"{name}:\n{text}" for name, text in problems.items())
