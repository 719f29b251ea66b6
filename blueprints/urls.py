from django.urls import path

from . import views

app_name = "blueprints"

# Mounted at the site root: the new-cohort page keeps the /cohorts/new/ path it had.
urlpatterns = [
    path("cohorts/new/", views.cohort_create, name="cohort_create"),
    path(
        "blueprints/programme/<int:programme_id>/",
        views.blueprint_detail,
        name="blueprint_detail",
    ),
    path(
        "blueprints/programme/<int:programme_id>/assignments/new/",
        views.assignment_template_create,
        name="assignment_template_create",
    ),
    path(
        "blueprints/assignment/<int:template_id>/edit/",
        views.assignment_template_edit,
        name="assignment_template_edit",
    ),
    path(
        "blueprints/programme/<int:programme_id>/milestones/new/",
        views.milestone_template_create,
        name="milestone_template_create",
    ),
    path(
        "blueprints/milestone/<int:template_id>/edit/",
        views.milestone_template_edit,
        name="milestone_template_edit",
    ),
    path(
        "blueprints/programme/<int:programme_id>/close-downs/new/",
        views.close_down_create,
        name="close_down_create",
    ),
    path(
        "blueprints/close-down/<int:close_down_id>/delete/",
        views.close_down_delete,
        name="close_down_delete",
    ),
    path(
        "blueprints/programme/<int:programme_id>/differences/",
        views.blueprint_differences,
        name="blueprint_differences",
    ),
    path("blueprints/cohort/<int:cohort_id>/apply/", views.blueprint_apply, name="blueprint_apply"),
    path("blueprints/cohort/<int:cohort_id>/run-again/", views.cohort_rerun, name="cohort_rerun"),
]
