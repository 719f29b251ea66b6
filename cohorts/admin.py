from django.contrib import admin

from leadership.admin_audit import AuditedModelAdmin
from modules.models import ModuleTemplate

from .models import Cohort, Enrolment, Programme


class ModuleTemplateInline(admin.TabularInline):
    model = ModuleTemplate
    fields = ["position", "title", "theme", "kind", "length_half_days", "offset_weeks", "phase"]
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(AuditedModelAdmin):
    audit_name = "programme"
    list_display = ["name", "organisation", "default_capacity"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["administrators"]
    inlines = [ModuleTemplateInline]


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
