"""Reading and checking a participant list (CSV or XLSX) before anything is written.

One piece of code for the upload page and the ``import_participants`` command: ``read_file``
turns bytes into rows keyed by our field names, ``check_rows`` finds every problem per row and
column against the cohort as it is now. ``services.participants_import`` writes a clean list."""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import cast

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Field
from openpyxl import load_workbook

from leadership.archives import check_archive
from leadership.models import User, normalise_email

from .models import Cohort, Enrolment

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
# What a workbook of MAX_ROWS people may expand to when opened: their text is a megabyte or
# two, and a spreadsheet's XML around it ten times that.
MAX_XLSX_UNCOMPRESSED_BYTES = 40 * 1024 * 1024

# Our field → the header it is shown under.
FIELDS = {
    "email": "E-mail",
    "first_name": "First name",
    "last_name": "Last name",
    "profession": "Profession",
    "job_title": "Job title",
    "department": "Department",
    "organisation": "Organisation",
}
REQUIRED = ("email", "first_name", "profession")

# Header names as people write them (compared lower-case with only letters and digits kept).
HEADER_SYNONYMS = {
    "email": ["email", "emailaddress", "e-mail", "workemail", "mail", "emailaddr"],
    "first_name": ["firstname", "givenname", "forename", "first", "givennames", "preferredname"],
    "last_name": ["lastname", "surname", "familyname", "last"],
    "profession": ["profession", "staffgroup", "professionalgroup", "occupation", "discipline"],
    "job_title": ["jobtitle", "role", "jobrole", "position", "post", "designation"],
    "department": ["department", "service", "directorate", "departmentservice", "specialty"],
    "organisation": ["organisation", "organization", "employer", "trust", "dhb", "practice"],
}
_HEADERS = {synonym: name for name, synonyms in HEADER_SYNONYMS.items() for synonym in synonyms}

# Profession values as HR exports write them → our choices.
PROFESSION_SYNONYMS = {
    User.Profession.DOCTOR: ["doctor", "medical", "medic", "physician", "consultant", "gp"],
    User.Profession.NURSE: ["nurse", "nursing", "nursepractitioner", "midwife"],
    User.Profession.ALLIED_HEALTH: [
        "alliedhealth",
        "alliedhealthprofessional",
        "ahp",
        "alliedhealthprofessions",
    ],
    User.Profession.MANAGER: ["manager", "management", "managerial", "administrator"],
    User.Profession.OTHER_CLINICAL: ["otherclinical", "clinical", "otherclinicalstaff"],
    User.Profession.OTHER: ["other", "nonclinical"],
}
_PROFESSIONS = {
    synonym: value for value, synonyms in PROFESSION_SYNONYMS.items() for synonym in synonyms
}


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


def _max_length(name: str) -> int:
    return cast(int, cast(Field, User._meta.get_field(name)).max_length)


@dataclass
class Problem:
    column: str  # one of FIELDS, or "" for the row as a whole
    message: str

    @property
    def column_label(self) -> str:
        return FIELDS.get(self.column, "Row")


@dataclass
class ImportRow:
    line: int  # the row number in the spreadsheet (the header is row 1)
    values: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    existing_person: bool = False

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(column, message))

    def problems_in(self, column: str) -> list[Problem]:
        return [p for p in self.problems if p.column == column]

    @property
    def cells(self) -> list[tuple[str, str, list[Problem]]]:
        """(field, value, problems) in column order: what a preview table shows."""
        labels = dict(User.Profession.choices)
        return [
            (
                name,
                labels.get(value, value) if name == "profession" else value,
                self.problems_in(name),
            )
            for name, value in ((name, self.values.get(name, "")) for name in FIELDS)
        ]

    @property
    def row_problems(self) -> list[Problem]:
        return self.problems_in("")


@dataclass
class ImportPreview:
    rows: list[ImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and bool(self.rows) and not self.problem_rows

    @property
    def problem_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.problems]

    @property
    def problem_count(self) -> int:
        return len(self.file_errors) + sum(len(row.problems) for row in self.rows)

    def error_lines(self) -> list[str]:
        """Every problem as one line of text, for the command."""
        lines = list(self.file_errors)
        for row in self.problem_rows:
            for problem in row.problems:
                where = (
                    f"Row {row.line}, {problem.column_label}"
                    if problem.column
                    else f"Row {row.line}"
                )
                lines.append(f"{where}: {problem.message}")
        return lines

    def to_session(self) -> list[dict]:
        return [{"line": row.line, "values": row.values} for row in self.rows]

    @classmethod
    def from_session(cls, data: list[dict]) -> "ImportPreview":
        return cls(rows=[ImportRow(line=r["line"], values=r["values"]) for r in data])


# Reading -------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252, which Excel on Windows
    writes and which decodes any byte except five unused ones."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _read_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _read_xlsx(data: bytes, name: str) -> list[list[str]]:
    """The first sheet's rows as text. The archive is checked as uploaded documents are
    (``leadership.archives``) before openpyxl opens it, read-only (rows streamed, not built
    into a workbook in memory)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        check_archive(archive, name=name, max_uncompressed_bytes=MAX_XLSX_UNCOMPRESSED_BYTES)
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(["" if cell is None else str(cell) for cell in row])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def read_file(filename: str, data: bytes) -> ImportPreview:
    """Parse a CSV or XLSX participant list into rows of our fields (unchecked). Problems with
    the file as a whole (unreadable, no e-mail column, too big) go in ``file_errors``."""
    preview = ImportPreview()
    if len(data) > MAX_FILE_BYTES:
        preview.file_errors.append("The file is larger than 5 MB; split it into smaller files.")
        return preview
    is_xlsx = filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK"
    try:
        table = _read_xlsx(data, filename) if is_xlsx else _read_csv(data)
    except ValidationError as refused:
        preview.file_errors.extend(refused.messages)
        return preview
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, csv.Error):
        preview.file_errors.append(
            "The file could not be read. Upload a CSV file or an Excel workbook (.xlsx)."
        )
        return preview
    table = [row for row in table if any(cell.strip() for cell in row)]
    if not table:
        preview.file_errors.append("The file is empty.")
        return preview
    header, *body = table
    columns: dict[int, str] = {}
    for index, title in enumerate(header):
        name = _HEADERS.get(_key(title))
        if name and name not in columns.values():
            columns[index] = name
        elif title.strip():
            preview.ignored_columns.append(title.strip())
    missing = [FIELDS[name] for name in REQUIRED if name not in columns.values()]
    if missing:
        preview.file_errors.append(
            f"The first row must name the columns; missing: {', '.join(missing)}. "
            f"Recognised names include {', '.join(FIELDS.values())}."
        )
        return preview
    if len(body) > MAX_ROWS:
        preview.file_errors.append(f"The file has more than {MAX_ROWS} rows.")
        return preview
    for line, cells in enumerate(body, start=2):
        values = dict.fromkeys(FIELDS, "")
        for index, name in columns.items():
            values[name] = cells[index].strip() if index < len(cells) else ""
        preview.rows.append(ImportRow(line=line, values=values))
    return preview


# Checking ------------------------------------------------------------------------------------


def _check_values(row: ImportRow) -> None:
    values = row.values
    for name in REQUIRED:
        if not values[name]:
            row.problem(name, f"{FIELDS[name]} is missing.")
    for name in FIELDS:
        limit = _max_length(name)
        if len(values[name]) > limit:
            row.problem(
                name, f"Too long: at most {limit} characters (this has {len(values[name])})."
            )
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            row.problem("email", f"“{values['email']}” is not a valid e-mail address.")
        else:
            values["email"] = normalise_email(values["email"])
    if values["profession"]:
        profession = _PROFESSIONS.get(_key(values["profession"]))
        if profession is None:
            choices = ", ".join(label for _value, label in User.Profession.choices)
            row.problem(
                "profession", f"Unknown profession “{values['profession']}”: use one of {choices}."
            )
        else:
            values["profession"] = profession


def check_rows(preview: ImportPreview, cohort: Cohort) -> ImportPreview:
    """Find every problem in ``preview``'s rows as participants of ``cohort``: missing or
    malformed values, too-long fields, unknown professions, duplicates within the file, people
    already in the cohort and rows beyond its free places. Normalises e-mails and professions
    in place. Two queries (existing accounts; the cohort's current participants)."""
    for row in preview.rows:
        row.problems = []
        _check_values(row)
    emails = {row.values["email"] for row in preview.rows if row.values["email"]}
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    enrolled = set(
        cohort.enrolments.filter(
            role=Enrolment.Role.PARTICIPANT, status__in=Enrolment.ACTIVE_STATUSES
        ).values_list("person__email", flat=True)
    )
    if not cohort.accepts_enrolments:
        preview.file_errors.append(
            f"{cohort.name} is {cohort.get_status_display().lower()}: it takes no enrolments."
        )
    places = cohort.capacity - len(enrolled)
    first_seen: dict[str, int] = {}
    for row in preview.rows:
        email = row.values["email"]
        if not email:
            continue
        row.existing_person = email in existing
        if email in first_seen:
            row.problem("email", f"Duplicate: the same e-mail is on row {first_seen[email]}.")
            continue
        first_seen[email] = row.line
        if email in enrolled:
            row.problem("email", f"Already enrolled in {cohort.name} as a participant.")
            continue
        if row.problems:
            continue
        places -= 1
        if places < 0:
            row.problem(
                "",
                f"Over capacity: {cohort.name} takes {cohort.capacity} participants and "
                f"{len(enrolled)} are already enrolled.",
            )
    return preview
