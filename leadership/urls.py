from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("leadership.account_urls")),
    path("admin/", admin.site.urls),
    path("cohorts/", include("cohorts.urls")),
    path("schedule/", include("modules.urls")),
    path("projects/", include("redesign_projects.urls")),
    path("pairings/", include("pairings.urls")),
]
