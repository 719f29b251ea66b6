"""Measures are changed through their pages (audited); the admin only reads them."""

from django.contrib import admin

from redesign_projects.admin import ReadOnlyAdmin

from .models import DataPoint, Measure, PdsaCycle


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdmin):
    list_display = ["name", "team", "pairing", "kind", "unit", "better"]
    list_filter = ["kind"]


@admin.register(DataPoint)
class DataPointAdmin(ReadOnlyAdmin):
    list_display = ["measure", "period", "value", "recorded_by"]


@admin.register(PdsaCycle)
class PdsaCycleAdmin(ReadOnlyAdmin):
    list_display = ["team", "change_idea", "started_on", "ended_on"]
