from django.contrib import admin

from leadership.admin_audit import AuditedModelAdmin

from .models import Certificate, Cohort, Enrolment, Programme, ReportRequest


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


@admin.register(ReportRequest)
class ReportRequestAdmin(admin.ModelAdmin):
    list_display = ["cohort", "kind", "status", "requested_by", "requested_at"]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in ReportRequest._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["person", "cohort", "code", "revoked_at"]
    readonly_fields = [f.name for f in Certificate._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
