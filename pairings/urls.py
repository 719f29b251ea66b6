from django.urls import path

from . import views

app_name = "pairings"

urlpatterns = [
    path("mine/", views.my_pairings, name="my_pairings"),
    path("cohort/<int:cohort_id>/", views.cohort_overview, name="cohort_overview"),
    path("cohort/<int:cohort_id>/suggestions/", views.suggestions, name="suggestions"),
    path("cohort/<int:cohort_id>/preferences/", views.my_preferences, name="my_preferences"),
    path(
        "cohort/<int:cohort_id>/preferences/ask/",
        views.preferences_request,
        name="preferences_request",
    ),
    path(
        "cohort/<int:cohort_id>/preferences/<int:person_id>/",
        views.preferences_edit,
        name="preferences_edit",
    ),
    path("cohort/<int:cohort_id>/admin-support/", views.support_assign, name="support_assign"),
    path(
        "cohort/<int:cohort_id>/admin-support/<int:person_id>/capacity/",
        views.support_capacity,
        name="support_capacity",
    ),
    path("<int:pairing_id>/", views.pairing_detail, name="pairing_detail"),
    path("<int:pairing_id>/shadowing/", views.shadowing_create, name="shadowing_create"),
    path("<int:pairing_id>/project/", views.project_update, name="project_update"),
    path("<int:pairing_id>/activate/", views.pairing_activate, name="pairing_activate"),
    path("<int:pairing_id>/end/", views.pairing_end, name="pairing_end"),
]
