"""Checking uploaded files by their content, not only by their name.

A small signature check covers the accepted types (no libmagic needed): PDF, PNG and JPEG by
their magic bytes; Office documents as zip archives whose ``[Content_Types].xml`` names the
right main part, after the archive's declared sizes are checked against bombs; text and CSV as
UTF-8 without NUL bytes. Anything else — an .exe renamed .pdf, a zip named .docx — is refused.
"""

import hashlib
import os
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from leadership.archives import check_archive

from .models import AcceptedType

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
CONTENT_TYPES_LIMIT = 256 * 1024

_OOXML = "application/vnd.openxmlformats-officedocument"
OFFICE_MAIN_PARTS = {
    AcceptedType.DOCX: f"{_OOXML}.wordprocessingml.document.main+xml",
    AcceptedType.XLSX: f"{_OOXML}.spreadsheetml.sheet.main+xml",
    AcceptedType.PPTX: f"{_OOXML}.presentationml.presentation.main+xml",
}
MIME_TYPES: dict[str, str] = {
    AcceptedType.PDF: "application/pdf",
    AcceptedType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    AcceptedType.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    AcceptedType.PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    AcceptedType.PNG: "image/png",
    AcceptedType.JPEG: "image/jpeg",
    AcceptedType.TXT: "text/plain",
    AcceptedType.CSV: "text/csv",
}
EXTENSIONS = {
    ".pdf": AcceptedType.PDF,
    ".docx": AcceptedType.DOCX,
    ".xlsx": AcceptedType.XLSX,
    ".pptx": AcceptedType.PPTX,
    ".png": AcceptedType.PNG,
    ".jpg": AcceptedType.JPEG,
    ".jpeg": AcceptedType.JPEG,
    ".txt": AcceptedType.TXT,
    ".csv": AcceptedType.CSV,
}
# Signatures of things people most often disguise, so the message can say what it really is.
KNOWN_OTHER = [
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
    (b"#!", "a script"),
    (b"Rar!", "a RAR archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"GIF8", "a GIF image"),
]


@dataclass(frozen=True)
class CheckedFile:
    """What we learnt about an upload that passed every check."""

    file_type: str
    content_type: str
    size: int
    sha256: str


def _head(upload: UploadedFile, length: int = 8192) -> bytes:
    upload.seek(0)
    data = upload.read(length)
    upload.seek(0)
    return data


def _office_type(upload: UploadedFile, name: str) -> str:
    """The Office type of a zip upload, after refusing anything that would expand too far."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            check_archive(archive, name=name, max_uncompressed_bytes=MAX_UNCOMPRESSED_BYTES)
            try:
                info = archive.getinfo("[Content_Types].xml")
            except KeyError:
                return ""
            if info.file_size > CONTENT_TYPES_LIMIT:
                return ""
            content_types = archive.read(info).decode("utf-8", "replace")
    except zipfile.BadZipFile as exc:
        raise ValidationError(f"“{name}” is a damaged archive and cannot be opened.") from exc
    finally:
        upload.seek(0)
    for file_type, main_part in OFFICE_MAIN_PARTS.items():
        if main_part in content_types:
            return file_type
    return ""


def _is_text(upload: UploadedFile) -> bool:
    upload.seek(0)
    try:
        for chunk in upload.chunks():
            if b"\x00" in chunk:
                return False
        upload.seek(0)
        upload.read().decode("utf-8")
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return True


def detect_type(upload: UploadedFile, name: str, claimed: str | None) -> str:
    """The accepted type the content really is, or "" when it is none of them."""
    head = _head(upload)
    if head.startswith(b"%PDF-"):
        return AcceptedType.PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return AcceptedType.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return AcceptedType.JPEG
    if head.startswith(b"PK\x03\x04"):
        return _office_type(upload, name)
    if _is_text(upload):
        return claimed if claimed in (AcceptedType.TXT, AcceptedType.CSV) else AcceptedType.TXT
    return ""


def _describe_other(upload: UploadedFile) -> str:
    head = _head(upload, 16)
    for signature, description in KNOWN_OTHER:
        if head.startswith(signature):
            return f" (its content is {description})"
    return ""


def check_upload(upload: UploadedFile, *, accepted: list[str], max_bytes: int) -> CheckedFile:
    """Validate one upload against an assignment's rules. Raises ``ValidationError`` with a
    message naming the file and what is wrong; reads nothing into storage."""
    name = os.path.basename(upload.name or "file")
    if not upload.size:
        raise ValidationError(f"“{name}” is empty. Choose the file again or a different one.")
    if upload.size > max_bytes:
        raise ValidationError(
            f"“{name}” is {upload.size / (1024 * 1024):.1f} MB, over the "
            f"{max_bytes // (1024 * 1024)} MB limit for this assignment."
        )
    accepted_labels = ", ".join(AcceptedType(code).label for code in accepted)
    claimed = EXTENSIONS.get(os.path.splitext(name)[1].lower())
    if claimed is None or claimed not in accepted:
        raise ValidationError(
            f"“{name}” is not an accepted type. This assignment accepts: {accepted_labels}."
        )
    actual = detect_type(upload, name, claimed)
    if actual != claimed:
        what = AcceptedType(actual).label if actual else "not a file type we accept"
        raise ValidationError(
            f"“{name}” is named as {AcceptedType(claimed).label} but its content is {what}"
            f"{_describe_other(upload) if not actual else ''}. It was refused."
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(
        file_type=actual,
        content_type=MIME_TYPES[actual],
        size=upload.size,
        sha256=digest.hexdigest(),
    )
