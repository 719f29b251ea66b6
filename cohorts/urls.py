from django.urls import path

from . import views

app_name = "cohorts"

urlpatterns = [
    path("", views.cohort_list, name="cohort_list"),
    path("sponsored/", views.leader_home, name="leader_home"),
    path("teaching/", views.faculty_home, name="faculty_home"),
    path("mine/", views.participant_home, name="participant_home"),
]
