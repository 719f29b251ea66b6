"""Pages for governance: the audit trail, subject access exports and erasure.
Each view: access → form → service → redirect (or the file)."""

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cohorts.selectors import ADMINISTRATOR, get_cohort_for_user, roles_for_user
from leadership.keyset import Cursor, KeysetPage
from leadership.models import User
from leadership.privacy import is_erased

from . import privacy, selectors
from .forms import AuditFilterForm, EraseConfirmForm

# Up to this size the zip is built in memory; beyond it, in a temporary file on disk.
SPOOL_BYTES = 8 * 1024 * 1024


def _require_administrator(request) -> None:
    if not roles_for_user(request.user).is_admin:
        raise Http404


@login_required
def audit_log(request):
    """The audit trail of the viewer's programmes, newest first, 50 a page ("Newer", "Older"),
    filtered by cohort, person, action and dates. Administrators only; others get 404."""
    _require_administrator(request)
    if request.GET.get("cohort"):
        # A cohort outside the viewer's programmes is not found, as everywhere else.
        get_cohort_for_user(request.user, request.GET["cohort"], roles={ADMINISTRATOR})
    filtering = {
        key: value for key, value in request.GET.items() if key in AuditFilterForm.base_fields
    }
    reader, cohorts = selectors.reader_and_cohorts(request.user)
    form = AuditFilterForm(filtering or None, cohorts=cohorts)
    cursor = Cursor.from_query(request.GET)
    if form.is_bound and not form.is_valid():
        page = KeysetPage.from_rows([], cursor, time="created_at", size=selectors.AUDIT_PAGE_SIZE)
    else:
        data = form.cleaned_data if form.is_bound else {}
        page = selectors.audit_trail_page(
            reader,
            selectors.AuditFilters(
                cohort_id=data.get("cohort"),
                person=data.get("person", ""),
                action=data.get("action", ""),
                date_from=data.get("date_from"),
                date_to=data.get("date_to"),
            ),
            cursor,
        )
    return render(
        request,
        "governance/audit_log.html",
        {"form": form, "page": page, "page_size": selectors.AUDIT_PAGE_SIZE},
    )


def _zip_response(*, person: User, acting_user: User, cohort_ids: set[int] | None):
    """Build the zip into a spooled temporary file (memory first, disk beyond 8 MB) and stream
    it as an attachment nobody caches."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 — FileResponse closes it
    privacy.subject_access_export(
        person=person, acting_user=acting_user, cohort_ids=cohort_ids, out=out
    )
    out.seek(0)
    stamp = timezone.localdate().isoformat()
    response = FileResponse(
        out,
        as_attachment=True,
        filename=f"personal-data-{person.pk}-{stamp}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def person_privacy(request, person_id):
    """An administrator's page for one person's data: export it, or erase the person."""
    person = privacy.get_person_for_administrator(request.user, person_id)
    try:
        privacy.check_may_erase(person=person, acting_user=request.user)
        erase_blocked = ""
    except PermissionDenied as reason:
        erase_blocked = str(reason)
    return render(
        request,
        "governance/person_privacy.html",
        {
            "person": person,
            "erased": is_erased(person),
            "erase_blocked": erase_blocked,
            "whole_record": request.user.is_superuser,
        },
    )


@login_required
@require_POST
def person_export(request, person_id):
    """Everything held about the person within the administrator's programmes, as a zip."""
    person = privacy.get_person_for_administrator(request.user, person_id)
    return _zip_response(
        person=person,
        acting_user=request.user,
        cohort_ids=privacy.export_scope(request.user, person),
    )


@login_required
def my_data(request):
    """What we hold about you, and a button to download all of it."""
    return render(request, "governance/my_data.html")


@login_required
@require_POST
def my_data_export(request):
    return _zip_response(person=request.user, acting_user=request.user, cohort_ids=None)


@login_required
def person_erase(request, person_id):
    """Erase (anonymise) a person after a typed confirmation. Audited."""
    person = privacy.get_person_for_administrator(request.user, person_id)
    privacy.check_may_erase(person=person, acting_user=request.user)
    form = EraseConfirmForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        result = privacy.person_erase(person=person, acting_user=request.user)
        messages.success(
            request,
            f"Erased. {result.files_deleted} file(s) deleted, "
            f"{result.notifications_cancelled} pending e-mail(s) cancelled, "
            f"{result.sessions_ended} session(s) ended.",
        )
        return redirect("governance:person_privacy", person_id=person.pk)
    return render(request, "governance/person_erase.html", {"person": person, "form": form})
