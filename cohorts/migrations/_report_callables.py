"""The callables that migrations 0004 and 0006 name for ReportRequest and Certificate, which
moved to ``reports.models`` (see 0009): historical models built from those migrations still
need them. Frozen here so that cohorts' migrations import nothing from the app above them;
the live versions are ``reports.models.certificate_code`` and ``report_file_name``. The
migration loader skips modules whose names start with an underscore."""

import secrets
import uuid


def certificate_code() -> str:
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def report_file_name(instance, filename: str) -> str:
    return f"reports/{instance.cohort_id}/{uuid.uuid4().hex}.pdf"
