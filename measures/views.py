"""Pages for improvement measures: defining a team's or a pair's measures, entering, importing
and correcting data, recalculating limits, PDSA cycles, and a programme's chart rules.
Access → form → service → redirect; access rules live in ``selectors``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from cohorts.selectors import get_programme_for_user
from leadership.downloads import download_filename
from leadership.forms import add_service_errors
from modules.exports import csv_response

from . import selectors, services
from .forms import (
    ChartRuleSetForm,
    DataPointForm,
    DataPointImportForm,
    MeasureForm,
    PdsaCycleForm,
    RebaseForm,
)


def _owner(measure) -> dict:
    """The measure and its owner (a team or a pairing) for the pages' breadcrumbs."""
    return {"measure": measure, "team": measure.team, "pairing": measure.pairing}


def _require_edit(access) -> None:
    if not access.can_edit:
        raise PermissionDenied("Only the team's members and administrators change its measures.")


def _measure_form_page(request, *, measure=None, team=None, pairing=None):
    form = MeasureForm(request.POST or None, instance=measure)
    if request.method == "POST" and form.is_valid():
        try:
            if measure is None:
                measure = services.measure_create(
                    team=team, pairing=pairing, acting_user=request.user, **form.measure_fields()
                )
            else:
                services.measure_update(
                    measure=measure, acting_user=request.user, **form.measure_fields()
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved the measure “{measure.name}”.")
            return redirect("measures:measure_detail", measure_id=measure.pk)
    if measure is not None:
        team, pairing = measure.team, measure.pairing
    return render(
        request,
        "measures/measure_form.html",
        {"form": form, "measure": measure, "owner": team or pairing, "team": team,
         "pairing": pairing},
    )  # fmt: skip


@login_required
def measure_create(request, team_id):
    """Define a measure for a team: its members and administrators."""
    team, access = selectors.team_measure_access(request.user, team_id)
    _require_edit(access)
    return _measure_form_page(request, team=team)


@login_required
def pairing_measure_create(request, pairing_id):
    """Define a measure for a pair's QI project: the pair and administrators."""
    pairing, access = selectors.pairing_measure_access(request.user, pairing_id)
    _require_edit(access)
    return _measure_form_page(request, pairing=pairing)


@login_required
def pairing_measures(request, pairing_id):
    """A pair's QI measures as charts (the pairing page links here)."""
    pairing, access = selectors.pairing_measure_access(request.user, pairing_id)
    return render(
        request,
        "measures/measure_pairing_list.html",
        {
            "pairing": pairing,
            "access": access,
            "charts": selectors.measure_charts_for_pairing(pairing.pk),
        },
    )


@login_required
def measure_update(request, measure_id):
    measure, access = selectors.get_measure_for_user(request.user, measure_id)
    _require_edit(access)
    return _measure_form_page(request, measure=measure)


@login_required
def measure_detail(request, measure_id):
    """One measure: its chart of every point, its summary, the latest
    ``selectors.LATEST_POINTS`` points as tables (with edit links for writers; every point on
    the "all data" page and in the CSV file), recalculated limits and the PDSA cycles marked
    on it. The page's size does not grow with the series beyond the chart itself."""
    measure, access = selectors.get_measure_for_user(request.user, measure_id)
    chart = selectors.chart_for(measure)
    points = list(measure.datapoints.all())
    return render(
        request,
        "measures/measure_detail.html",
        {
            "measure": measure,
            "access": access,
            "chart": chart,
            "points": points[-selectors.LATEST_POINTS :],
            "point_count": len(points),
            "latest": selectors.LATEST_POINTS,
            "rebases": list(measure.rebases.all()),
            "cycles": list(measure.pdsa_cycles.all()),
            "team": measure.team,
            "pairing": measure.pairing,
        },
    )


@login_required
def measure_data(request, measure_id):
    """Every data point of a measure, oldest first, ``selectors.DATA_PAGE_SIZE`` a page."""
    measure, access = selectors.get_measure_for_user(request.user, measure_id, with_rows=False)
    page = selectors.measure_points_page(measure, request.GET.get("page"))
    return render(
        request,
        "measures/measure_data.html",
        {**_owner(measure), "access": access, "page": page},
    )


@login_required
def measure_data_csv(request, measure_id):
    """Every data point of a measure as CSV (period, value, annotation, astronomical, when
    recorded), text cells defused for spreadsheets."""
    measure, _access = selectors.get_measure_for_user(request.user, measure_id, with_rows=False)
    rows = [
        [point.period, point.value, point.annotation, "yes" if point.astronomical else "no",
         point.recorded_at.isoformat()]
        for point in selectors.measure_points(measure)
    ]  # fmt: skip
    header = ["period", "value", "annotation", "astronomical", "recorded_at"]
    return csv_response(header, rows, download_filename("measure", measure.name, ext="csv"))


@login_required
def datapoint_create(request, measure_id):
    measure, access = selectors.get_measure_for_user(request.user, measure_id)
    _require_edit(access)
    form = DataPointForm(request.POST or None, measure=measure)
    if request.method == "POST" and form.is_valid():
        try:
            point = services.datapoint_create(
                measure=measure, acting_user=request.user, **form.point_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Added {point.period:%d %b %Y}: {form['value'].value()}.")
            return redirect("measures:measure_detail", measure_id=measure.pk)
    return render(
        request,
        "measures/measure_point_form.html",
        {**_owner(measure), "form": form, "point": None},
    )


@login_required
def datapoint_update(request, datapoint_id):
    """Correct a data point; the audit trail keeps the old value and who changed it."""
    point, measure, access = selectors.get_datapoint_for_user(request.user, datapoint_id)
    _require_edit(access)
    form = DataPointForm(request.POST or None, instance=point, measure=measure)
    if request.method == "POST" and form.is_valid():
        try:
            services.datapoint_update(point=point, acting_user=request.user, **form.point_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved the corrected data point.")
            return redirect("measures:measure_detail", measure_id=measure.pk)
    return render(
        request,
        "measures/measure_point_form.html",
        {**_owner(measure), "form": form, "point": point},
    )


@login_required
def datapoint_import(request, measure_id):
    """Paste or upload many data points: "preview" shows every row with its errors; "confirm"
    saves all rows or none (the text is checked again when saving)."""
    measure, access = selectors.get_measure_for_user(request.user, measure_id)
    _require_edit(access)
    form = DataPointImportForm(request.POST or None, request.FILES or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        if "confirm" in request.POST:
            preview = services.datapoints_import(
                measure=measure, text=text, acting_user=request.user
            )
            if preview.is_valid:
                messages.success(request, f"Imported {len(preview.rows)} data points.")
                return redirect("measures:measure_detail", measure_id=measure.pk)
            messages.error(request, "Nothing was imported: correct the rows marked below.")
        else:
            preview = services.datapoints_preview(measure=measure, text=text)
        # The confirm step posts exactly the text that was previewed.
        form = DataPointImportForm(initial={"text": text})
    return render(
        request,
        "measures/measure_import.html",
        {**_owner(measure), "form": form, "preview": preview},
    )


@login_required
def rebase_create(request, measure_id):
    """Recalculate the limits from a date, with the reason (required) shown on the chart."""
    measure, access = selectors.get_measure_for_user(request.user, measure_id)
    _require_edit(access)
    form = RebaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.rebase_create(
                measure=measure,
                starts_on=form.cleaned_data["starts_on"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The limits are recalculated from that date.")
            return redirect("measures:measure_detail", measure_id=measure.pk)
    return render(request, "measures/measure_rebase_form.html", {**_owner(measure), "form": form})


@login_required
def pdsa_list(request, team_id):
    """The team's log of tests of change, newest first."""
    team, access = selectors.team_measure_access(request.user, team_id)
    return render(
        request,
        "measures/measure_pdsa_list.html",
        {"team": team, "owner": team, "access": access,
         "cycles": selectors.pdsa_cycles_for_team(team),
         "new_url": reverse("measures:pdsa_create", args=[team.pk])},
    )  # fmt: skip


@login_required
def pairing_pdsa_list(request, pairing_id):
    """A pair's log of tests of change for its QI project, newest first."""
    pairing, access = selectors.pairing_measure_access(request.user, pairing_id)
    return render(
        request,
        "measures/measure_pdsa_list.html",
        {"pairing": pairing, "owner": pairing, "access": access,
         "cycles": selectors.pdsa_cycles_for_pairing(pairing),
         "new_url": reverse("measures:pairing_pdsa_create", args=[pairing.pk])},
    )  # fmt: skip


def _pdsa_list_url(*, team=None, pairing=None) -> str:
    if team is not None:
        return reverse("measures:pdsa_list", args=[team.pk])
    return reverse("measures:pairing_pdsa_list", args=[pairing.pk])


def _pdsa_form_page(request, *, team=None, pairing=None, cycle=None):
    owner = team or pairing
    form = PdsaCycleForm(request.POST or None, instance=cycle, owner=owner)
    if request.method == "POST" and form.is_valid():
        try:
            if cycle is None:
                cycle = services.pdsa_cycle_create(
                    team=team, pairing=pairing, acting_user=request.user, **form.cycle_fields()
                )
            else:
                services.pdsa_cycle_update(
                    cycle=cycle, acting_user=request.user, **form.cycle_fields()
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved the PDSA cycle.")
            return redirect(_pdsa_list_url(team=team, pairing=pairing))
    return render(
        request,
        "measures/measure_pdsa_form.html",
        {"form": form, "team": team, "pairing": pairing, "owner": owner, "cycle": cycle,
         "list_url": _pdsa_list_url(team=team, pairing=pairing)},
    )  # fmt: skip


@login_required
def pdsa_create(request, team_id):
    team, access = selectors.team_measure_access(request.user, team_id)
    _require_edit(access)
    return _pdsa_form_page(request, team=team)


@login_required
def pairing_pdsa_create(request, pairing_id):
    """Log a test of change for a pair's QI project: the pair and administrators."""
    pairing, access = selectors.pairing_measure_access(request.user, pairing_id)
    _require_edit(access)
    return _pdsa_form_page(request, pairing=pairing)


@login_required
def pdsa_update(request, cycle_id):
    cycle, access = selectors.get_pdsa_cycle_for_user(request.user, cycle_id)
    _require_edit(access)
    return _pdsa_form_page(request, team=cycle.team, pairing=cycle.pairing, cycle=cycle)


@login_required
def chart_rules_edit(request, programme_id):
    """The programme's special-cause rule lengths: its administrators only (404 for others)."""
    programme = get_programme_for_user(request.user, programme_id)
    current = selectors.chart_rule_set_of(programme)
    form = ChartRuleSetForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.chart_rules_set(
                programme=programme, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved the chart rules: every chart now uses them.")
            return redirect("measures:chart_rules_edit", programme_id=programme.pk)
    return render(
        request,
        "measures/measure_chart_rules.html",
        {"form": form, "programme": programme},
    )
