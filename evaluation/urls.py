"""Mounted at /evaluation/ (leadership/urls.py)."""

from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("programmes/<int:programme_id>/", views.programme_setup, name="programme_setup"),
    path(
        "programmes/<int:programme_id>/settings/",
        views.programme_settings,
        name="programme_settings",
    ),
    path(
        "programmes/<int:programme_id>/questions/new/",
        views.question_create,
        name="question_create",
    ),
    path("programmes/<int:programme_id>/forms/new/", views.form_create, name="form_create"),
    path(
        "programmes/<int:programme_id>/forms/<int:form_id>/",
        views.form_edit,
        name="form_edit",
    ),
    path("sessions/<int:session_id>/", views.respond, name="respond"),
    path("sessions/<int:session_id>/results/", views.session_results, name="session_results"),
    path("modules/<int:module_id>/results/", views.module_results, name="module_results"),
    path("cohorts/<int:cohort_id>/", views.cohort_report, name="cohort_report"),
    path(
        "cohorts/<int:cohort_id>/<slug:part>.csv",
        views.cohort_report_csv,
        name="cohort_report_csv",
    ),
    path(
        "cohorts/<int:cohort_id>/report.xlsx", views.cohort_report_xlsx, name="cohort_report_xlsx"
    ),
]
