"""Blueprint pages: a programme's assignments, milestones and close-downs; a new cohort with
everything the blueprint holds; running a past cohort again; and where cohorts differ from
the blueprint. Administrators of the programme only: everyone else gets 404. Each view:
access → form → service → redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cohorts import selectors as cohort_selectors
from cohorts.forms import CohortCreateForm
from cohorts.models import Programme
from cohorts.selectors import ADMINISTRATOR, get_cohort_for_user, get_programme_for_user
from leadership.forms import add_service_errors
from modules import services as module_services
from redesign_projects import services as project_services

from . import selectors, services
from .forms import AssignmentTemplateForm, CloseDownForm, CohortRerunForm, MilestoneTemplateForm
from .sections import blueprint_sections


def _render(request, template: str, context: dict) -> HttpResponse:
    """Render, having asked for the person's roles first: the navigation needs them, and asking
    here keeps every query out of the template (the answer is remembered for the request)."""
    cohort_selectors.roles_for_user(request.user)
    return render(request, template, context)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _report_build(request, build: services.CohortBuild, verb: str) -> None:
    messages.success(
        request,
        f"{verb} {build.cohort.name}: {_count(build.modules, 'module')} in "
        f"{_count(build.sessions, 'session')}, {_count(build.milestones, 'milestone')} and "
        f"{_count(build.assignments, 'assignment')}.",
    )
    for note in build.notes:
        messages.info(request, note)


@login_required
def cohort_create(request):
    """Create a cohort of a programme the administrator runs, with everything its blueprint
    holds on real dates (``services.cohort_create_from_blueprint``)."""
    if not cohort_selectors.roles_for_user(request.user).is_admin:
        raise Http404
    programmes = cohort_selectors.programmes_administered_by(request.user)
    initial = {"programme": request.GET.get("programme")}
    form = CohortCreateForm(request.POST or None, programmes=programmes, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            build = services.cohort_create_from_blueprint(
                programme=data["programme"],
                name=data["name"],
                starts_on=data["starts_on"],
                capacity=data["capacity"],
                time_zone=data["time_zone"],
                holiday_region=data["holiday_region"],
                venue_name=data["venue_name"],
                venue_address=data["venue_address"],
                sponsors=data["sponsor_emails"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _report_build(request, build, "Created")
            return redirect("cohorts:cohort_detail", cohort_id=build.cohort.pk)
    return _render(request, "blueprints/cohort_create.html", {"form": form})


@login_required
def blueprint_detail(request, programme_id):
    """What the programme's blueprint holds besides its module sequence, with the tools; then
    the sections apps above this one add (``sections``: the evaluation forms)."""
    programme = get_programme_for_user(request.user, programme_id)
    context = {
        "programme": programme,
        **selectors.blueprint_for_programme(programme),
        "sections": blueprint_sections(programme),
    }
    return _render(request, "blueprints/blueprint_detail.html", context)


def _edit_assignment(request, programme: Programme, template=None) -> HttpResponse:
    form = AssignmentTemplateForm(
        request.POST or None,
        instance=template,
        programme=programme,
        initial=None if template else {"accepted_types": ["pdf", "docx", "pptx"]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            project_services.assignment_template_save(
                programme=programme,
                acting_user=request.user,
                template=template,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved the assignment “{form.cleaned_data['title']}”.")
            return redirect("blueprints:blueprint_detail", programme_id=programme.pk)
    context = {"programme": programme, "form": form, "template": template}
    return _render(request, "blueprints/assignment_template_form.html", context)


@login_required
def assignment_template_create(request, programme_id):
    return _edit_assignment(request, get_programme_for_user(request.user, programme_id))


@login_required
def assignment_template_edit(request, template_id):
    template = selectors.get_assignment_template_for_user(request.user, template_id)
    return _edit_assignment(request, template.programme, template)


def _edit_milestone(request, programme: Programme, template=None) -> HttpResponse:
    form = MilestoneTemplateForm(request.POST or None, instance=template, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            module_services.milestone_template_save(
                programme=programme,
                acting_user=request.user,
                template=template,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved the milestone “{form.cleaned_data['name']}”.")
            return redirect("blueprints:blueprint_detail", programme_id=programme.pk)
    context = {"programme": programme, "form": form, "template": template}
    return _render(request, "blueprints/milestone_template_form.html", context)


@login_required
def milestone_template_create(request, programme_id):
    return _edit_milestone(request, get_programme_for_user(request.user, programme_id))


@login_required
def milestone_template_edit(request, template_id):
    template = selectors.get_milestone_template_for_user(request.user, template_id)
    return _edit_milestone(request, template.programme, template)


@login_required
def close_down_create(request, programme_id):
    """Add a close-down period the programme's cohorts avoid."""
    programme = get_programme_for_user(request.user, programme_id)
    form = CloseDownForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            module_services.close_down_create(
                programme=programme, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Added the close-down “{form.cleaned_data['name']}”.")
            return redirect("blueprints:blueprint_detail", programme_id=programme.pk)
    return _render(
        request, "blueprints/close_down_form.html", {"programme": programme, "form": form}
    )


@login_required
@require_POST
def close_down_delete(request, close_down_id):
    close_down = selectors.get_close_down_for_user(request.user, close_down_id)
    programme_id = close_down.programme_id
    module_services.close_down_delete(close_down=close_down, acting_user=request.user)
    messages.success(request, f"Removed the close-down “{close_down.name}”.")
    return redirect("blueprints:blueprint_detail", programme_id=programme_id)


@login_required
def blueprint_differences(request, programme_id):
    """Each planned or running cohort's differences from the blueprint, with "apply"."""
    programme = get_programme_for_user(request.user, programme_id)
    cohorts = selectors.programme_differences(programme)
    return _render(
        request,
        "blueprints/blueprint_differences.html",
        {"programme": programme, "cohorts": cohorts},
    )


@login_required
@require_POST
def blueprint_apply(request, cohort_id):
    """Apply the blueprint to the parts of the cohort that have not started."""
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles={ADMINISTRATOR})
    try:
        applied = services.blueprint_apply(cohort=cohort, acting_user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Applied {_count(applied, 'change')} to {cohort.name}.")
    return redirect("blueprints:blueprint_differences", programme_id=cohort.programme_id)


@login_required
def cohort_rerun(request, cohort_id):
    """Run a cohort again from a new start date, without its people."""
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles={ADMINISTRATOR})
    form = CohortRerunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            build = services.cohort_rerun(
                source=cohort, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _report_build(request, build, "Created")
            return redirect("cohorts:cohort_detail", cohort_id=build.cohort.pk)
    return _render(request, "blueprints/cohort_rerun.html", {"cohort": cohort, "form": form})
