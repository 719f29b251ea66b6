from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Model

from .admin_audit import AuditedModelAdmin
from .models import AuditEvent, User


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    audit_name = "person"
    ordering = ["last_name", "first_name"]
    list_display = ["email", "first_name", "last_name", "profession", "department", "is_active"]
    list_filter = ["profession", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name", "department"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            "Person",
            {
                "fields": [
                    "first_name",
                    "last_name",
                    "profession",
                    "job_title",
                    "department",
                    "organisation",
                ]
            },
        ),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "first_name", "last_name", "profession"]})]

    def audit_person_id(self, obj: Model) -> int:
        return obj.pk


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_repr"]
    list_filter = ["action"]
    search_fields = ["target_repr", "action"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# The admin's own login form would check a password alone, skipping two-factor
# authentication; send it to the site's login (allauth's documented way).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
