"""Participant import: reading files, finding every problem, and writing all or nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from cohorts import imports, services
from cohorts.models import Enrolment
from leadership.models import AuditEvent, Notification, User
from tests.cohorts.helpers import HEADER, csv_bytes, participant_rows, xlsx_bytes
from tests.factories import CohortFactory, EnrolmentFactory, UserFactory

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
    # Only a row without problems says what importing it will do.
    notes = {row.line: row.note for row in preview.rows}
    assert notes[2] == notes[9] == "New: will be invited"
    assert {notes[line] for line in (3, 4, 5, 6, 7, 8)} == {"Fix the problems in this row first"}
    assert notes[14] == ""  # its own problem is the note


def test_the_preview_page_never_says_a_row_with_problems_will_be_invited(
    client, administrator, cohort
):
    rows = [["who@example.org", "Who", "Knows", "Astronaut", "", ""]]
    client.force_login(administrator)
    upload = csv_bytes(rows)
    page = client.post(
        reverse("cohorts:import_upload", args=[cohort.pk]),
        {"file": SimpleUploadedFile("people.csv", upload, content_type="text/csv")},
    ).content.decode()
    assert "Unknown profession" in page and "will be invited" not in page


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


# --- What people paste and export --------------------------------------------------------------


@pytest.mark.parametrize(
    "written", ["Allied health professional", "allied_health", "ALLIED HEALTH", "AHP"]
)
def test_a_profession_reads_by_its_label_or_code_before_its_length_is_checked(cohort, written):
    data = csv_bytes([["ahp@example.org", "Ana", "Silva", written]], header=HEADER[:4])
    preview = _checked(data, cohort)
    assert preview.is_valid, preview.error_lines()
    assert preview.rows[0].values["profession"] == User.Profession.ALLIED_HEALTH


def test_an_exact_job_title_column_wins_over_role(cohort):
    header = ["E-mail", "First name", "Profession", "Role", "Job title"]
    rows = [["nurse@example.org", "Mere", "Nurse", "Team lead", "Charge nurse"]]
    preview = _checked(csv_bytes(rows, header=header), cohort)
    assert preview.is_valid
    assert preview.rows[0].values["job_title"] == "Charge nurse"
    assert preview.rows[0].role == Enrolment.Role.PARTICIPANT
    assert preview.ignored_columns == ["Role"]


def test_a_role_column_of_enrolment_roles_enrols_each_in_their_role(cohort, administrator):
    cohort.capacity = 1
    cohort.save()
    header = ["E-mail", "First name", "Profession", "Role"]
    rows = [
        ["p@example.org", "Pita", "Doctor", "Participant"],
        ["f@example.org", "Fran", "Manager", "Faculty"],
        ["l@example.org", "Lee", "Doctor", "Clinical leader (sponsor)"],
    ]
    preview = _checked(csv_bytes(rows, header=header), cohort)
    assert preview.is_valid, preview.error_lines()  # only one participant against capacity 1
    enrolments = services.participants_import(
        cohort=cohort, preview=preview, acting_user=administrator
    )
    assert {(e.person.email, e.role) for e in enrolments} == {
        ("p@example.org", "participant"),
        ("f@example.org", "faculty"),
        ("l@example.org", "clinical_leader"),
    }
    assert imports.imported_text([e.role for e in enrolments]) == (
        "1 participant, 1 faculty member and 1 clinical leader"
    )


def _export(client, cohort, fmt: str) -> bytes:
    url = reverse(f"cohorts:people_export_{fmt}", args=[cohort.pk])
    return client.get(url).content


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_people_export_imports_back_into_a_new_cohort_as_it_was(
    client, programme, cohort, administrator, faculty, clinical_leader, participant, fmt
):
    tricky = UserFactory(
        email="hemi@example.org",
        first_name="Hēmi",
        last_name="Tāwhai",
        profession=User.Profession.ALLIED_HEALTH,
        job_title="Physiotherapist, ward 7",
        department="=Rehab+Older people",
        organisation="Te Whatu Ora",
    )
    EnrolmentFactory(cohort=cohort, person=tricky)
    gone = UserFactory(email="gone@example.org")
    services.enrolment_set_status(
        enrolment=EnrolmentFactory(cohort=cohort, person=gone),
        status=Enrolment.Status.WITHDRAWN,
        reason="Moved away",
        acting_user=administrator,
    )
    client.force_login(administrator)
    data = _export(client, cohort, fmt)
    fresh = CohortFactory(programme=programme, name="Cohort 9")

    preview = _checked(data, fresh, filename=f"people.{fmt}")

    assert preview.is_valid, preview.error_lines()
    assert [row.values["email"] for row in preview.skipped_rows] == ["gone@example.org"]
    services.participants_import(cohort=fresh, preview=preview, acting_user=administrator)
    roles = {
        (e.person.email, e.role)
        for e in fresh.enrolments.select_related("person").filter(status="enrolled")
    }
    assert roles == {
        (faculty.email, "faculty"),
        (clinical_leader.email, "clinical_leader"),
        (participant.email, "participant"),
        (tricky.email, "participant"),
    }
    tricky.refresh_from_db()
    assert (tricky.first_name, tricky.last_name, tricky.department) == (
        "Hēmi",
        "Tāwhai",
        "=Rehab+Older people",
    )
    assert not fresh.enrolments.filter(person=gone).exists()


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
