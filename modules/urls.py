from django.urls import include, path

from . import views

app_name = "modules"

schedule_patterns = [
    path("mine/", views.my_schedule, name="my_schedule"),
    path("calendar/new/", views.calendar_feed_create, name="calendar_feed_create"),
    path("calendar/revoke/", views.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("cohort/<int:cohort_id>/", views.cohort_schedule, name="cohort_schedule"),
    path("cohort/<int:cohort_id>/generate/", views.schedule_generate, name="schedule_generate"),
    path("cohort/<int:cohort_id>/attendance/", views.cohort_attendance, name="cohort_attendance"),
    path(
        "cohort/<int:cohort_id>/attendance.<str:fmt>",
        views.attendance_export,
        name="attendance_export",
    ),
    path(
        "programme/<int:programme_id>/attendance/",
        views.programme_attendance,
        name="programme_attendance",
    ),
    path("module/<int:module_id>/edit/", views.module_edit, name="module_edit"),
    path("module/<int:module_id>/move/", views.module_move, name="module_move"),
    path("session/<int:session_id>/", views.session_detail, name="session_detail"),
    path("session/<int:session_id>/edit/", views.session_edit, name="session_edit"),
    path(
        "session/<int:session_id>/register/", views.attendance_register, name="attendance_register"
    ),
    path("session/<int:session_id>/apologies/", views.apology_send, name="apology_send"),
    path(
        "session/<int:session_id>/apologies/withdraw/",
        views.apology_withdraw,
        name="apology_withdraw",
    ),
    path("session/<int:session_id>/signup/", views.signup_create, name="signup_create"),
    path("session/<int:session_id>/signup/cancel/", views.signup_cancel, name="signup_cancel"),
    path("session/<int:session_id>/session.ics", views.session_ics, name="session_ics"),
]

# Mounted at the site root: the schedule pages under /schedule/, and the set-up pages at the
# /cohorts/ paths they had when the cohorts app served them.
urlpatterns = [
    path("schedule/", include(schedule_patterns)),
    path(
        "cohorts/programmes/<int:programme_id>/copy/",
        views.programme_copy,
        name="programme_copy",
    ),
    path(
        "cohorts/programmes/<int:programme_id>/edit/",
        views.programme_edit,
        name="programme_edit",
    ),
]
