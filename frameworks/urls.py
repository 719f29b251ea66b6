from django.urls import path

from . import views

app_name = "frameworks"

urlpatterns = [
    path("programme/<int:programme_id>/", views.programme_framework, name="programme_framework"),
    path("programme/<int:programme_id>/import/", views.framework_import, name="framework_import"),
    path("<int:framework_id>/", views.framework_detail, name="framework_detail"),
    path("cohort/<int:cohort_id>/mine/", views.my_learning, name="my_learning"),
    path(
        "cohort/<int:cohort_id>/self-assessment/<str:kind>/",
        views.self_assessment,
        name="self_assessment",
    ),
    path("cohort/<int:cohort_id>/360/raters/", views.feedback_raters, name="feedback_raters"),
    path("cohort/<int:cohort_id>/360/report/", views.feedback_report, name="feedback_report"),
    path("cohort/<int:cohort_id>/learning/", views.cohort_learning, name="cohort_learning"),
    path("feedback/<str:token>/", views.rater_form, name="rater_form"),
    path("feedback-sent/", views.rater_thanks, name="rater_thanks"),
]
