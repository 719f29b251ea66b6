from django.contrib import admin

from .models import (
    ActionLearningSet,
    ChallengeOutcome,
    CoachAssignment,
    EthicsAgreement,
    LeadershipChallenge,
    LearningSetMember,
)


class LearningSetMemberInline(admin.TabularInline):
    model = LearningSetMember
    extra = 0
    raw_id_fields = ["person", "cohort"]


@admin.register(ActionLearningSet)
class ActionLearningSetAdmin(admin.ModelAdmin):
    list_display = ["name", "cohort", "facilitator"]
    list_select_related = ["cohort", "facilitator"]
    list_filter = ["cohort"]
    raw_id_fields = ["facilitator"]
    inlines = [LearningSetMemberInline]


@admin.register(LeadershipChallenge)
class LeadershipChallengeAdmin(admin.ModelAdmin):
    list_display = ["title", "cohort", "trimester", "held_on", "milestone"]
    list_select_related = ["cohort", "milestone"]
    list_filter = ["cohort"]
    raw_id_fields = ["milestone"]


@admin.register(ChallengeOutcome)
class ChallengeOutcomeAdmin(admin.ModelAdmin):
    list_display = ["participant", "challenge", "observed_by", "recorded_at"]
    list_select_related = ["participant", "challenge", "observed_by"]
    raw_id_fields = ["participant", "observed_by"]


# Coaching sessions are not registered: their notes are private to the coach and the coachee.
@admin.register(CoachAssignment)
class CoachAssignmentAdmin(admin.ModelAdmin):
    list_display = ["coach", "coachee", "cohort"]
    list_select_related = ["coach", "coachee", "cohort"]
    raw_id_fields = ["coach", "coachee"]


@admin.register(EthicsAgreement)
class EthicsAgreementAdmin(admin.ModelAdmin):
    list_display = ["coach", "version", "agreed_at"]
    list_select_related = ["coach"]
    readonly_fields = ["coach", "version", "signed_name", "agreed_at"]
