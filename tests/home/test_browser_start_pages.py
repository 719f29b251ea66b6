"""From the start page to the work, by clicks alone (Chromium): faculty reach a submission and
release feedback on it; a participant reaches their individual assignment; faculty take a
register waiting for them with "mark everyone not yet marked as present"."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from modules.models import Attendance, Session
from redesign_projects.models import Assignment, Feedback
from tests.browser import log_in
from tests.modules.helpers import add_participants, make_module
from tests.redesign_projects.helpers import make_assignment, make_team, participant_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_faculty_reach_a_submission_from_their_start_page_and_release_feedback(
    page: Page, live_server, cohort, faculty
):
    lead = participant_in(cohort, profession="doctor", first_name="Hēnare")
    team = make_team(cohort, lead=lead, name="Flow")
    assignment = make_assignment(cohort, title="Problem statement")
    submission = submit(assignment, by=lead, team=team, text="Half our discharges wait.")

    log_in(page, live_server, faculty.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("My teaching")
    waiting = page.get_by_role("region", name="Submissions waiting for your feedback")
    waiting.get_by_role("link", name="Problem statement: Flow, version 1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("version 1")
    page.get_by_role("link", name="Give feedback").click()
    page.get_by_label("Comments").fill("Clear problem; now say by when.")
    page.get_by_label("Accepted").check()
    page.get_by_role("button", name="Save and release").click()
    expect(page.get_by_text("Feedback released.")).to_be_visible()

    feedback = Feedback.objects.get(submission=submission)
    assert feedback.is_released and feedback.author == faculty
    page.get_by_role("link", name="My teaching").click()
    expect(
        page.get_by_role("region", name="Submissions waiting for your feedback")
    ).to_contain_text("Nothing is waiting.")


def test_a_participant_reaches_their_individual_assignment_from_their_start_page(
    page: Page, live_server, cohort, participant
):
    make_assignment(
        cohort, title="Personal leadership plan", days=6, kind=Assignment.Kind.INDIVIDUAL
    )

    log_in(page, live_server, participant.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your programme")
    due = page.get_by_role("region", name="Due next")
    expect(due).to_contain_text("Individual")
    due.get_by_role("link", name="Personal leadership plan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Personal leadership plan")
    expect(page.get_by_role("link", name="Start your submission")).to_be_visible()


def test_faculty_take_a_waiting_register_marking_the_rest_present(
    page: Page, live_server, cohort, faculty, participant
):
    absent, *rest = add_participants(cohort, 3)
    start = timezone.now() - datetime.timedelta(hours=3)
    session = Session.objects.create(
        module=make_module(cohort, title="Strategy"),
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
    )
    page.set_viewport_size({"width": 375, "height": 740})
    log_in(page, live_server, faculty.email)
    page.get_by_role("region", name="Registers to take").get_by_role(
        "link", name="Take the register: Strategy"
    ).click()
    expect(page.get_by_text("Register not taken yet.")).to_be_visible()
    row = page.get_by_role("group", name=absent.get_full_name())
    row.get_by_text("Absent", exact=True).click()
    page.get_by_role("button", name="Mark everyone not yet marked as present").click()
    expect(page.get_by_text("Marked 3 people as present.")).to_be_visible()
    # The choice shows without colour: a tick before it and a heavy border.
    chosen = page.get_by_role("group", name=participant.get_full_name()).locator(
        "input:checked + label"
    )
    expect(chosen).to_have_text("Present")
    tick = chosen.evaluate("label => getComputedStyle(label, '::before').content")
    assert "✓" in tick
    assert chosen.evaluate("label => getComputedStyle(label).borderTopWidth") == "3px"
    page.get_by_role("button", name="Save register").click()
    expect(page.get_by_text("Register saved (4 changed).")).to_be_visible()

    saved = dict(Attendance.objects.filter(session=session).values_list("person", "status"))
    assert saved == {
        absent.pk: "absent",
        participant.pk: "present",
        **{p.pk: "present" for p in rest},
    }
    session.refresh_from_db()
    assert session.register_taken_at is not None
