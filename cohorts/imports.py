"""Reading and checking a participant list (CSV or XLSX) before anything is written.

One piece of code for the upload page and the ``import_participants`` command: ``read_file``
turns bytes into rows keyed by our field names, ``check_rows`` finds every problem per row and
column against the cohort as it is now. ``services.participants_import`` writes a clean list.

Columns are matched by name: a column named exactly as ours ("Job title") wins over a synonym
("Role" is often the job). A cohort's own people export reads back as it was written: its
"Role" column holds enrolment roles (everyone is enrolled in their role, not as a
participant) and its withdrawn rows are left out."""

import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from typing import cast

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Field

from leadership.archives import check_archive
from leadership.models import User, normalise_email
from leadership.workbooks import read_only_workbook

from .exports import FORMULA_STARTS
from .models import Cohort, Enrolment

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
# What a workbook of MAX_ROWS people may expand to when opened: their text is a megabyte or
# two, and a spreadsheet's XML around it ten times that.
MAX_XLSX_UNCOMPRESSED_BYTES = 40 * 1024 * 1024

# Our person fields → the header each is shown under.
PERSON_FIELDS = {
    "email": "E-mail",
    "first_name": "First name",
    "last_name": "Last name",
    "profession": "Profession",
    "grade": "Grade",
    "job_title": "Job title",
    "department": "Department",
    "organisation": "Organisation",
}
# Every field a row has: the person's, and the role they are enrolled in (participant unless a
# "Role" column of enrolment roles says otherwise, as in the cohort's people export).
FIELDS = {**PERSON_FIELDS, "role": "Role"}
REQUIRED = ("email", "first_name", "profession")

# Header names as people write them (compared lower-case with only letters and digits kept).
HEADER_SYNONYMS = {
    "email": ["email", "emailaddress", "e-mail", "workemail", "mail", "emailaddr"],
    "first_name": ["firstname", "givenname", "forename", "first", "givennames", "preferredname"],
    "last_name": ["lastname", "surname", "familyname", "last"],
    "profession": ["profession", "staffgroup", "professionalgroup", "occupation", "discipline"],
    "grade": ["grade", "seniority", "band", "level", "gradeorseniority"],
    "job_title": ["jobtitle", "role", "jobrole", "position", "post", "designation"],
    "department": ["department", "service", "directorate", "departmentservice", "specialty"],
    "organisation": ["organisation", "organization", "employer", "trust", "dhb", "practice"],
}
_HEADERS = {synonym: name for name, synonyms in HEADER_SYNONYMS.items() for synonym in synonyms}
# Exact names (ours, as headers or as field names) are matched before any synonym.
_EXACT = {
    **{re.sub(r"[^a-z0-9]", "", label.lower()): name for name, label in PERSON_FIELDS.items()},
    **{name.replace("_", ""): name for name in PERSON_FIELDS},
}
# A "Status" column (the people export's) whose value is "Withdrawn" leaves the row out.
STATUS_HEADERS = {"status", "enrolmentstatus"}

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
_PROFESSIONS: dict[str, str] = {
    synonym: value for value, synonyms in PROFESSION_SYNONYMS.items() for synonym in synonyms
}
# The product's own codes and labels ("allied_health", "Allied health professional") always
# read back.
for _value, _label in User.Profession.choices:
    _PROFESSIONS[re.sub(r"[^a-z0-9]", "", _value.lower())] = _value
    _PROFESSIONS[re.sub(r"[^a-z0-9]", "", _label.lower())] = _value

# Grades as people write them → our choices (codes and labels read back too).
GRADE_SYNONYMS = {
    User.Grade.JUNIOR: [
        "junior",
        "juniordoctor",
        "foundation",
        "fy1",
        "fy2",
        "f1",
        "f2",
        "core",
        "coretrainee",
        "ct1",
        "ct2",
        "resident",
        "band5",
        "band6",
    ],
    User.Grade.MIDDLE: [
        "middle",
        "middlegrade",
        "registrar",
        "specialtytrainee",
        "spr",
        "st3",
        "band7",
    ],
    User.Grade.SENIOR: [
        "senior",
        "consultant",
        "gppartner",
        "band8",
        "band8a",
        "band8b",
        "band8c",
        "band8d",
    ],
    User.Grade.EXECUTIVE: ["executive", "director", "board", "band9"],
}
_GRADES: dict[str, str] = {
    synonym: value for value, synonyms in GRADE_SYNONYMS.items() for synonym in synonyms
}
for _value, _label in User.Grade.choices:
    _GRADES[re.sub(r"[^a-z0-9]", "", _value.lower())] = _value
    _GRADES[re.sub(r"[^a-z0-9]", "", _label.lower())] = _value

# Enrolment roles by code, label and the words people use.
_ROLES: dict[str, str] = {
    "sponsor": Enrolment.Role.CLINICAL_LEADER,
    "clinicalleader": Enrolment.Role.CLINICAL_LEADER,
}
for _value, _label in Enrolment.Role.choices:
    _ROLES[re.sub(r"[^a-z0-9]", "", _value.lower())] = _value
    _ROLES[re.sub(r"[^a-z0-9]", "", _label.lower())] = _value


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
    skipped: str = ""  # why the row is left out (not a problem), e.g. withdrawn in the export

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(column, message))

    def problems_in(self, column: str) -> list[Problem]:
        return [p for p in self.problems if p.column == column]

    @property
    def cells(self) -> list[tuple[str, str, list[Problem]]]:
        """(field, value, problems) in column order: what a preview table shows."""
        labels = {
            "profession": dict(User.Profession.choices),
            "grade": dict(User.Grade.choices),
            "role": {"": "Participant", **dict(Enrolment.Role.choices)},
        }
        return [
            (
                name,
                labels[name].get(value, value) if name in labels else value,
                self.problems_in(name),
            )
            for name, value in ((name, self.values.get(name, "")) for name in FIELDS)
        ]

    @property
    def role(self) -> str:
        return self.values.get("role") or Enrolment.Role.PARTICIPANT

    @property
    def row_problems(self) -> list[Problem]:
        return self.problems_in("")

    @property
    def note(self) -> str:
        """The preview's Notes column besides the row's own problems: why it is left out, or
        what importing it will do — which a row with any problem never claims (it will not be
        imported as it is, so nobody is invited from it)."""
        if self.skipped:
            return self.skipped
        if self.row_problems:
            return ""
        if self.problems:
            return "Fix the problems in this row first"
        return "Has an account" if self.existing_person else "New: will be invited"


@dataclass
class ImportPreview:
    rows: list[ImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and bool(self.importable_rows) and not self.problem_rows

    @property
    def importable_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.skipped]

    @property
    def skipped_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.skipped]

    @property
    def problem_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.problems]

    @property
    def role_counts(self) -> list[tuple[str, int]]:
        """(role label, how many) of the rows to import, participants first."""
        counts = Counter(row.role for row in self.importable_rows)
        return [(label, counts[value]) for value, label in Enrolment.Role.choices if counts[value]]

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
        return [
            {"line": row.line, "values": row.values, "skipped": row.skipped} for row in self.rows
        ]

    @classmethod
    def from_session(cls, data: list[dict]) -> "ImportPreview":
        return cls(
            rows=[
                ImportRow(line=r["line"], values=r["values"], skipped=r.get("skipped", ""))
                for r in data
            ]
        )


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
    workbook = read_only_workbook(data)
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
    columns, status_column = _columns(header, body, preview)
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
            values[name] = _as_typed(cells[index].strip()) if index < len(cells) else ""
        row = ImportRow(line=line, values=values)
        status = (
            cells[status_column] if status_column is not None and status_column < len(cells) else ""
        )
        if _key(status) == Enrolment.Status.WITHDRAWN:
            row.skipped = "Withdrawn in this list: not enrolled."
        preview.rows.append(row)
    return preview


def _as_typed(value: str) -> str:
    """A cell as it was typed: our exports put an apostrophe before text a spreadsheet would
    run as a formula (``exports.neutralise``), and reading it back takes it off again."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _columns(
    header: list[str], body: list[list[str]], preview: ImportPreview
) -> tuple[dict[int, str], int | None]:
    """Column index → our field, and the index of a "Status" column if any. Exact names are
    matched first, then synonyms. A "Role" column whose every value is an enrolment role
    ("Participant", "Faculty", …) gives each row's role; otherwise "Role" is a synonym of the
    job title, and a column named "Job title" wins over it."""
    columns: dict[int, str] = {}
    status_column = None
    keys = [_key(title) for title in header]
    for index, key in enumerate(keys):
        name = _EXACT.get(key)
        if name and name not in columns.values():
            columns[index] = name
    for index, key in enumerate(keys):
        if index in columns:
            continue
        if key == "role" and _holds_roles(index, body) and "role" not in columns.values():
            columns[index] = "role"
            continue
        if key in STATUS_HEADERS and status_column is None:
            status_column = index
            continue
        name = _HEADERS.get(key)
        if name and name not in columns.values():
            columns[index] = name
        elif header[index].strip():
            preview.ignored_columns.append(header[index].strip())
    return columns, status_column


def _holds_roles(index: int, body: list[list[str]]) -> bool:
    values = [_key(cells[index]) for cells in body if index < len(cells) and cells[index].strip()]
    return bool(values) and all(value in _ROLES for value in values)


# Checking ------------------------------------------------------------------------------------


def _check_values(row: ImportRow) -> None:
    """Required values, professions and roles mapped to our choices (before any length check:
    a profession's label is longer than its code), lengths, e-mail addresses."""
    values = row.values
    for name in REQUIRED:
        if not values[name]:
            row.problem(name, f"{FIELDS[name]} is missing.")
    if values["profession"]:
        profession = _PROFESSIONS.get(_key(values["profession"]))
        if profession is None:
            choices = ", ".join(label for _value, label in User.Profession.choices)
            row.problem(
                "profession", f"Unknown profession “{values['profession']}”: use one of {choices}."
            )
        else:
            values["profession"] = profession
    if values["grade"]:
        grade = _GRADES.get(_key(values["grade"]))
        if grade is None:
            choices = ", ".join(label for _value, label in User.Grade.choices)
            row.problem(
                "grade",
                f"Unknown grade “{values['grade']}”: use one of {choices}, or leave it empty.",
            )
        else:
            values["grade"] = grade
    if values["role"]:
        role = _ROLES.get(_key(values["role"]))
        if role is None:
            choices = ", ".join(label for _value, label in Enrolment.Role.choices)
            row.problem("role", f"Unknown role “{values['role']}”: use one of {choices}.")
        else:
            values["role"] = role
    for name in PERSON_FIELDS:
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


def check_rows(preview: ImportPreview, cohort: Cohort) -> ImportPreview:
    """Find every problem in ``preview``'s rows (those not skipped) as people of ``cohort`` in
    their roles: missing or malformed values, too-long fields, unknown professions or roles,
    duplicates within the file, people already in the cohort in that role and participants
    beyond its free places. Normalises e-mails, professions and roles in place. Two queries
    (existing accounts; the cohort's current members)."""
    rows = preview.importable_rows
    for row in preview.rows:
        row.problems = []
    for row in rows:
        _check_values(row)
    emails = {row.values["email"] for row in rows if row.values["email"]}
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    members = set(
        cohort.enrolments.filter(status__in=Enrolment.ACTIVE_STATUSES).values_list(
            "person__email", "role"
        )
    )
    enrolled = {email for email, role in members if role == Enrolment.Role.PARTICIPANT}
    if not cohort.accepts_enrolments:
        preview.file_errors.append(
            f"{cohort.name} is {cohort.get_status_display().lower()}: it takes no enrolments."
        )
    places = cohort.capacity - len(enrolled)
    first_seen: dict[str, int] = {}
    labels = dict(Enrolment.Role.choices)
    for row in rows:
        email = row.values["email"]
        if not email:
            continue
        row.existing_person = email in existing
        if email in first_seen:
            row.problem("email", f"Duplicate: the same e-mail is on row {first_seen[email]}.")
            continue
        first_seen[email] = row.line
        if (email, row.role) in members:
            role = labels.get(row.role, row.role).lower()
            row.problem("email", f"Already enrolled in {cohort.name} as a {role}.")
            continue
        if row.problems or row.role != Enrolment.Role.PARTICIPANT:
            continue
        places -= 1
        if places < 0:
            row.problem(
                "",
                f"Over capacity: {cohort.name} takes {cohort.capacity} participants and "
                f"{len(enrolled)} are already enrolled.",
            )
    return preview


_ROLE_COUNTED = {
    Enrolment.Role.PARTICIPANT: ("participant", "participants"),
    Enrolment.Role.FACULTY: ("faculty member", "faculty"),
    Enrolment.Role.CLINICAL_LEADER: ("clinical leader", "clinical leaders"),
    Enrolment.Role.COACH: ("coach", "coaches"),
    Enrolment.Role.ADMIN_SUPPORT: ("person in administrative support", "in administrative support"),
}


def imported_text(roles: list[str]) -> str:
    """What an import enrolled, in words: "12 participants" or "12 participants and 2
    faculty" (``roles`` is each enrolment's role)."""
    counts = Counter(roles)
    parts = [
        f"{counts[role]} {one if counts[role] == 1 else many}"
        for role, (one, many) in _ROLE_COUNTED.items()
        if counts[role]
    ]
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    return parts[0] if parts else "nobody"
