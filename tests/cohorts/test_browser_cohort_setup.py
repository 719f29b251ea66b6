"""Done means: an administrator sets up Cohort 4 and imports its 50 participants, in Chromium."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from modules.services import programme_models_install
from tests.browser import log_in
from tests.cohorts.helpers import csv_bytes, participant_rows
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _csv_file(rows) -> dict:
    return {"name": "cohort-4.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows)}


def test_an_administrator_creates_cohort_4_and_imports_fifty_participants(page: Page, live_server):
    ecm = {p.slug: p for p in programme_models_install()}["enhanced-care-management"]
    admin = UserFactory(email="programme.office@example.org", first_name="Alexandra")
    ecm.administrators.add(admin)
    starts_on = timezone.localdate() + datetime.timedelta(days=45)

    log_in(page, live_server, admin.email)
    page.get_by_role("link", name="New cohort").click()
    page.get_by_label("Programme").select_option(label=ecm.name)
    page.locator("#id_name").fill("Cohort 4")
    page.get_by_label("Start date").fill(starts_on.isoformat())
    page.get_by_role("button", name="Create cohort").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cohort 4")
    expect(page.get_by_text("0 of 50 participant places taken")).to_be_visible()

    rows = participant_rows(50)
    bad = [row.copy() for row in rows]
    bad[4][0] = "person.5.hospital.example.org"  # malformed e-mail, row 6
    bad[19][0] = bad[18][0]  # duplicate of row 20, on row 21
    bad[41][3] = "Astronaut"  # unknown profession, row 43
    page.get_by_role("link", name="Import participants").click()
    page.get_by_label("Participant list").set_input_files(_csv_file(bad))
    page.get_by_role("button", name="Check the file").click()
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("Nothing was imported")
    expect(problems).to_contain_text(
        "Row 6, E-mail: “person.5.hospital.example.org” is not a valid"
    )
    expect(problems).to_contain_text("Row 21, E-mail: Duplicate: the same e-mail is on row 20.")
    expect(problems).to_contain_text("Row 43, Profession: Unknown profession “Astronaut”")
    expect(page.locator("#import-preview tbody tr.table-danger")).to_have_count(3)
    expect(page.get_by_role("button", name="Import 50 participants")).to_have_count(0)

    page.get_by_label("Participant list").set_input_files(_csv_file(rows))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("50 participants are ready to import")).to_be_visible()
    page.get_by_role("button", name="Import 50 participants").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Cohort 4")
    expect(page.get_by_text("Imported 50 participants into Cohort 4.")).to_be_visible()
    expect(page.get_by_text("50 of 50 participant places taken")).to_be_visible()
    participants = page.get_by_role("table", name="Participant in Cohort 4")
    expect(participants.locator("tbody tr")).to_have_count(50)
    expect(participants).to_contain_text("Given50 Surname-50")
