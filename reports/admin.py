from django.contrib import admin

from .models import Certificate, ReportRequest


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
