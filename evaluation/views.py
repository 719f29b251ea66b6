"""Pages for session evaluations: the programme's forms and question bank (administrators),
the response form (the person asked), results per session and module and the cohort's
evaluation report with its exports (the cohort's administrators, clinical leaders and
faculty). Every result comes from ``selectors``, which hold the anonymity threshold."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from cohorts.selectors import COHORT_PAGE_ROLES, get_cohort_for_user, get_programme_for_user
from cohorts.shortcuts import render
from leadership.forms import add_service_errors
from leadership.services import audit_record

from . import exports, selectors, services
from .forms import EvaluationFormForm, QuestionForm, ResponseForm, SettingsForm


@login_required
def programme_setup(request, programme_id):
    """A programme's evaluation forms, question bank and threshold (administrators)."""
    programme = get_programme_for_user(request.user, programme_id)
    return render(
        request,
        "evaluation/programme_setup.html",
        {"programme": programme, "setup": selectors.programme_setup(programme)},
    )


@login_required
def programme_settings(request, programme_id):
    """Change how many answers results need."""
    programme = get_programme_for_user(request.user, programme_id)
    initial = {"min_responses": selectors.min_responses(programme)}
    form = SettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_settings_save(
                programme=programme,
                min_responses=form.cleaned_data["min_responses"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved the evaluation settings.")
            return redirect("evaluation:programme_setup", programme_id=programme.pk)
    return render(request, "evaluation/settings_form.html", {"programme": programme, "form": form})


@login_required
def question_create(request, programme_id):
    """Add a question to the programme's bank."""
    programme = get_programme_for_user(request.user, programme_id)
    form = QuestionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.evaluation_question_create(
                programme=programme,
                text=data["text"],
                kind=data["kind"],
                choices=data["choices"],
                required=data["required"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Added the question to the bank.")
            return redirect("evaluation:programme_setup", programme_id=programme.pk)
    return render(request, "evaluation/question_form.html", {"programme": programme, "form": form})


def _save_form(request, programme, evaluation_form=None):
    initial = {}
    if evaluation_form is not None:
        initial = {
            "name": evaluation_form.name,
            "module_kind": evaluation_form.module_kind,
            "questions": selectors.form_questions(evaluation_form),
            "is_active": evaluation_form.is_active,
        }
    form = EvaluationFormForm(
        request.POST if request.method == "POST" else None, initial=initial, programme=programme
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.evaluation_form_save(
                programme=programme,
                form=evaluation_form,
                name=data["name"],
                module_kind=data["module_kind"],
                questions=list(data["questions"]),
                is_active=data["is_active"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved the evaluation form.")
            return redirect("evaluation:programme_setup", programme_id=programme.pk)
    return render(
        request,
        "evaluation/form_form.html",
        {"programme": programme, "form": form, "evaluation_form": evaluation_form},
    )


@login_required
def form_create(request, programme_id):
    """A new evaluation form from the programme's question bank."""
    programme = get_programme_for_user(request.user, programme_id)
    return _save_form(request, programme)


@login_required
def form_edit(request, programme_id, form_id):
    """Change a form (evaluations already opened keep the questions they were asked with)."""
    programme = get_programme_for_user(request.user, programme_id)
    return _save_form(request, programme, selectors.get_form_for_administrator(programme, form_id))


@login_required
def respond(request, session_id):
    """The session's evaluation for the person asked: one answer each, anonymous."""
    asked = selectors.get_invitation_for_user(request.user, session_id)
    evaluation = asked.evaluation
    context = {
        "asked": asked,
        "session": evaluation.session,
        "cohort": evaluation.session.module.cohort,
    }
    if asked.invitation.responded_on is not None or not evaluation.is_open:
        return render(request, "evaluation/respond_done.html", context)
    form = ResponseForm(
        request.POST if request.method == "POST" else None, questions=asked.questions
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_respond(
                evaluation=evaluation,
                questions=asked.questions,
                values=form.values(),
                person=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Thank you: your answers are in, without your name.")
            return redirect("home")
    return render(request, "evaluation/respond.html", {**context, "form": form})


@login_required
def session_results(request, session_id):
    """One session's results, or its response rate alone below the threshold."""
    session, _access = selectors.get_session_for_results(request.user, session_id)
    return render(
        request,
        "evaluation/session_results.html",
        {
            "session": session,
            "cohort": session.module.cohort,
            "results": selectors.session_results(session),
        },
    )


@login_required
def module_results(request, module_id):
    """A module's results pooled over its sessions, and each session's."""
    module, _access = selectors.get_module_for_results(request.user, module_id)
    pooled, sessions = selectors.module_results(module)
    return render(
        request,
        "evaluation/module_results.html",
        {"module": module, "cohort": module.cohort, "results": pooled, "sessions": sessions},
    )


def _report(request, cohort_id):
    cohort, access = get_cohort_for_user(request.user, cohort_id, roles=selectors.RESULT_ROLES)
    return cohort, access, selectors.cohort_evaluation_report(cohort)


@login_required
def cohort_report(request, cohort_id):
    """The cohort's evaluation report: reaction, learning and behaviour, outcomes, attendance."""
    cohort, access, report = _report(request, cohort_id)
    return render(
        request,
        "evaluation/cohort_report.html",
        {
            "cohort": cohort,
            "report": report,
            "opens_cohort_page": access.holds_any(COHORT_PAGE_ROLES),
            "parts": exports.PARTS,
        },
    )


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _audit_export(request, cohort, part: str) -> None:
    audit_record(
        actor=request.user,
        action="evaluation.export",
        target=cohort,
        cohort_id=cohort.pk,
        changes={"part": part},
    )


@login_required
def cohort_report_csv(request, cohort_id, part):
    """One part of the evaluation report as CSV."""
    if part not in exports.PARTS:
        raise Http404("No such part.")
    cohort, _access, report = _report(request, cohort_id)
    _audit_export(request, cohort, part)
    stamp = timezone.localdate().isoformat()
    return _attachment(
        exports.part_csv(report, part),
        "text/csv; charset=utf-8",
        f"{cohort.slug}-evaluation-{part}-{stamp}.csv",
    )


@login_required
def cohort_report_xlsx(request, cohort_id):
    """The whole evaluation report as one workbook, a sheet a part."""
    cohort, _access, report = _report(request, cohort_id)
    _audit_export(request, cohort, "all (xlsx)")
    stamp = timezone.localdate().isoformat()
    return _attachment(
        exports.report_xlsx(report),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{cohort.slug}-evaluation-{stamp}.xlsx",
    )
