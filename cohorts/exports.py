"""A cohort's people as CSV or XLSX, safe to open in a spreadsheet."""

import csv
import io
import re

from leadership.workbooks import write_only_workbook

from .models import Enrolment

HEADERS = [
    "First name",
    "Last name",
    "E-mail",
    "Role",
    "Status",
    "Withdrawn on",
    "Profession",
    "Grade",
    "Job title",
    "Department",
    "Organisation",
]
# A spreadsheet runs a cell that starts with one of these as a formula (tab and carriage return
# too: some applications strip them and then see the "=").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """The cell as text, prefixed with an apostrophe when a spreadsheet would run it."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def people_rows(enrolments: list[Enrolment]) -> list[list[str]]:
    """One neutralised row per enrolment, in ``HEADERS`` order."""
    return [
        [
            neutralise(cell)
            for cell in (
                e.person.first_name,
                e.person.last_name,
                e.person.email,
                e.get_role_display(),
                e.get_status_display(),
                e.withdrawn_on.isoformat() if e.withdrawn_on else "",
                e.person.get_profession_display(),
                e.person.get_grade_display(),
                e.person.job_title,
                e.person.department,
                e.person.organisation,
            )
        ]
        for e in enrolments
    ]


def people_csv(enrolments: list[Enrolment]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel shows macrons and accents correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(people_rows(enrolments))
    return buffer.getvalue().encode("utf-8-sig")


def people_xlsx(enrolments: list[Enrolment], *, title: str) -> bytes:
    """A workbook with one sheet; every cell is written as a string, never as a formula."""
    workbook = write_only_workbook()
    sheet = workbook.create_sheet(title=re.sub(r"[\\/*?:\[\]]", "", title)[:31] or "People")
    sheet.append(HEADERS)
    for row in people_rows(enrolments):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
