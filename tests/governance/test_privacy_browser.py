"""The governance pages in Chromium: an administrator finds the audit trail from the menu and
filters it, downloads a person's data and erases them by typing their e-mail; a participant
downloads their own. No serious axe-core violation on any of these pages."""

import json
import re
import zipfile

import pytest
from playwright.sync_api import expect

from cohorts.models import Enrolment
from leadership.models import User
from leadership.services import audit_record
from tests.a11y.axe import describe, serious_violations
from tests.browser import log_in
from tests.factories import CohortFactory, EnrolmentFactory, ProgrammeFactory, UserFactory
from tests.totp import give_authenticator_app

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check_axe(page, failures: list[str]) -> None:
    violations = serious_violations(page)
    if violations:
        failures.append(f"{page.url}: {describe(violations)}")


def test_an_administrator_audits_exports_and_erases_a_person(page, live_server):
    programme = ProgrammeFactory(name="Enhanced Care")
    cohort = CohortFactory(programme=programme, name="Cohort 3")
    admin = UserFactory(email="admin@example.org", first_name="Alex", last_name="Reid")
    programme.administrators.add(admin)
    give_authenticator_app(admin)
    person = UserFactory(email="tama@example.org", first_name="Tama", last_name="Ngata")
    EnrolmentFactory(cohort=cohort, person=person, role=Enrolment.Role.PARTICIPANT)
    audit_record(
        actor=admin,
        action="enrolment.create",
        target=cohort,
        cohort_id=cohort.pk,
        person_id=person.pk,
    )
    failures: list[str] = []

    log_in(page, live_server, admin.email)
    page.get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    _check_axe(page, failures)
    page.get_by_label("Person").fill("Ngata")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("table")).to_contain_text("Enrolled (role given)")
    page.get_by_role("link", name="Tama Ngata").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Personal data of Tama Ngata")
    _check_axe(page, failures)

    with page.expect_download() as download:
        page.get_by_role("button", name="Download their data (zip)").click()
    archive = zipfile.ZipFile(download.value.path())
    assert json.loads(archive.read("data.json"))["profile"][0]["email"] == "tama@example.org"

    page.get_by_role("link", name=re.compile("Erase Tama Ngata")).click()
    _check_axe(page, failures)
    page.get_by_label("Type the person's e-mail address to confirm").fill("wrong@example.org")
    page.get_by_role("button", name="Erase this person").click()
    expect(page.locator("#id_confirm_error")).to_contain_text(
        "That is not this person's e-mail address."
    )
    page.get_by_label("Type the person's e-mail address to confirm").fill("tama@example.org")
    page.get_by_role("button", name="Erase this person").click()
    expect(page.get_by_role("status").first).to_contain_text("Erased.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Erased person #")
    assert User.objects.get(pk=person.pk).email.endswith("@erased.invalid")
    assert not failures, "\n".join(failures)


def test_a_participant_downloads_their_own_data(page, live_server, cohort):
    person = UserFactory(email="mere@example.org", first_name="Mere")
    EnrolmentFactory(cohort=cohort, person=person, role=Enrolment.Role.PARTICIPANT)
    log_in(page, live_server, person.email)
    page.get_by_role("link", name="Your data").click()
    failures: list[str] = []
    _check_axe(page, failures)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download your data (zip)").click()
    archive = zipfile.ZipFile(download.value.path())
    assert json.loads(archive.read("data.json"))["profile"][0]["first_name"] == "Mere"
    assert not failures, "\n".join(failures)
