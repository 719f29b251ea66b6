from django.urls import path

from . import views

app_name = "learning_sets"

urlpatterns = [
    path("", views.my_learning, name="my_learning"),
    path("cohort/<int:cohort_id>/sets/", views.set_list, name="set_list"),
    path("cohort/<int:cohort_id>/sets/new/", views.set_create, name="set_create"),
    path("sets/<int:set_id>/", views.set_detail, name="set_detail"),
    path("sets/<int:set_id>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("sets/<int:set_id>/actions/new/", views.action_create, name="action_create"),
    path("actions/<int:action_id>/done/", views.action_mark, name="action_mark"),
    path("cohort/<int:cohort_id>/challenges/", views.challenge_list, name="challenge_list"),
    path("cohort/<int:cohort_id>/challenges/new/", views.challenge_create, name="challenge_create"),
    path("challenges/<int:challenge_id>/", views.challenge_detail, name="challenge_detail"),
    path(
        "challenges/<int:challenge_id>/debrief/", views.challenge_debrief, name="challenge_debrief"
    ),
    path(
        "challenges/<int:challenge_id>/outcomes/<int:person_id>/",
        views.outcome_record,
        name="outcome_record",
    ),
    path("coaching/ethics/", views.ethics_agree, name="ethics_agree"),
    path("cohort/<int:cohort_id>/coaching/", views.coaching_overview, name="coaching_overview"),
    path(
        "coaching/<int:assignment_id>/sessions/new/",
        views.coaching_session_create,
        name="coaching_session_create",
    ),
]
