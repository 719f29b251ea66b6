"""Participant import: reading files, finding every problem, and writing all or nothing."""

import pytest
from django.core.management import CommandError, call_command

from cohorts import imports, services
from cohorts.models import Enrolment
from leadership.models import AuditEvent, Notification, User
from tests.cohorts.helpers import csv_bytes, participant_rows, xlsx_bytes
from tests.factories import EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _checked(data: bytes, cohort, filename="people.csv") -> imports.ImportPreview:
    preview = imports.read_file(filename, data)
    assert not preview.file_errors, preview.file_errors
    return imports.check_rows(preview, cohort)


def _problems(preview) -> dict[int, list[tuple[str, str]]]:
    return {row.line: [(p.column, p.message) for p in row.problems] for row in preview.problem_rows}


def test_it_reads_utf8_with_a_byte_order_mark_and_header_synonyms_in_any_case(cohort):
    data = (
        "\ufeffEMAIL ADDRESS,given name,SurName,profession\n".encode()
        + (
            "wiremu@example.org,Wiremu,Tāwhai,doctor\nsiobhan@example.org,Siobhán,O'Neill,Nurse\n"
        ).encode()
    )
    preview = _checked(data, cohort)
    assert preview.is_valid
    assert [row.values["last_name"] for row in preview.rows] == ["Tāwhai", "O'Neill"]
    assert preview.rows[1].values["first_name"] == "Siobhán"
    assert preview.rows[1].values["profession"] == User.Profession.NURSE


def test_it_reads_windows_1252_with_semicolons(cohort):
    text = (
        "E-mail;First name;Last name;Profession;Job title\n"
        "siobhan@example.org;Siobhán;Ó Briain;Allied health;Dietitian\n"
    )
    preview = _checked(text.encode("cp1252"), cohort)
    assert preview.is_valid
    row = preview.rows[0].values
    assert (row["first_name"], row["last_name"]) == ("Siobhán", "Ó Briain")
    assert row["profession"] == User.Profession.ALLIED_HEALTH
    assert row["job_title"] == "Dietitian"


def test_it_reads_an_excel_workbook_and_maps_role_to_job_title(cohort):
    preview = _checked(xlsx_bytes(participant_rows(3)), cohort, filename="people.xlsx")
    assert preview.is_valid
    assert len(preview.rows) == 3
    assert preview.rows[0].values["job_title"] == "Consultant"
    assert preview.rows[0].values["email"] == "person.1@hospital.example.org"


def test_a_file_without_an_email_column_is_refused_as_a_whole(cohort):
    preview = imports.read_file("people.csv", b"Name,Profession\nAroha,doctor\n")
    assert not preview.is_valid
    assert "missing: E-mail, First name" in preview.file_errors[0]


def test_it_reports_every_problem_next_to_its_row_and_column(cohort):
    cohort.capacity = 7
    cohort.save()
    enrolled = UserFactory(email="already@example.org")
    EnrolmentFactory(cohort=cohort, person=enrolled)
    rows = [
        ["ok.one@example.org", "Ana", "Silva", "Doctor", "", ""],  # line 2
        ["", "No", "Email", "Nurse", "", ""],  # 3: missing e-mail
        ["not-an-email", "Bad", "Email", "Nurse", "", ""],  # 4: malformed
        ["OK.ONE@example.org", "Ana", "Again", "Doctor", "", ""],  # 5: duplicate of 2
        ["already@example.org", "Al", "Ready", "Doctor", "", ""],  # 6: already enrolled
        ["who@example.org", "Who", "Knows", "Astronaut", "", ""],  # 7: unknown profession
        ["long@example.org", "L" * 151, "Long", "Doctor", "", ""],  # 8: too long
        *participant_rows(6),  # 9..14: the last of these is beyond capacity
    ]
    preview = _checked(csv_bytes(rows), cohort)
    problems = _problems(preview)
    assert not preview.is_valid
    assert problems[3] == [("email", "E-mail is missing.")]
    assert problems[4] == [("email", "“not-an-email” is not a valid e-mail address.")]
    assert problems[5] == [("email", "Duplicate: the same e-mail is on row 2.")]
    assert problems[6] == [("email", "Already enrolled in Cohort 3 as a participant.")]
    assert problems[7][0][0] == "profession"
    assert "Unknown profession “Astronaut”" in problems[7][0][1]
    assert problems[8] == [("first_name", "Too long: at most 150 characters (this has 151).")]
    # 7 places, 1 taken: rows 2 and 9..13 take the other six, row 14 is one too many.
    assert problems[14] == [
        ("", "Over capacity: Cohort 3 takes 7 participants and 1 are already enrolled.")
    ]
    assert sorted(problems) == [3, 4, 5, 6, 7, 8, 14]
    assert "Row 14: Over capacity" in "\n".join(preview.error_lines())


def test_the_import_creates_accounts_invites_them_and_enrols_everyone(cohort, administrator):
    existing = UserFactory(email="person.2@hospital.example.org", first_name="Kept")
    preview = _checked(csv_bytes(participant_rows(4)), cohort)
    enrolments = services.participants_import(
        cohort=cohort, preview=preview, acting_user=administrator
    )
    assert len(enrolments) == 4
    assert cohort.enrolments.filter(role=Enrolment.Role.PARTICIPANT).count() == 4
    existing.refresh_from_db()
    assert existing.first_name == "Kept"  # an existing account keeps its details
    invited = AuditEvent.objects.filter(action="person.invite", actor=administrator)
    assert invited.count() == 3
    invitations = Notification.objects.filter(kind="invitation", cohort_id=cohort.pk)
    assert sorted(invitations.values_list("recipient__email", flat=True)) == [
        "person.1@hospital.example.org",
        "person.3@hospital.example.org",
        "person.4@hospital.example.org",
    ]
    new = User.objects.get(email="person.1@hospital.example.org")
    assert not new.has_usable_password()
    assert new.profession == User.Profession.NURSE


def test_the_import_writes_nothing_when_the_cohort_changed_since_the_preview(cohort, administrator):
    preview = _checked(csv_bytes(participant_rows(3)), cohort)
    assert preview.is_valid
    # Someone enrols the second person by hand between preview and confirm.
    EnrolmentFactory(cohort=cohort, person=UserFactory(email="person.2@hospital.example.org"))
    people_before, audit_before = User.objects.count(), AuditEvent.objects.count()
    with pytest.raises(services.ImportRejected) as rejected:
        services.participants_import(cohort=cohort, preview=preview, acting_user=administrator)
    assert _problems(rejected.value.preview) == {
        3: [("email", "Already enrolled in Cohort 3 as a participant.")]
    }
    assert User.objects.count() == people_before
    assert AuditEvent.objects.count() == audit_before
    assert cohort.enrolments.count() == 1


def test_the_command_refuses_a_bad_file_without_writing_anything(cohort, tmp_path, capsys):
    rows = participant_rows(5)
    rows[2][0] = "broken-address"
    rows[4][3] = "Wizard"
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(rows))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_participants", "--cohort", cohort.slug, str(path))
    err = capsys.readouterr().err
    assert "Row 4, E-mail: “broken-address” is not a valid e-mail address." in err
    assert "Row 6, Profession: Unknown profession “Wizard”" in err
    assert not User.objects.filter(email__endswith="@hospital.example.org").exists()
    assert not cohort.enrolments.exists()


def test_the_command_imports_a_good_file_by_cohort_id(cohort, tmp_path, capsys):
    path = tmp_path / "people.xlsx"
    path.write_bytes(xlsx_bytes(participant_rows(5)))
    call_command("import_participants", "--cohort", str(cohort.pk), str(path))
    assert "Imported 5 participants" in capsys.readouterr().out
    assert cohort.enrolments.filter(role=Enrolment.Role.PARTICIPANT).count() == 5


def test_the_command_names_an_unknown_cohort(db, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(participant_rows(1)))
    with pytest.raises(CommandError, match="No cohort has the id or slug 'nope'"):
        call_command("import_participants", "--cohort", "nope", str(path))


# --- workbooks that would expand too far (issue 19) --------------------------------------------


def _with_extra_members(workbook: bytes, members: dict[str, bytes]) -> bytes:
    """``workbook`` with ``members`` added to its zip archive, deflated."""
    import io
    import zipfile

    buffer = io.BytesIO(workbook)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_workbook_that_expands_like_a_zip_bomb_is_refused_before_it_is_opened():
    # 40 MB of shared-string padding in well under 100 kB: it would be read into memory whole.
    padding = b"<si><t>" + b"a" * (40 * 1024 * 1024) + b"</t></si>"
    bomb = _with_extra_members(xlsx_bytes(participant_rows(3)), {"xl/padding.xml": padding})
    assert len(bomb) < 100 * 1024
    preview = imports.read_file("people.xlsx", bomb)
    assert not preview.rows
    assert len(preview.file_errors) == 1
    assert preview.file_errors[0].startswith("“people.xlsx” ")
    assert preview.file_errors[0].endswith("it looks like a compressed bomb and was refused.")


def test_a_workbook_of_thousands_of_parts_is_refused():
    parts = {f"xl/extra/{n}.xml": b"<x/>" for n in range(2001)}
    preview = imports.read_file(
        "a.xlsx", _with_extra_members(xlsx_bytes(participant_rows(2)), parts)
    )
    assert preview.file_errors == ["“a.xlsx” contains too many parts to be a document."]


def test_a_workbook_within_the_limits_is_read(cohort):
    preview = _checked(
        _with_extra_members(xlsx_bytes(participant_rows(2)), {"xl/notes.xml": b"<n/>" * 100}),
        cohort,
        filename="a.xlsx",
    )
    assert preview.is_valid and len(preview.rows) == 2
