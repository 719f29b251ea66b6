from django.contrib import admin

from .models import Attendance, Module, ModuleTemplate, Session, ShortCourseSignup


@admin.register(ModuleTemplate)
class ModuleTemplateAdmin(admin.ModelAdmin):
    list_display = ["programme", "position", "title", "kind", "length_half_days", "offset_weeks"]
    list_filter = ["programme"]


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
