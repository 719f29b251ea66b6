"""Uploads are judged by their content: every kind of bad file is refused with a clear
message, and nothing is stored — no row, no file."""

import io
import os
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leadership.storage import private_storage as private_storage_backend
from redesign_projects.models import Submission, SubmissionFile
from redesign_projects.uploads import check_upload

from .helpers import PDF_BYTES, PNG_BYTES, make_assignment, make_team, office_bytes, pdf

ACCEPTED = ["pdf", "docx", "xlsx", "pptx", "png", "jpeg", "txt", "csv"]
TEN_MB = 10 * 1024 * 1024


def check(name, content, accepted=ACCEPTED, max_bytes=TEN_MB):
    return check_upload(SimpleUploadedFile(name, content), accepted=accepted, max_bytes=max_bytes)


def zip_bomb_docx() -> bytes:
    """A .docx-looking archive whose one part inflates 50 MB of zeros from ~50 KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", b"\0" * (50 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "file_type"),
    [
        ("plan.pdf", PDF_BYTES, "pdf"),
        ("plan.docx", office_bytes("docx"), "docx"),
        ("data.xlsx", office_bytes("xlsx"), "xlsx"),
        ("slides.pptx", office_bytes("pptx"), "pptx"),
        ("map.png", PNG_BYTES, "png"),
        ("photo.JPG", b"\xff\xd8\xff\xe0" + b"\0" * 32, "jpeg"),
        ("notes.txt", "Kia ora — notes".encode(), "txt"),
        ("measures.csv", b"month,value\n2026-01,12\n", "csv"),
    ],
)
def test_it_accepts_real_files_of_each_accepted_type(name, content, file_type):
    assert check(name, content).file_type == file_type


def test_it_rejects_a_windows_program_renamed_pdf():
    with pytest.raises(ValidationError) as error:
        check("report.pdf", b"MZ\x90\x00\x03" + b"\0" * 200)
    assert "named as PDF but its content is not a file type we accept" in error.value.messages[0]
    assert "Windows program" in error.value.messages[0]


def test_it_rejects_a_zip_bomb_disguised_as_docx():
    with pytest.raises(ValidationError) as error:
        check("essay.docx", zip_bomb_docx())
    assert "compressed bomb" in error.value.messages[0]


def test_it_rejects_a_plain_zip_named_docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(ValidationError, match="named as Word document"):
        check("essay.docx", buffer.getvalue())


def test_it_rejects_a_png_named_pdf():
    with pytest.raises(ValidationError, match="its content is PNG image"):
        check("scan.pdf", PNG_BYTES)


def test_it_rejects_a_file_over_the_size_limit():
    with pytest.raises(ValidationError, match="over the 1 MB limit"):
        check("big.pdf", PDF_BYTES + b"\0" * (1024 * 1024), max_bytes=1024 * 1024)


def test_it_rejects_an_empty_file():
    with pytest.raises(ValidationError, match="is empty"):
        check("empty.pdf", b"")


def test_it_rejects_a_type_the_assignment_does_not_accept():
    with pytest.raises(ValidationError, match="This assignment accepts: PDF"):
        check("map.png", PNG_BYTES, accepted=["pdf"])


def test_it_rejects_binary_content_named_txt():
    with pytest.raises(ValidationError, match="named as Plain text"):
        check("notes.txt", b"\x00\x01\x02binary")


@pytest.fixture
def private_storage(settings, tmp_path):
    """A private storage of this test's own, so files other tests (or other processes sharing
    the machine) write cannot blur "nothing was stored"."""
    own = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path), "base_url": None},
    }
    settings.STORAGES = {**settings.STORAGES, "default": own, "private": own}
    return tmp_path


def _files_on_disk() -> set[str]:
    root = private_storage_backend.location
    return {os.path.join(folder, name) for folder, _dirs, names in os.walk(root) for name in names}


BAD_UPLOADS = [
    ("report.pdf", b"MZ\x90\x00" + b"\0" * 100, "Windows program"),
    ("essay.docx", None, "compressed bomb"),
    ("big.pdf", PDF_BYTES + b"\0" * (1024 * 1024), "over the 1 MB limit"),
    ("empty.pdf", b"", "is empty"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_UPLOADS)
def test_a_refused_upload_stores_nothing_and_says_why_next_to_the_field(
    client, cohort, participant, private_storage, name, content, message
):
    make_team(cohort, lead=participant)
    assignment = make_assignment(cohort, max_size_mb=1)
    before = _files_on_disk()
    client.force_login(participant)
    upload = SimpleUploadedFile(name, zip_bomb_docx() if content is None else content)
    response = client.post(
        reverse("redesign_projects:submission_edit", args=[assignment.pk]),
        {"text": "Our plan", "files": upload, "submit": "1"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["form"].errors["files"]
    assert not Submission.objects.exists()
    assert not SubmissionFile.objects.exists()
    assert _files_on_disk() == before == set()


def test_one_bad_file_among_good_ones_refuses_the_whole_save(
    client, cohort, participant, private_storage
):
    make_team(cohort, lead=participant)
    assignment = make_assignment(cohort)
    client.force_login(participant)
    response = client.post(
        reverse("redesign_projects:submission_edit", args=[assignment.pk]),
        {
            "files": [pdf("good.pdf"), SimpleUploadedFile("bad.pdf", b"MZ" + b"\0" * 64)],
            "save": "1",
        },
    )
    assert response.status_code == 200
    assert not SubmissionFile.objects.exists()
    assert not Submission.objects.exists()
    assert _files_on_disk() == set()


def test_a_good_upload_lands_in_the_private_storage(client, cohort, participant, private_storage):
    make_team(cohort, lead=participant)
    assignment = make_assignment(cohort)
    client.force_login(participant)
    client.post(
        reverse("redesign_projects:submission_edit", args=[assignment.pk]),
        {"files": pdf("good.pdf"), "save": "1"},
    )
    stored = SubmissionFile.objects.get()
    assert _files_on_disk() == {os.path.join(str(private_storage), stored.file.name)}


def test_a_failure_after_the_file_is_written_removes_the_file_too(
    cohort, participant, private_storage, monkeypatch
):
    from redesign_projects import services

    from .helpers import checked

    team = make_team(cohort, lead=participant)
    assignment = make_assignment(cohort)

    def broken_audit(**kwargs):
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr(services, "audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        services.submission_save(
            assignment=assignment,
            team=team,
            text="x",
            uploads=[checked(pdf(), assignment)],
            submit=True,
            acting_user=participant,
        )
    assert not Submission.objects.exists()
    assert _files_on_disk() == set()
