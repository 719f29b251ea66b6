"""Private file storage: submissions' files, reports and certificates.

``STORAGES["private"]`` (leadership/settings.py) is an S3-compatible bucket when
``AWS_STORAGE_BUCKET_NAME`` is set — every web and worker host then reads and writes the same
files — and this host's disk under ``PRIVATE_MEDIA_ROOT`` otherwise (fine for one host).

Downloads are streamed through the views that check access (``file_download``,
``report_download``), never handed out as signed bucket URLs. Why: the access check then runs
for every download, not once for a URL that keeps working for anyone it is forwarded to until
it expires; every byte carries our ``Content-Disposition: attachment``, ``nosniff`` and
``no-store`` headers (a bucket serves its own); and the bucket needs no public endpoint, so it
can stay on a private network. The cost — the bytes pass through a web process — is small for
files of a few megabytes (submissions are capped; reports are a few hundred kilobytes).
"""

import logging
from typing import TYPE_CHECKING, Any, cast

from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import FileResponse, Http404
from django.utils.functional import LazyObject, empty

ALIAS = "private"


logger = logging.getLogger(__name__)


class _PrivateStorage(LazyObject):
    """``storages["private"]``, looked up on first use, so a test that overrides ``STORAGES``
    gets its own storage (a FileField evaluates its storage once, when models load)."""

    _wrapped: object  # the storage, or ``empty`` until first use

    if TYPE_CHECKING:  # every other attribute is the wrapped storage's

        def __getattr__(self, name: str) -> Any: ...

    def _setup(self) -> None:
        self._wrapped = storages[ALIAS]


private_storage = _PrivateStorage()


def get_private_storage() -> Storage:
    """The storage of every private FileField (``FileField(storage=get_private_storage)``)."""
    return cast(Storage, private_storage)


@receiver(setting_changed)
def _storages_changed(*, setting: str, **kwargs) -> None:
    if setting == "STORAGES":
        private_storage._wrapped = empty


def private_download(field_file, *, filename: str, content_type: str) -> FileResponse:
    """A private file streamed to someone the caller has already checked may have it: an
    attachment no cache keeps, never sniffed as another type. A row whose file is gone from
    storage (lost in a restore, removed by hand) answers 404 and is logged, not a 500."""
    if not field_file or not field_file.storage.exists(field_file.name):
        logger.warning("Private file %r is missing from storage", field_file.name)
        raise Http404("This file is no longer available.")
    response = FileResponse(
        field_file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
