"""Mounted at /cohorts/ (leadership/urls.py): the report pages kept the paths they had when
they were part of cohorts."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("<int:cohort_id>/cards/<slug:card>/", views.cohort_card, name="cohort_card"),
    path("<int:cohort_id>/people/<int:person_id>/", views.person_detail, name="person_detail"),
    path("<int:cohort_id>/reports/", views.report_list, name="report_list"),
    path("<int:cohort_id>/reports/new/", views.report_generate, name="report_generate"),
    path("<int:cohort_id>/reports/<int:report_id>/", views.report_detail, name="report_detail"),
    path("<int:cohort_id>/reports/<int:report_id>/retry/", views.report_retry, name="report_retry"),
    path(
        "<int:cohort_id>/reports/<int:report_id>/download/",
        views.report_download,
        name="report_download",
    ),
    path(
        "<int:cohort_id>/reports/figures/<slug:figure>.csv",
        views.report_export_csv,
        name="report_export_csv",
    ),
    path(
        "<int:cohort_id>/reports/figures.xlsx", views.report_export_xlsx, name="report_export_xlsx"
    ),
    path(
        "<int:cohort_id>/certificates/<int:certificate_id>/revoke/",
        views.certificate_revoke,
        name="certificate_revoke",
    ),
    path("verify/", views.certificate_verify, name="certificate_verify"),
    path("mine/documents/", views.my_documents, name="my_documents"),
]
