"""A cohort's e-mail log, under /notifications/ beside leadership's e-mail preferences. No
namespace: the URL names were ``notification_log`` and ``notification_retry`` before these
views moved here from leadership, and stay so."""

from django.urls import path

from . import views

urlpatterns = [
    path("cohort/<int:cohort_id>/", views.notification_log, name="notification_log"),
    path("<int:pk>/retry/", views.notification_retry, name="notification_retry"),
]
