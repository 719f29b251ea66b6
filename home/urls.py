"""Each role's start page, mounted at /cohorts/ (leadership/urls.py) where the pages were before
they became an app of their own. The dispatcher at "/" keeps the plain name ``home`` and is
routed in leadership/urls.py. The clinical leader's start page is made of report figures and
lives in ``reports`` (``reports:leader_home``)."""

from django.urls import path

from . import views

app_name = "home"

urlpatterns = [
    path("teaching/", views.faculty_home, name="faculty_home"),
    path("mine/", views.participant_home, name="participant_home"),
]
