import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cohorts.models import Enrolment
from cohorts.selectors import ADMINISTRATOR, get_cohort_for_user
from leadership.forms import add_service_errors

from . import selectors, services
from .forms import (
    PairingActivateForm,
    PairingEndForm,
    PreferenceForm,
    ProjectForm,
    ShadowingEntryForm,
    SuggestionsForm,
    SupportAssignForm,
    SupportCapacityForm,
    default_start,
)
from .models import Pairing


def _kind(request) -> str:
    kind = request.GET.get("kind", Pairing.Kind.PARTNERSHIP)
    if kind not in Pairing.Kind.values:
        raise Http404("No such kind of pairing.")
    return kind


@login_required
def cohort_overview(request, cohort_id):
    """Every pair in the cohort: administrators, and clinical leaders read only."""
    cohort, access = get_cohort_for_user(
        request.user, cohort_id, roles={ADMINISTRATOR, Enrolment.Role.CLINICAL_LEADER}
    )
    return render(
        request,
        "pairings/cohort_overview.html",
        {
            "cohort": cohort,
            "pairings": selectors.cohort_pairings(cohort),
            "is_admin": access.is_admin,
            "kinds": Pairing.Kind.choices,
        },
    )


@login_required
def suggestions(request, cohort_id):
    """The matcher's suggested pairs for everyone unpaired; the administrator accepts all,
    some or edits them, and saves in one transaction."""
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles={ADMINISTRATOR})
    kind = _kind(request)
    suggested = selectors.suggest_pairs(cohort, kind)
    form = SuggestionsForm(request.POST or None, suggestions=suggested, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.pairings_create(
                cohort=cohort,
                kind=kind,
                pairs=form.cleaned_data["pairs"],
                status=form.cleaned_data["status"],
                started_on=form.cleaned_data["started_on"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved {len(created)} pair(s).")
            return redirect("pairings:cohort_overview", cohort_id=cohort.pk)
    return render(
        request,
        "pairings/suggestions.html",
        {
            "cohort": cohort,
            "kind": kind,
            "kind_label": Pairing.Kind(kind).label,
            "kinds": Pairing.Kind.choices,
            "form": form,
            "suggested": suggested,
            "answers": selectors.preference_status(cohort),
        },
    )


@login_required
@require_POST
def preferences_request(request, cohort_id):
    """Ask everyone who has not given their pairing preferences for them: a to-do on their
    start page and one e-mail each (``services.preferences_request``)."""
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles={ADMINISTRATOR})
    sent = services.preferences_request(cohort=cohort, acting_user=request.user)
    if sent:
        messages.success(
            request,
            f"Asked for pairing preferences: {sent} e-mail{'s' if sent != 1 else ''} on "
            "the way. Everyone who has not answered has it on their start page.",
        )
    else:
        messages.info(
            request,
            "Nobody new to e-mail: everyone who has not answered was asked already (once "
            "each) and has it on their start page.",
        )
    kind = request.POST.get("kind", Pairing.Kind.PARTNERSHIP)
    if kind not in Pairing.Kind.values:
        kind = Pairing.Kind.PARTNERSHIP
    return redirect(
        reverse("pairings:suggestions", kwargs={"cohort_id": cohort.pk}) + f"?kind={kind}"
    )


def _pairing_page(request, pairing, access, *, status=200, **forms):
    """The pairing's page; ``forms`` replaces blank forms with bound ones showing errors."""
    blank = {
        "entry_form": lambda: ShadowingEntryForm(pairing=pairing),
        "project_form": lambda: ProjectForm(instance=pairing),
        "end_form": PairingEndForm,
        "activate_form": lambda: PairingActivateForm(
            initial={"started_on": default_start(pairing.cohort)}
        ),
    }
    context = {name: forms.get(name) or make() for name, make in blank.items()}
    context.update(pairing=pairing, access=access, entries=selectors.shadowing_log(pairing))
    return render(request, "pairings/pairing_detail.html", context, status=status)


@login_required
def pairing_detail(request, pairing_id):
    """A pair's page: members, project and shadowing log."""
    pairing, access = selectors.get_pairing_for_user(request.user, pairing_id)
    return _pairing_page(request, pairing, access)


def _contributor(request, pairing_id):
    pairing, access = selectors.get_pairing_for_user(request.user, pairing_id)
    if not access.can_contribute:
        raise PermissionDenied("Clinical leaders follow pairings; they do not edit them.")
    return pairing, access


@login_required
@require_POST
def shadowing_create(request, pairing_id):
    """Add a shadowing session: either member of the pair, or an administrator."""
    pairing, access = _contributor(request, pairing_id)
    form = ShadowingEntryForm(request.POST, pairing=pairing)
    if form.is_valid():
        try:
            services.shadowing_entry_create(
                pairing=pairing, author=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Shadowing session added to the log.")
            return redirect("pairings:pairing_detail", pairing_id=pairing.pk)
    return _pairing_page(request, pairing, access, entry_form=form, status=400)


@login_required
@require_POST
def project_update(request, pairing_id):
    """Set the pair's improvement project: either member, or an administrator."""
    pairing, access = _contributor(request, pairing_id)
    # A copy: an invalid form must not change the pairing the page shows.
    form = ProjectForm(request.POST, instance=copy.copy(pairing))
    if form.is_valid():
        services.pairing_project_update(
            pairing=pairing,
            title=form.cleaned_data["project_title"],
            aim=form.cleaned_data["project_aim"],
            status=form.cleaned_data["project_status"],
            acting_user=request.user,
        )
        messages.success(request, "Project saved.")
        return redirect("pairings:pairing_detail", pairing_id=pairing.pk)
    return _pairing_page(request, pairing, access, project_form=form, status=400)


def _administrator(request, pairing_id):
    pairing, access = selectors.get_pairing_for_user(request.user, pairing_id)
    if not access.is_admin:
        raise PermissionDenied("Only programme administrators change a pairing's status.")
    return pairing, access


@login_required
@require_POST
def pairing_activate(request, pairing_id):
    """Make a proposed pairing active: administrators."""
    pairing, access = _administrator(request, pairing_id)
    form = PairingActivateForm(request.POST)
    if form.is_valid():
        try:
            services.pairing_activate(
                pairing=pairing, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The pairing is active.")
            return redirect("pairings:pairing_detail", pairing_id=pairing.pk)
    return _pairing_page(request, pairing, access, activate_form=form, status=400)


@login_required
@require_POST
def pairing_end(request, pairing_id):
    """End a pairing with a date and reason: administrators."""
    pairing, access = _administrator(request, pairing_id)
    form = PairingEndForm(request.POST)
    if form.is_valid():
        try:
            services.pairing_end(
                pairing=pairing,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["end_reason"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The pairing has ended; both people can be paired again.")
            return redirect("pairings:pairing_detail", pairing_id=pairing.pk)
    return _pairing_page(request, pairing, access, end_form=form, status=400)


@login_required
def my_pairings(request):
    """A participant's own pairings, and links to their preference forms."""
    cohorts = selectors.preference_cohorts(request.user)
    if not cohorts:
        raise Http404
    return render(
        request,
        "pairings/my_pairings.html",
        {"pairings": selectors.pairings_for_person(request.user), "cohorts": cohorts},
    )


def _preferences(request, cohort, person, *, back):
    preference = selectors.preference_for(cohort, person)
    initial = {}
    if preference:
        initial = {
            "interests": preference.interests,
            "preferred_departments": preference.preferred_departments,
            "availability": preference.availability,
            "line_manager": preference.line_manager_id,
        }
    form = PreferenceForm(
        request.POST or None,
        initial=initial,
        person=person,
        departments=selectors.cohort_departments(cohort),
        people=selectors.preference_people(cohort),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.preference_save(
                cohort=cohort, person=person, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Pairing preferences saved.")
            return redirect(back)
    return render(
        request,
        "pairings/preferences_form.html",
        {"cohort": cohort, "person": person, "form": form, "own": person == request.user},
    )


@login_required
def my_preferences(request, cohort_id):
    """A participant states their own pairing preferences in one of their cohorts."""
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles=selectors.PREFERENCE_ROLES)
    return _preferences(request, cohort, request.user, back=reverse("pairings:my_pairings"))


@login_required
def preferences_edit(request, cohort_id, person_id):
    """An administrator records a participant's preferences for them."""
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles={ADMINISTRATOR})
    person = selectors.get_preference_person(cohort, person_id)
    back = reverse("pairings:suggestions", kwargs={"cohort_id": cohort.pk})
    return _preferences(request, cohort, person, back=back)


def _support_page(request, cohort, *, assign_form=None, capacity_form=None, status=200):
    loads = selectors.support_loads(cohort)
    leaders, _supporters = selectors.unpaired_people(cohort, Pairing.Kind.ADMIN_SUPPORT)
    return render(
        request,
        "pairings/support_assign.html",
        {
            "cohort": cohort,
            "loads": loads,
            "form": assign_form or SupportAssignForm(leaders=leaders, loads=loads),
            # A capacity form sent back with its error (one per support person on the page).
            "capacity_form": capacity_form,
        },
        status=status,
    )


@login_required
def support_assign(request, cohort_id):
    """Administrators give clinical leaders administrative support: each support person takes
    several leaders, up to their capacity (set on the same page). Saved all or nothing."""
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles={ADMINISTRATOR})
    if request.method != "POST":
        return _support_page(request, cohort)
    leaders, _supporters = selectors.unpaired_people(cohort, Pairing.Kind.ADMIN_SUPPORT)
    form = SupportAssignForm(request.POST, leaders=leaders, loads=selectors.support_loads(cohort))
    if form.is_valid():
        try:
            created = services.pairings_create(
                cohort=cohort,
                kind=Pairing.Kind.ADMIN_SUPPORT,
                pairs=form.cleaned_data["pairs"],
                status=Pairing.Status.ACTIVE,
                started_on=form.cleaned_data["started_on"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Gave {len(created)} clinical leader(s) their support.")
            return redirect("pairings:support_assign", cohort_id=cohort.pk)
    return _support_page(request, cohort, assign_form=form, status=400)


@login_required
@require_POST
def support_capacity(request, cohort_id, person_id):
    """Set how many clinical leaders one support person supports at most."""
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles={ADMINISTRATOR})
    load = next((x for x in selectors.support_loads(cohort) if x.person.pk == person_id), None)
    if load is None:
        raise Http404("No such administrative support in this cohort.")
    # Each person's capacity field has its own id, so the error summary links to the right one.
    form = SupportCapacityForm(request.POST, auto_id=f"capacity-{load.person.pk}-%s")
    form.person = load.person
    if form.is_valid():
        try:
            services.support_capacity_set(
                cohort=cohort,
                person=load.person,
                leaders=form.cleaned_data["leaders"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"{load.person} now supports up to {form.cleaned_data['leaders']}."
            )
            return redirect("pairings:support_assign", cohort_id=cohort.pk)
    return _support_page(request, cohort, capacity_form=form, status=400)
