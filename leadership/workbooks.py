"""Excel workbooks through openpyxl, loaded on first use: importing it costs about a fifth of
a second, and most processes (web workers answering pages, Celery workers sending e-mail) never
write or read a spreadsheet, so they should not pay for it when they start."""

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl import Workbook


def write_only_workbook() -> "Workbook":
    """A new workbook that streams its rows (``write_only``): memory stays flat whatever the
    number of rows."""
    # Imported here, not at the top: see the module's docstring.
    from openpyxl import Workbook

    return Workbook(write_only=True)


def read_only_workbook(data: bytes) -> "Workbook":
    """An uploaded workbook opened to stream its rows, with cached values instead of formulas.
    Check the archive first (``leadership.archives``)."""
    # Imported here, not at the top: see the module's docstring.
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
