from django.contrib import admin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only: tokens are created and revoked on the programme's pages (audited there)."""

    list_display = ["name", "prefix", "programme", "cohort", "scope", "expires_at", "revoked_at"]
    list_filter = ["scope"]
    search_fields = ["name", "prefix"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
