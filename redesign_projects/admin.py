"""Read-mostly admin: changes go through the product's pages and services, which audit them."""

from django.contrib import admin

from .models import (
    Assignment,
    Extension,
    Feedback,
    RedesignTeam,
    Submission,
    TeamMembership,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RedesignTeam)
class RedesignTeamAdmin(ReadOnlyAdmin):
    list_display = ["name", "cohort", "focus_kind", "clinical_lead"]
    list_filter = ["focus_kind", "cohort"]
    search_fields = ["name", "focus"]


@admin.register(TeamMembership)
class TeamMembershipAdmin(ReadOnlyAdmin):
    list_display = ["person", "team", "joined_at", "left_at"]
    list_filter = ["cohort"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["title", "cohort", "kind", "due_at"]
    list_filter = ["cohort", "kind"]


@admin.register(Extension)
class ExtensionAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "team", "person", "due_at", "granted_by"]


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "team", "owner", "status", "version", "is_late", "submitted_at"]
    list_filter = ["status", "is_late"]


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["submission", "author", "decision", "released_at"]
    list_filter = ["decision"]
