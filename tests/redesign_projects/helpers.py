"""Builders for redesign-project tests: teams, assignments, submissions and files."""

import datetime
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cohorts.models import Enrolment
from redesign_projects import services
from redesign_projects.models import Assignment
from redesign_projects.uploads import check_upload
from tests.factories import EnrolmentFactory, UserFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def office_bytes(kind: str = "docx", *, padding: bytes = b"<w:document/>") -> bytes:
    main = {
        "docx": "wordprocessingml.document.main+xml",
        "xlsx": "spreadsheetml.sheet.main+xml",
        "pptx": "presentationml.presentation.main+xml",
    }[kind]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types><Override PartName="/word/document.xml" '
            f'ContentType="application/vnd.openxmlformats-officedocument.{main}"/></Types>',
        )
        archive.writestr("word/document.xml", padding)
    return buffer.getvalue()


def pdf(name: str = "plan.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def participant_in(cohort, email=None, **fields):
    person = UserFactory(**({"email": email} if email else {}), **fields)
    EnrolmentFactory(cohort=cohort, person=person, role=Enrolment.Role.PARTICIPANT)
    return person


def make_team(cohort, *, lead, members=(), name="Flow team", actor=None, **fields):
    return services.team_create(
        cohort=cohort,
        name=name,
        clinical_lead=lead,
        members=list(members),
        acting_user=actor,
        **fields,
    )


def make_assignment(cohort, *, title="Define your aim", days=7, kind=Assignment.Kind.TEAM, **kw):
    kw.setdefault("accepted_types", ["pdf", "docx", "png", "txt", "csv"])
    return services.assignment_create(
        cohort=cohort,
        title=title,
        due_at=timezone.now() + datetime.timedelta(days=days),
        kind=kind,
        acting_user=None,
        **kw,
    )


def checked(upload, assignment):
    return (
        upload,
        check_upload(
            upload, accepted=assignment.accepted_types, max_bytes=assignment.max_size_bytes
        ),
    )


def submit(assignment, *, by, team=None, owner=None, text="Our plan", files=(), now=None):
    return services.submission_save(
        assignment=assignment,
        team=team,
        owner=owner,
        text=text,
        uploads=[checked(f, assignment) for f in files],
        submit=True,
        acting_user=by,
        now=now,
    )
