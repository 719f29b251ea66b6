import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from pairings.models import Pairing, PairingPreference, ShadowingEntry
from tests.browser import log_in
from tests.pairings.helpers import manager_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_accepts_a_suggestion_and_the_pair_logs_shadowing(
    page: Page, live_server, cohort, administrator, participant
):
    # A cohort that has started: new pairs start today, so a session can be logged at once.
    cohort.starts_on = datetime.date.today() - datetime.timedelta(days=7)
    cohort.save()
    manager = manager_in(cohort, email="tama@example.org", first_name="Tama", last_name="Herewini")
    for person in (participant, manager):
        PairingPreference.objects.create(
            cohort=cohort, person=person, interests=["patient_flow"], availability=["wed_am"]
        )

    log_in(page, live_server, administrator.email)
    page.goto(f"{live_server.url}/pairings/cohort/{cohort.pk}/suggestions/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Suggested pairs: Clinician–manager partnership"
    )
    row = page.get_by_role("row", name=re.compile("Aroha"))
    expect(row.get_by_label("Partner for Aroha")).to_have_value(str(manager.pk))
    expect(row).to_contain_text("Shared interests: Patient flow and discharge")
    expect(row.get_by_label("Accept a pair for Aroha")).to_be_checked()
    page.get_by_role("button", name="Save accepted pairs").click()
    expect(page.get_by_role("status")).to_have_text("Saved 1 pair(s).")
    pairing = Pairing.objects.get()
    assert (pairing.clinician, pairing.manager, pairing.status) == (participant, manager, "active")

    page.context.clear_cookies()
    log_in(page, live_server, participant.email)
    page.get_by_role("link", name="My pairing").click()
    page.get_by_role("link", name=re.compile("Tama Herewini")).click()
    page.get_by_label("Date").fill(pairing.started_on.isoformat())
    page.get_by_label("Who shadowed whom").select_option(
        label=f"{participant} shadowed Tama Herewini"
    )
    page.get_by_label("Where").fill("Bed management meeting")
    page.get_by_label("How long (minutes)").fill("90")
    page.get_by_label("Reflection").fill("The 08:30 bed meeting sets the day for every ward.")
    page.get_by_role("button", name="Add to the log").click()

    expect(page.get_by_role("status")).to_have_text("Shadowing session added to the log.")
    log = page.get_by_role("table").filter(has_text="Who shadowed whom")
    expect(log).to_contain_text("shadowed Tama Herewini")
    expect(log).to_contain_text("Bed management meeting")
    entry = ShadowingEntry.objects.get()
    assert (entry.author, entry.minutes) == (participant, 90)
