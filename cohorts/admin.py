from django.contrib import admin

from .models import Cohort, Enrolment, Programme


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "default_capacity"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["administrators"]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "programme", "starts_on", "status", "capacity"]
    list_filter = ["programme", "status"]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["person", "cohort", "role", "status"]
    list_filter = ["role", "status", "cohort"]
    raw_id_fields = ["person"]
