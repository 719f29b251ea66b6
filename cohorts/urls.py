from django.urls import path

from . import views

app_name = "cohorts"

urlpatterns = [
    path("", views.cohort_list, name="cohort_list"),
    path("<int:cohort_id>/", views.cohort_detail, name="cohort_detail"),
    path("<int:cohort_id>/edit/", views.cohort_edit, name="cohort_edit"),
    path("<int:cohort_id>/status/", views.cohort_status, name="cohort_status"),
    path("<int:cohort_id>/people/", views.cohort_people, name="cohort_people"),
    path("<int:cohort_id>/people/bulk/", views.people_bulk, name="people_bulk"),
    path("<int:cohort_id>/people.csv", views.people_export_csv, name="people_export_csv"),
    path("<int:cohort_id>/people.xlsx", views.people_export_xlsx, name="people_export_xlsx"),
    path("<int:cohort_id>/enrol/", views.enrolment_create, name="enrolment_create"),
    path(
        "<int:cohort_id>/enrolments/<int:enrolment_id>/withdraw/",
        views.enrolment_withdraw,
        name="enrolment_withdraw",
    ),
    path("<int:cohort_id>/invitations/", views.invitation_list, name="invitation_list"),
    path(
        "<int:cohort_id>/invitations/resend/",
        views.invitation_resend_all,
        name="invitation_resend_all",
    ),
    path(
        "<int:cohort_id>/invitations/<int:person_id>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path("<int:cohort_id>/import/", views.import_upload, name="import_upload"),
    path("<int:cohort_id>/import/confirm/", views.import_confirm, name="import_confirm"),
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<int:programme_id>/", views.programme_detail, name="programme_detail"),
]
