from django.urls import path

from . import views

app_name = "redesign_projects"

urlpatterns = [
    path("my-team/", views.team_mine, name="team_mine"),
    path("cohorts/<int:cohort_id>/teams/", views.team_list, name="team_list"),
    path("cohorts/<int:cohort_id>/teams/new/", views.team_create, name="team_create"),
    path("cohorts/<int:cohort_id>/teams/form/", views.team_formation, name="team_formation"),
    path(
        "cohorts/<int:cohort_id>/assignments/",
        views.assignment_overview,
        name="assignment_overview",
    ),
    path(
        "cohorts/<int:cohort_id>/assignments/new/",
        views.assignment_create,
        name="assignment_create",
    ),
    path("teams/<int:team_id>/", views.team_detail, name="team_detail"),
    path("teams/<int:team_id>/edit/", views.team_update, name="team_update"),
    path("assignments/<int:assignment_id>/", views.assignment_detail, name="assignment_detail"),
    path(
        "assignments/<int:assignment_id>/edit/", views.assignment_update, name="assignment_update"
    ),
    path(
        "assignments/<int:assignment_id>/extensions/new/",
        views.extension_create,
        name="extension_create",
    ),
    path("assignments/<int:assignment_id>/submit/", views.submission_edit, name="submission_edit"),
    path(
        "assignments/<int:assignment_id>/release-feedback/",
        views.feedback_release_all,
        name="feedback_release_all",
    ),
    path(
        "assignments/<int:assignment_id>/peer-reviews/",
        views.peer_review_allocation,
        name="peer_review_allocation",
    ),
    path(
        "assignments/<int:assignment_id>/peer-reviews/round-robin/",
        views.peer_review_round_robin,
        name="peer_review_round_robin",
    ),
    path("peer-reviews/<int:review_id>/", views.peer_review_detail, name="peer_review_detail"),
    path("submissions/<int:submission_id>/", views.submission_detail, name="submission_detail"),
    path("submissions/<int:submission_id>/feedback/", views.feedback_edit, name="feedback_edit"),
    path(
        "submissions/<int:submission_id>/comments/",
        views.peer_comment_create,
        name="peer_comment_create",
    ),
    path("feedback/<int:feedback_id>/release/", views.feedback_release, name="feedback_release"),
    path("files/<int:file_id>/", views.file_download, name="file_download"),
]
