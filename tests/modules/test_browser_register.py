"""Faculty take a register on a phone-sized screen, by tapping and by keyboard."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from modules.models import Attendance
from tests.browser import log_in
from tests.modules.helpers import add_participants, make_module, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_faculty_take_the_register_on_a_phone(
    page: Page, live_server, cohort, faculty, participant
):
    today = timezone.localdate(timezone=cohort.tzinfo)
    session = make_session(make_module(cohort, title="Strategy"), today)
    late, by_keyboard, untouched = add_participants(cohort, 3)
    page.set_viewport_size({"width": 375, "height": 740})
    log_in(page, live_server, faculty.email)

    page.goto(f"{live_server.url}/schedule/session/{session.pk}/register/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Register")
    page.get_by_role("group", name=participant.get_full_name()).get_by_text(
        "Present", exact=True
    ).click()
    row = page.get_by_role("group", name=late.get_full_name())
    row.get_by_text("Late", exact=True).click()
    expect(row.get_by_role("radio", name="Late")).to_be_checked()
    row.get_by_label(f"Note for {late}").fill("Theatre overran")
    # Keyboard: focus the person's "Not recorded" choice and arrow along to "Present".
    page.get_by_role("group", name=by_keyboard.get_full_name()).get_by_role(
        "radio", name="Not recorded"
    ).focus()
    page.keyboard.press("ArrowRight")
    page.get_by_role("button", name="Save register").click()

    expect(page.get_by_text("Register saved (3 changed).")).to_be_visible()
    saved = dict(Attendance.objects.filter(session=session).values_list("person", "status"))
    assert saved == {participant.pk: "present", late.pk: "late", by_keyboard.pk: "present"}
    assert Attendance.objects.get(person=late).note == "Theatre overran"
    assert untouched.pk not in saved
