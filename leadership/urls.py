from django.contrib import admin
from django.urls import include, path

from . import health, views

# The 500 page is drawn with the request, so it has the navigation of the person's roles
# (Django's own draws it without). 400, 403 and 404 come from templates/ as they are.
handler500 = "leadership.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    # Answered by leadership.health.HealthCheckMiddleware before the host check; named here
    # so they can be reversed and walked by the permission test like every other URL.
    path("health/live/", health.live, name="health_live"),
    path("health/ready/", health.ready, name="health_ready"),
    path("accounts/", include("leadership.account_urls")),
    path("admin/", admin.site.urls),
    path("privacy/", include("leadership.privacy_urls")),
    path("notifications/", views.notification_preferences, name="notification_preferences"),
    path(
        "notifications/stop/<str:token>/",
        views.notification_preferences_link,
        name="notification_preferences_link",
    ),
    path(
        "notifications/cohort/<int:cohort_id>/",
        views.notification_log,
        name="notification_log",
    ),
    path("notifications/<int:pk>/retry/", views.notification_retry, name="notification_retry"),
    path("cohorts/", include("cohorts.urls")),
    path("schedule/", include("modules.urls")),
    path("projects/", include("redesign_projects.urls")),
    path("pairings/", include("pairings.urls")),
    # The measures, reports and data-protection pages keep the paths they had before they
    # became apps of their own.
    path("projects/", include("measures.urls")),
    path("cohorts/", include("reports.urls")),
    path("privacy/", include("governance.urls")),
]
