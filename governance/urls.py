"""Governance pages: the audit trail, subject access and erasure."""

from django.urls import path

from . import views

app_name = "governance"

urlpatterns = [
    path("audit/", views.audit_log, name="audit_log"),
    path("people/<int:person_id>/", views.person_privacy, name="person_privacy"),
    path("people/<int:person_id>/export/", views.person_export, name="person_export"),
    path("people/<int:person_id>/erase/", views.person_erase, name="person_erase"),
    path("mine/", views.my_data, name="my_data"),
    path("mine/export/", views.my_data_export, name="my_data_export"),
]
