"""Keyboard alone: a faculty member takes the register (on a desktop, and at 400% zoom where
the screen is 320 × 256 CSS px), a participant submits their team's work and an administrator
recovers from a mistyped code without touching the mouse; every element that takes focus on
the way shows it, uncovered."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from modules.models import Attendance
from redesign_projects.models import Submission
from tests.a11y.keyboard import focused, tab_to, without_visible_focus
from tests.browser import MFA_CODE_PAGE, log_in
from tests.conftest import PASSWORD
from tests.modules.helpers import add_participants, make_module, make_session
from tests.redesign_projects.helpers import PDF_BYTES, make_assignment, make_team, participant_in
from tests.totp import code_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    # Bootstrap scrolls smoothly unless motion is reduced; reduced, each check sees where the
    # page comes to rest after a Tab rather than a frame of the scrolling.
    return {**browser_context_args, "reduced_motion": "reduce"}


# A desktop, and 400% zoom of a 1280 × 1024 screen: there the sticky "Save register" bar would
# cover a fifth of the screen, so it stays at the end of the form (WCAG 2.4.11).
@pytest.mark.parametrize("screen", [None, {"width": 320, "height": 256}], ids=["desktop", "400%"])
def test_faculty_take_and_save_the_register_with_the_keyboard_alone(
    page: Page, live_server, cohort, faculty, participant, screen
):
    today = timezone.localdate(timezone=cohort.tzinfo)
    session = make_session(make_module(cohort, title="Strategy"), today)
    # Enough people that the register scrolls under its sticky "Save register" bar.
    late, untouched, *_more = add_participants(cohort, 10)
    log_in(page, live_server, faculty.email)
    if screen:
        page.set_viewport_size(screen)
    page.goto(f"{live_server.url}/schedule/session/{session.pk}/register/")
    seen: list[dict] = []

    # The first Tab reaches the skip link; following it puts the next Tab inside the page.
    skip = tab_to(page, lambda el: True, seen=seen)
    assert skip["text"] == "Skip to main content"
    page.keyboard.press("Enter")
    first_in_main = tab_to(page, lambda el: True, seen=seen)
    assert first_in_main["text"].startswith("Schedule:")  # the breadcrumb, not the navigation

    # One pass down the register in page order. A radio group is one Tab stop; the arrow keys
    # choose within it (Not recorded → Present → Late).
    arrows = {f"status_{participant.pk}": 1, f"status_{late.pk}": 2}
    notes = {f"note_{late.pk}": "Theatre overran"}
    while (current := tab_to(page, lambda el: True, seen=seen))["text"] != "Save register":
        for _ in range(arrows.get(current["name"], 0)):
            page.keyboard.press("ArrowRight")
        if current["name"] in notes:
            page.keyboard.type(notes[current["name"]])
    page.keyboard.press("Enter")

    expect(page.get_by_text("Register saved (2 changed).")).to_be_visible()
    saved = dict(Attendance.objects.filter(session=session).values_list("person", "status"))
    assert saved == {participant.pk: "present", late.pk: "late"}
    assert Attendance.objects.get(person=late).note == "Theatre overran"
    assert untouched.pk not in saved
    assert len(seen) > 8
    assert without_visible_focus(seen) == [], [(e["tag"], e["text"]) for e in seen]


def test_a_participant_submits_their_teams_work_with_the_keyboard_alone(
    page: Page, live_server, cohort, participant
):
    make_team(cohort, lead=participant, members=[participant_in(cohort)], name="Flow")
    assignment = make_assignment(cohort, title="Driver diagram")
    log_in(page, live_server, participant.email)
    page.goto(f"{live_server.url}/projects/assignments/{assignment.pk}/submit/")
    # Playwright asks the browser to intercept file choosers without waiting for its answer;
    # listening from the start gives that request time to land before Space is pressed (on a
    # loaded machine expect_file_chooser alone could miss the chooser).
    page.on("filechooser", lambda chooser: None)
    seen: list[dict] = []

    tab_to(page, lambda el: el["tag"] == "textarea", seen=seen)
    page.keyboard.type("Our driver diagram, with a balancing measure.")
    tab_to(page, lambda el: el["type"] == "file", seen=seen)
    # Space on a file field opens the file chooser, as it does for a person.
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(
        {"name": "drivers.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    tab_to(page, lambda el: el["text"] == "Submit", seen=seen)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text("version 1")
    submission = Submission.objects.get(assignment=assignment, status="submitted")
    assert submission.text == "Our driver diagram, with a balancing measure."
    assert [f.original_name for f in submission.files.all()] == ["drivers.pdf"]
    assert without_visible_focus(seen) == [], [(e["tag"], e["text"]) for e in seen]


def test_a_mistyped_code_is_announced_and_the_summary_leads_the_keyboard_to_the_field(
    page: Page, live_server, administrator
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(re.compile("e-?mail", re.IGNORECASE)).fill(administrator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(MFA_CODE_PAGE)
    page.get_by_label("Code").fill("000000")
    page.keyboard.press("Enter")

    # The page comes back with focus on the summary, which a screen reader reads at once.
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: Two-factor authentication"))
    seen = [focused(page)]
    # Tab reaches the summary's link to the field; Enter puts focus in the field.
    link = tab_to(page, lambda el: True, seen=seen)
    assert link["tag"] == "a"
    assert link["text"].startswith("Code: That code is not right.")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Code")).to_be_focused()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(code_for(administrator.email))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Needs attention"
    )  # the office's start page
    assert without_visible_focus(seen) == [], seen
