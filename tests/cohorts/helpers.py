"""Participant lists as an HR system or a spreadsheet would export them."""

import csv
import io

PROFESSIONS = ["Doctor", "Nurse", "Allied health", "Manager", "Other clinical"]
HEADER = ["Email address", "Given name", "Surname", "Profession", "Role", "Department"]


def participant_rows(count: int, *, start: int = 1) -> list[list[str]]:
    return [
        [
            f"person.{n}@hospital.example.org",
            f"Given{n}",
            f"Surname-{n}",
            PROFESSIONS[n % len(PROFESSIONS)],
            "Consultant",
            "General Medicine",
        ]
        for n in range(start, start + count)
    ]


def csv_bytes(rows: list[list[str]], *, header=HEADER, delimiter=",", encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[str]], *, header=HEADER) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
