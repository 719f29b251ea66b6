from django.contrib import admin
from django.urls import include, path

from . import health, views

# The 500 page is drawn with the request, so it has the navigation of the person's roles
# (Django's own draws it without). 400, 403 and 404 come from templates/ as they are.
handler500 = "leadership.views.server_error"

urlpatterns = [
    path("", include("home.root_urls")),
    # Answered by leadership.health.HealthCheckMiddleware before the host check; named here
    # so they can be reversed and walked by the permission test like every other URL.
    path("health/live/", health.live, name="health_live"),
    path("health/ready/", health.ready, name="health_ready"),
    path("accounts/", include("leadership.account_urls")),
    path("admin/", admin.site.urls),
    path("notifications/", views.notification_preferences, name="notification_preferences"),
    path(
        "notifications/stop/<str:token>/",
        views.notification_preferences_link,
        name="notification_preferences_link",
    ),
    # A cohort's e-mail log and its retry button (they need the cohort's access rules).
    path("notifications/", include("cohorts.notification_urls")),
    path("cohorts/", include("cohorts.urls")),
    path("", include("modules.urls")),
    path("", include("blueprints.urls")),
    path("projects/", include("redesign_projects.urls")),
    path("pairings/", include("pairings.urls")),
    # The measures, reports, start and data-protection pages keep the paths they had before
    # they became apps of their own.
    path("projects/", include("measures.urls")),
    path("cohorts/", include("reports.urls")),
    path("cohorts/", include("home.urls")),
    path("privacy/", include("governance.urls")),
    path("api/", include("api.urls")),
]
