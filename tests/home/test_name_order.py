"""Names sort by their letters whatever their macrons and accents — Hēnare with the H's, Ōtene
with the O's — on pages, in exports and in the PDF report's data (PostgreSQL, ICU collation)."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from cohorts.models import Cohort, Enrolment
from cohorts.selectors import cohort_people
from modules.selectors import attendance_export_rows, register_people
from reports.data import progress_report_data
from tests.factories import EnrolmentFactory, UserFactory
from tests.modules.helpers import make_module, make_session

pytestmark = pytest.mark.django_db

SURNAMES = ["Ōtene", "Harris", "Owens", "Hēnare", "Hohaia", "de Souza", "Ngata", "Éluard"]
IN_ORDER = ["de Souza", "Éluard", "Harris", "Hēnare", "Hohaia", "Ngata", "Ōtene", "Owens"]


@pytest.fixture
def people(cohort):
    for n, surname in enumerate(SURNAMES):
        person = UserFactory(email=f"n{n}@example.org", first_name="Kim", last_name=surname)
        EnrolmentFactory(cohort=cohort, person=person, role=Enrolment.Role.PARTICIPANT)
    return cohort


def test_the_people_page_and_the_register_sort_by_letters(people):
    assert [e.person.last_name for e in cohort_people(people)] == IN_ORDER
    session = make_session(make_module(people), datetime.date(2030, 1, 7))
    session.module.cohort = people
    assert [p.last_name for p in register_people(session)] == IN_ORDER


def test_exports_sort_by_letters(client, people, administrator):
    client.force_login(administrator)
    response = client.get(reverse("cohorts:people_export_csv", args=[people.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]
    assert [row[1] for row in rows] == IN_ORDER
    make_session(make_module(people), datetime.date(2030, 1, 7))
    assert [row[8].split(" ", 1)[1] for row in attendance_export_rows(people)] == IN_ORDER


def test_the_pdf_reports_data_sorts_by_letters(people):
    report = progress_report_data(Cohort.objects.select_related("programme").get(pk=people.pk))
    assert [row.person.last_name for row in report.attendance.rows] == IN_ORDER
