"""Spreadsheet downloads (CSV and XLSX) of attendance, safe to open in Excel."""

import csv
import datetime
import io

from django.http import HttpResponse

from leadership.workbooks import write_only_workbook

# A cell starting with one of these is run as a formula by spreadsheet programs (CSV
# injection); such text is prefixed with an apostrophe so it is shown, never evaluated.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """``value`` as a spreadsheet should hold it: text that would start a formula is
    defused; numbers and dates pass through."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(header: list[str], rows: list[list], filename: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow(
            [v.isoformat() if isinstance(v, datetime.date) else safe_cell(v) for v in row]
        )
    # A byte-order mark so Excel reads the UTF-8 (macrons in names) correctly.
    body = "\ufeff" + buffer.getvalue()
    return _attachment(HttpResponse(body, content_type="text/csv; charset=utf-8"), filename)


def xlsx_response(header: list[str], rows: list[list], filename: str, title: str) -> HttpResponse:
    workbook = write_only_workbook()
    sheet_name = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Sheet"
    sheet = workbook.create_sheet(title=sheet_name)
    sheet.append([safe_cell(h) for h in header])
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE), filename)
