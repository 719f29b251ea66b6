"""The product's pages on the demo programme office, in Chromium, as the four personas (and
nobody): no axe-core violation of WCAG 2.2 A or AA of any impact (nor a serious best-practice
one) at a desktop's 1280 px and a phone's 360 px; no sideways scrolling at 360 px nor at 400%
zoom (320 × 256 CSS px, WCAG 1.4.10); every form control's edge at 3:1 against what is behind
it (1.4.11, from the computed style); and the error pages (403, 404, 500) and a form that came
back with errors held to the same. Screenshots for the README on the way, when asked for.

Loading the demo costs ~9 s, and a transactional test flushes the database when it ends, so
one test walks every page: one browser, one login per persona, one page (tab) each, reused.
Failures are collected and reported together so one run shows everything that is wrong.

URLs are written as paths, which the product keeps stable, rather than route names.

`UPDATE_SCREENSHOTS=1 .venv/bin/pytest tests/a11y/test_main_pages.py` refreshes the README's
pictures in docs/screenshots/.
"""

import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, Page

from cohorts.models import Cohort
from demo import cohorts as cohorts_demo
from demo import modules as modules_demo
from demo import pairings as pairings_demo
from demo import redesign_projects as redesign_projects_demo
from leadership.models import User
from measures.models import Measure
from modules.models import Session
from pairings.models import Pairing
from redesign_projects import selectors as project_selectors
from redesign_projects.models import Submission
from tests.a11y.axe import describe, page_violations
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
# 400% zoom of a 1280 × 1024 screen.
ZOOMED = {"width": 320, "height": 256}
# The README's screenshots live here; `UPDATE_SCREENSHOTS=1` refreshes them. A normal run takes
# none, so `make test` leaves the work tree alone and spends no time on pictures.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@dataclass(frozen=True)
class MainPage:
    name: str  # one per page template
    persona: str  # demo login's e-mail local part, or "" for nobody logged in
    url: str
    status: int = 200
    screenshot: bool = False  # desktop, for the README
    phone_screenshot: bool = False
    # Something to do once the page has loaded, before it is checked (submit a form...).
    then: Callable[[Page], None] | None = None


def _load_demo() -> None:
    today = timezone.localdate()
    for demo_of_app in (cohorts_demo, modules_demo, redesign_projects_demo, pairings_demo):
        demo_of_app.load(today)


def _submit_empty(button: str) -> Callable[[Page], None]:
    def submit(page: Page) -> None:
        page.get_by_role("button", name=button, exact=True).click()
        page.wait_for_load_state()

    return submit


def _main_pages(report_url: str) -> list[MainPage]:
    cohort = Cohort.objects.get(programme__slug="enhanced-care-management", name="Cohort 3")
    participant = User.objects.get(email=cohorts_demo.demo_email("participant"))
    now = timezone.now()
    sessions = Session.objects.filter(module__cohort=cohort, seat_limit=None).order_by("starts_at")
    past = sessions.filter(starts_at__lt=now).first()
    coming = sessions.filter(starts_at__gt=now, status=Session.Status.SCHEDULED).first()
    team = project_selectors.current_team_of(participant, cohort)
    submission = Submission.objects.filter(team=team).order_by("-submitted_at", "-pk").first()
    assignment = submission.assignment
    measure = Measure.objects.filter(team=team).order_by("pk").first()
    pairing = Pairing.objects.order_by("pk").first()
    c, p = cohort.pk, participant.pk
    return [
        MainPage("login", "", "/accounts/login/", screenshot=True),
        MainPage("password-reset", "", "/accounts/password/reset/"),
        MainPage("certificate-check", "", "/cohorts/verify/"),
        # A programme administrator.
        MainPage("office-start", "admin", "/cohorts/office/", screenshot=True),
        MainPage("cohort-list", "admin", "/cohorts/", screenshot=True),
        MainPage("cohort", "admin", f"/cohorts/{c}/", screenshot=True),
        MainPage("cohort-edit", "admin", f"/cohorts/{c}/edit/"),
        MainPage("cohort-people", "admin", f"/cohorts/{c}/people/"),
        MainPage("person", "admin", f"/cohorts/{c}/people/{p}/"),
        MainPage("enrol", "admin", f"/cohorts/{c}/enrol/"),
        MainPage("import-upload", "admin", f"/cohorts/{c}/import/"),
        MainPage("programmes", "admin", "/cohorts/programmes/"),
        MainPage("programme", "admin", f"/cohorts/programmes/{cohort.programme_id}/"),
        MainPage("programme-edit", "admin", f"/cohorts/programmes/{cohort.programme_id}/edit/"),
        MainPage("schedule", "admin", f"/schedule/cohort/{c}/", screenshot=True),
        MainPage("module-move", "admin", f"/schedule/module/{past.module_id}/move/"),
        MainPage("attendance", "admin", f"/schedule/cohort/{c}/attendance/"),
        MainPage("teams", "admin", f"/projects/cohorts/{c}/teams/"),
        MainPage("team-formation", "admin", f"/projects/cohorts/{c}/teams/form/"),
        MainPage("assignment-overview", "admin", f"/projects/cohorts/{c}/assignments/"),
        MainPage("pairing-overview", "admin", f"/pairings/cohort/{pairing.cohort_id}/"),
        MainPage("pairing", "admin", f"/pairings/{pairing.pk}/"),
        MainPage("notification-log", "admin", f"/notifications/cohort/{c}/"),
        MainPage("invitations", "admin", f"/cohorts/{c}/invitations/"),
        MainPage("announcements", "admin", f"/cohorts/{c}/announcements/"),
        MainPage("announcement-form", "admin", f"/cohorts/{c}/announcements/new/"),
        MainPage("audit-trail", "admin", "/privacy/audit/"),
        MainPage("personal-data", "admin", f"/privacy/people/{p}/"),
        # The programme's blueprint, evaluation, framework and learning sets (empty here).
        MainPage("blueprint", "admin", f"/blueprints/programme/{cohort.programme_id}/"),
        MainPage("evaluation-report", "admin", f"/evaluation/cohorts/{c}/"),
        MainPage("cohort-learning", "admin", f"/frameworks/cohort/{c}/learning/"),
        MainPage(
            "framework-import", "admin", f"/frameworks/programme/{cohort.programme_id}/import/"
        ),
        MainPage("learning-sets", "admin", f"/learning/cohort/{c}/sets/"),
        # The summary of a form sent back empty, on the page it came back on.
        MainPage(
            "cohort-create-errors", "admin", "/cohorts/new/", then=_submit_empty("Create cohort")
        ),
        # Faculty.
        MainPage("faculty-start", "faculty", "/cohorts/teaching/", screenshot=True),
        MainPage(
            "register",
            "faculty",
            f"/schedule/session/{past.pk}/register/",
            screenshot=True,
            phone_screenshot=True,
        ),
        MainPage("session", "faculty", f"/schedule/session/{past.pk}/"),
        MainPage("assignment", "faculty", f"/projects/assignments/{assignment.pk}/"),
        # A clinical leader, with a report they built.
        MainPage("leader-start", "leader", "/cohorts/sponsored/", screenshot=True),
        MainPage("portfolio", "leader", "/cohorts/portfolio/", screenshot=True),
        MainPage("reports", "leader", f"/cohorts/{c}/reports/"),
        MainPage("report", "leader", report_url),
        # A participant.
        MainPage(
            "participant-start",
            "participant",
            "/cohorts/mine/",
            screenshot=True,
            phone_screenshot=True,
        ),
        MainPage(
            "my-schedule",
            "participant",
            "/schedule/mine/",
            screenshot=True,
            phone_screenshot=True,
        ),
        MainPage("apology", "participant", f"/schedule/session/{coming.pk}/apologies/"),
        MainPage("team", "participant", "/projects/my-team/", screenshot=True),
        MainPage(
            "submission",
            "participant",
            f"/projects/submissions/{submission.pk}/",
            screenshot=True,
        ),
        MainPage(
            "submission-form", "participant", f"/projects/assignments/{assignment.pk}/submit/"
        ),
        MainPage("measure", "participant", f"/projects/measures/{measure.pk}/"),
        MainPage("data-point", "participant", f"/projects/measures/{measure.pk}/points/new/"),
        MainPage("pdsa-cycles", "participant", f"/projects/teams/{team.pk}/pdsa/"),
        MainPage("my-pairing", "participant", "/pairings/mine/"),
        MainPage("my-development", "participant", f"/frameworks/cohort/{c}/mine/"),
        MainPage("my-documents", "participant", "/cohorts/mine/documents/"),
        MainPage("my-data", "participant", "/privacy/mine/"),
        MainPage("e-mail-choices", "participant", "/notifications/"),
        MainPage("password-change", "participant", "/accounts/password/change/"),
        # The error pages, on the site's layout.
        MainPage("not-found", "participant", "/no-such-page/", status=404),
        MainPage("forbidden", "faculty", f"/cohorts/{c}/", status=403),
        MainPage("server-error", "participant", FAULT, status=500),
    ]


# A URL that fails, for the 500 page (tests/a11y/urls_with_a_fault.py).
FAULT = "/a-fault/"

# The outermost elements that stick out past the right edge (or, when their parents stick out
# as far, the innermost ones): what makes the page scroll sideways.
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
  const out = (el) => el.getBoundingClientRect().right > limit && !clipped(el);
  const wide = [...document.body.querySelectorAll('*')].filter(out);
  let culprits = wide.filter((el) => !out(el.parentElement));
  if (!culprits.length) culprits = wide.filter((el) => ![...el.children].some(out));
  return culprits.map((el) => describe(el.parentElement) + ' > ' + describe(el)
    + ' (' + Math.round(el.getBoundingClientRect().right) + ' px)');
}"""

# Each visible form control whose edge has less than 3:1 against what is behind it (WCAG
# 1.4.11), from the computed style: the border colour (blended onto the background if it is
# see-through) against the first opaque background among its ancestors. A control with focus
# is skipped (its focus ring marks it), as are disabled ones (exempt) and radios drawn as
# buttons (.btn-check, whose label is the control people see).
WEAK_EDGES = """() => {
  const rgba = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const linear = (c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  };
  const behind = (el) => {
    for (let up = el.parentElement; up; up = up.parentElement) {
      const colour = rgba(getComputedStyle(up).backgroundColor);
      if (colour.length === 3 || colour[3] === 1) return colour.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const controls = document.querySelectorAll('select, textarea, input:not(.btn-check)'
    + ':not([type=hidden]):not([type=submit]):not([type=button])');
  const weak = [];
  for (const el of controls) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || el.disabled || el === document.activeElement
        || style.visibility === 'hidden' || parseFloat(style.borderTopWidth) === 0) continue;
    const back = behind(el);
    let [r, g, b, a] = rgba(style.borderTopColor);
    if (a === undefined) a = 1;
    const edge = [r, g, b].map((c, i) => c * a + back[i] * (1 - a));
    const [light, dark] = [luminance(edge), luminance(back)].sort((x, y) => y - x);
    const ratio = (light + 0.05) / (dark + 0.05);
    if (ratio < 3) {
      weak.push(`${el.id || el.name}: ${ratio.toFixed(2)}:1 (${style.borderTopColor})`);
    }
  }
  return {checked: controls.length, weak};
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


def _scrolls_sideways(page: Page, label: str, viewport: dict, tmp: Path) -> dict:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    if width <= viewport["width"]:
        return {}
    shot = tmp / f"{label}-{viewport['width']}-full.png"
    page.screenshot(path=shot, full_page=True)
    culprits = "; ".join(page.evaluate(OVERFLOWING)[:5])
    return {
        f"{label} at {viewport['width']} px": (
            f"scrolls sideways ({width} px) because of {culprits}; see {shot}"
        )
    }


def _check(
    page: Page, live_server, main_page: MainPage, shots: Path | None, tmp: Path
) -> tuple[dict, int]:
    """Visit one page and check it at each width; return what is wrong, by page, and how many
    form controls were measured."""
    page.set_viewport_size(DESKTOP)
    response = page.goto(f"{live_server.url}{main_page.url}")
    if response is None or response.status != main_page.status:
        return {main_page.name: f"status {response and response.status}"}, 0
    if main_page.then:
        main_page.then(page)
    _settle(page)
    problems = {}
    edges = page.evaluate(WEAK_EDGES)
    if edges["weak"]:
        problems[f"{main_page.name} form controls"] = "edges under 3:1: " + "; ".join(edges["weak"])
    if main_page.status >= 400:
        problems.update(_error_page_problems(page, main_page))
    if main_page.screenshot and shots:
        _save_small(page.screenshot(), shots / f"{main_page.name}.png")
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        if violations := page_violations(page):
            problems[f"{main_page.name} at {viewport['width']} px"] = describe(violations)
    if main_page.phone_screenshot and shots:
        _save_small(page.screenshot(), shots / f"{main_page.name}-phone.png")
    problems.update(_scrolls_sideways(page, main_page.name, PHONE, tmp))
    page.set_viewport_size(ZOOMED)
    problems.update(_scrolls_sideways(page, main_page.name, ZOOMED, tmp))
    return problems, edges["checked"]


def _error_page_problems(page: Page, main_page: MainPage) -> dict:
    """An error page is on the site's layout: the person's navigation, a heading that says what
    happened, and a way back."""
    missing = []
    if page.locator("nav[aria-label=Main] .nav-link").count() < 2:
        missing.append("the navigation")
    if not page.get_by_role("heading", level=1).is_visible():
        missing.append("a heading")
    if not page.get_by_role("link", name="Go to your start page").is_visible():
        missing.append("a way back")
    return {f"{main_page.name} layout": "missing " + ", ".join(missing)} if missing else {}


def _build_a_report(page: Page, live_server) -> str:
    """As the clinical leader, build the progress report (background tasks run at once in the
    tests) and return its page's path."""
    cohort = Cohort.objects.get(programme__slug="enhanced-care-management", name="Cohort 3")
    page.goto(f"{live_server.url}/cohorts/{cohort.pk}/reports/")
    page.get_by_role("button", name="Generate progress report").click()
    page.wait_for_url("**/reports/*/")
    return page.url.removeprefix(live_server.url)


def test_the_main_pages_pass_axe_fit_a_phone_and_are_photographed(
    browser: Browser, live_server, tmp_path
):
    _load_demo()
    shots = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") else None
    problems: dict[str, str] = {}
    logged_in: dict[str, Page] = {}
    controls = 0
    try:
        logged_in["leader"] = _page_for(browser, live_server, "leader")
        pages = _main_pages(_build_a_report(logged_in["leader"], live_server))
        with override_settings(ROOT_URLCONF="tests.a11y.urls_with_a_fault"):
            for main_page in pages:
                if main_page.persona not in logged_in:
                    logged_in[main_page.persona] = _page_for(
                        browser, live_server, main_page.persona
                    )
                found, measured = _check(
                    logged_in[main_page.persona], live_server, main_page, shots, tmp_path
                )
                problems.update(found)
                controls += measured
    finally:
        for page in logged_in.values():
            page.context.close()

    assert len({page.name for page in pages}) == len(pages) >= 45
    assert {page.persona for page in pages} == {"", "admin", "faculty", "leader", "participant"}
    assert controls >= 100  # the contrast check met the forms
    assert not problems, "\n\n".join(f"{name}:\n{text}" for name, text in problems.items())
