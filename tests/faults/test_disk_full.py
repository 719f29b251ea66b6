"""The disk fills up while a file is being uploaded: the person gets a clear message next to
the file field, and nothing is half kept — no submission row, no file row, no partial file.

The disk is really full: the private storage points at a small tmpfs mounted for the test
(we run as root), topped up with a filler file so that the upload runs out of space part-way
through writing."""

import os
import subprocess
import tempfile

import pytest
from django.urls import reverse

from redesign_projects.models import Assignment, Submission, SubmissionFile
from tests.redesign_projects.helpers import PDF_BYTES, make_assignment, pdf

DISK_BYTES = 512 * 1024
FREE_BYTES = 64 * 1024
UPLOAD_BYTES = 256 * 1024


@pytest.fixture
def full_disk(settings):
    """A 512 KB tmpfs with 64 KB left, as the private storage (both aliases)."""
    mount_point = tempfile.mkdtemp(prefix="leadership-full-disk-")
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES}", "tmpfs", mount_point], check=True
    )
    try:
        with open(os.path.join(mount_point, "filler"), "wb") as filler:
            filler.write(b"\0" * (DISK_BYTES - FREE_BYTES))
        storage = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": mount_point, "base_url": None},
        }
        settings.STORAGES = {**settings.STORAGES, "default": storage, "private": storage}
        yield mount_point
    finally:
        subprocess.run(["umount", mount_point], check=True)
        os.rmdir(mount_point)


def _files_under(root: str) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(directory, name), root)
        for directory, _dirs, names in os.walk(root)
        for name in names
    )


@pytest.mark.django_db
def test_an_upload_onto_a_full_disk_says_so_and_keeps_nothing(
    client, participant, cohort, full_disk
):
    assignment = make_assignment(cohort, kind=Assignment.Kind.INDIVIDUAL)
    client.force_login(participant)
    big = PDF_BYTES + b"%" + b"x" * UPLOAD_BYTES
    url = reverse("redesign_projects:submission_edit", args=[assignment.pk])

    response = client.post(url, {"text": "Our aim", "files": [pdf(content=big)], "submit": "1"})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "files" in errors, errors
    assert "could not be stored" in errors["files"][0]
    assert "Nothing was saved" in errors["files"][0]
    assert not Submission.objects.exists()
    assert not SubmissionFile.objects.exists()
    assert _files_under(full_disk) == ["filler"]  # no partial file

    # Once there is room again the same upload goes through, whole.
    os.remove(os.path.join(full_disk, "filler"))
    response = client.post(url, {"text": "Our aim", "files": [pdf(content=big)], "submit": "1"})
    assert response.status_code == 302
    stored = SubmissionFile.objects.get()
    assert os.path.getsize(os.path.join(full_disk, stored.file.name)) == len(big)
