"""A person's grade (seniority) is data: imported from a "Grade" column in the words HR files
use, exported by its label, and read back from the export."""

import pytest
from django.urls import reverse

from cohorts import imports, services
from leadership.models import User
from tests.factories import EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _preview(data: bytes, cohort, filename="people.csv") -> imports.ImportPreview:
    preview = imports.read_file(filename, data)
    assert not preview.file_errors, preview.file_errors
    return imports.check_rows(preview, cohort)


def test_an_import_reads_grades_in_the_words_people_use_and_names_an_unknown_one(
    cohort, administrator
):
    data = (
        b"Email,First name,Last name,Profession,Grade\n"
        b"fy2@example.org,Ana,Lee,Doctor,FY2\n"
        b"reg@example.org,Ben,Ko,doctor,Registrar\n"
        b"mgr@example.org,Cat,Ng,Manager,\n"
    )
    preview = _preview(data, cohort)
    assert preview.is_valid, preview.error_lines()
    assert [row.values["grade"] for row in preview.rows] == ["junior", "middle", ""]
    services.participants_import(cohort=cohort, preview=preview, acting_user=administrator)
    ana = User.objects.get(email="fy2@example.org")
    assert ana.grade == User.Grade.JUNIOR
    assert ana.grade_and_profession == "Junior doctor"

    bad = _preview(b"Email,First name,Profession,Grade\nx@example.org,X,Doctor,Wizard\n", cohort)
    [row] = bad.problem_rows
    assert [(p.column, p.message[:22]) for p in row.problems] == [
        ("grade", "Unknown grade “Wizard”")
    ]


def test_the_people_export_has_the_grade_and_imports_back(client, cohort, administrator):
    person = UserFactory(email="jr@example.org", profession="doctor", grade="junior")
    EnrolmentFactory(cohort=cohort, person=person)
    client.force_login(administrator)
    data = client.get(reverse("cohorts:people_export_csv", args=[cohort.pk])).content
    header, *rows = data.decode("utf-8-sig").splitlines()
    assert "Grade" in header.split(",")
    assert any("jr@example.org" in row and ",Junior," in row for row in rows)
    preview = imports.read_file("people.csv", data)
    assert (
        next(r for r in preview.rows if r.values["email"] == "jr@example.org").values["grade"]
        == "Junior"
    )
