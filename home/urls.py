"""Each role's start page, mounted at /cohorts/ (leadership/urls.py) where the pages were before
they became an app of their own. The dispatcher at "/" keeps the plain name ``home`` and is
routed in leadership/urls.py. The clinical leader's page kept the path it had in ``reports``
(/cohorts/sponsored/)."""

from django.urls import path

from . import views

app_name = "home"

urlpatterns = [
    path("office/", views.office_home, name="office_home"),
    path("sponsored/", views.leader_home, name="leader_home"),
    path("teaching/", views.faculty_home, name="faculty_home"),
    path("mine/", views.participant_home, name="participant_home"),
    path("<int:cohort_id>/attention/", views.cohort_attention, name="cohort_attention"),
    path("<int:cohort_id>/announcements/", views.announcement_list, name="announcement_list"),
    path(
        "<int:cohort_id>/announcements/new/",
        views.announcement_create,
        name="announcement_create",
    ),
]
