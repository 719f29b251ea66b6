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

urlpatterns += [
    path("teams/<int:team_id>/measures/new/", views.measure_create, name="measure_create"),
    path("teams/<int:team_id>/pdsa/", views.pdsa_list, name="pdsa_list"),
    path("teams/<int:team_id>/pdsa/new/", views.pdsa_create, name="pdsa_create"),
    path("pdsa/<int:cycle_id>/edit/", views.pdsa_update, name="pdsa_update"),
    path("pairings/<int:pairing_id>/measures/", views.pairing_measures, name="pairing_measures"),
    path(
        "pairings/<int:pairing_id>/measures/new/",
        views.pairing_measure_create,
        name="pairing_measure_create",
    ),
    path("measures/<int:measure_id>/", views.measure_detail, name="measure_detail"),
    path("measures/<int:measure_id>/edit/", views.measure_update, name="measure_update"),
    path("measures/<int:measure_id>/points/new/", views.datapoint_create, name="datapoint_create"),
    path(
        "measures/<int:measure_id>/points/import/", views.datapoint_import, name="datapoint_import"
    ),
    path("measures/<int:measure_id>/rebase/", views.rebase_create, name="rebase_create"),
    path("points/<int:datapoint_id>/edit/", views.datapoint_update, name="datapoint_update"),
]

urlpatterns += [
    path(
        "programmes/<int:programme_id>/chart-rules/",
        views.chart_rules_edit,
        name="chart_rules_edit",
    ),
]
