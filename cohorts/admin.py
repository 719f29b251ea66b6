from django.contrib import admin

from leadership.admin_audit import AuditedModelAdmin

from .models import Cohort, Enrolment, Programme


@admin.register(Programme)
class ProgrammeAdmin(AuditedModelAdmin):
    audit_name = "programme"
    list_display = ["name", "organisation", "default_capacity"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["administrators"]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "programme", "starts_on", "status", "capacity"]
    list_filter = ["programme", "status"]
    search_fields = ["name", "slug"]


@admin.register(Enrolment)
class EnrolmentAdmin(AuditedModelAdmin):
    audit_name = "enrolment"
    list_display = ["person", "cohort", "role", "status"]
    list_filter = ["role", "status", "cohort"]
    raw_id_fields = ["person"]
    search_fields = ["person__email", "person__last_name"]
