from django.contrib import admin

from cohorts.admin import ProgrammeAdmin
from cohorts.models import Programme

from .models import (
    Attendance,
    CloseDown,
    MilestoneTemplate,
    Module,
    ModuleTemplate,
    Session,
    ShortCourseSignup,
)


@admin.register(CloseDown)
class CloseDownAdmin(admin.ModelAdmin):
    """Region-wide close-downs are kept here; a programme's own also on its blueprint page."""

    list_display = ["name", "starts_on", "ends_on", "every_year", "region", "programme"]
    list_filter = ["region", "programme"]


@admin.register(MilestoneTemplate)
class MilestoneTemplateAdmin(admin.ModelAdmin):
    list_display = ["programme", "name", "kind", "module_template", "offset_days"]
    list_filter = ["programme"]


@admin.register(ModuleTemplate)
class ModuleTemplateAdmin(admin.ModelAdmin):
    list_display = ["programme", "position", "title", "kind", "length_half_days", "offset_weeks"]
    list_filter = ["programme"]


class ModuleTemplateInline(admin.TabularInline):
    model = ModuleTemplate
    fields = ["position", "title", "theme", "kind", "length_half_days", "offset_weeks", "phase"]
    extra = 0


# A programme is edited with its module sequence: the cohorts app, a floor below, registers
# the programme's own admin, and this one adds the sequence to it.
admin.site.unregister(Programme)


@admin.register(Programme)
class ProgrammeWithModulesAdmin(ProgrammeAdmin):
    inlines = [ModuleTemplateInline]


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["cohort", "position", "title"]
    list_filter = ["cohort"]
    inlines = [SessionInline]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["session", "person", "status"]
    list_filter = ["status"]
    raw_id_fields = ["person", "recorded_by"]


@admin.register(ShortCourseSignup)
class ShortCourseSignupAdmin(admin.ModelAdmin):
    list_display = ["session", "person", "created_at"]
    raw_id_fields = ["session", "person"]
