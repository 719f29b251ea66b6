"""Mounted with the redesign teams' pages at ``projects/`` (``leadership/urls.py``), so the
paths are the ones they always had."""

from django.urls import path

from . import views

app_name = "measures"

urlpatterns = [
    path("teams/<int:team_id>/measures/new/", views.measure_create, name="measure_create"),
    path("teams/<int:team_id>/pdsa/", views.pdsa_list, name="pdsa_list"),
    path("teams/<int:team_id>/pdsa/new/", views.pdsa_create, name="pdsa_create"),
    path("pdsa/<int:cycle_id>/edit/", views.pdsa_update, name="pdsa_update"),
    path("pairings/<int:pairing_id>/measures/", views.pairing_measures, name="pairing_measures"),
    path("pairings/<int:pairing_id>/pdsa/", views.pairing_pdsa_list, name="pairing_pdsa_list"),
    path(
        "pairings/<int:pairing_id>/pdsa/new/",
        views.pairing_pdsa_create,
        name="pairing_pdsa_create",
    ),
    path(
        "pairings/<int:pairing_id>/measures/new/",
        views.pairing_measure_create,
        name="pairing_measure_create",
    ),
    path("measures/<int:measure_id>/", views.measure_detail, name="measure_detail"),
    path("measures/<int:measure_id>/data/", views.measure_data, name="measure_data"),
    path("measures/<int:measure_id>/data.csv", views.measure_data_csv, name="measure_data_csv"),
    path("measures/<int:measure_id>/edit/", views.measure_update, name="measure_update"),
    path("measures/<int:measure_id>/points/new/", views.datapoint_create, name="datapoint_create"),
    path(
        "measures/<int:measure_id>/points/import/", views.datapoint_import, name="datapoint_import"
    ),
    path("measures/<int:measure_id>/rebase/", views.rebase_create, name="rebase_create"),
    path("points/<int:datapoint_id>/edit/", views.datapoint_update, name="datapoint_update"),
    path(
        "programmes/<int:programme_id>/chart-rules/",
        views.chart_rules_edit,
        name="chart_rules_edit",
    ),
]
