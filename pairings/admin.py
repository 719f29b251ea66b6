from django.contrib import admin

from .models import Pairing, PairingPreference, ShadowingEntry


class ShadowingEntryInline(admin.TabularInline):
    model = ShadowingEntry
    extra = 0
    fields = ("occurred_on", "direction", "location", "minutes", "author")
    readonly_fields = fields
    can_delete = False


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "cohort", "kind", "status", "started_on", "project_status"]
    list_filter = ["kind", "status", "project_status", "cohort"]
    list_select_related = ["cohort", "clinician", "manager"]
    search_fields = ["clinician__email", "clinician__last_name", "manager__email"]
    raw_id_fields = ["clinician", "manager"]
    inlines = [ShadowingEntryInline]


@admin.register(PairingPreference)
class PairingPreferenceAdmin(admin.ModelAdmin):
    list_display = ["person", "cohort", "line_manager", "updated_at"]
    list_select_related = ["person", "cohort", "line_manager"]
    raw_id_fields = ["person", "line_manager"]
    search_fields = ["person__email", "person__last_name"]
