"""Frameworks only: self-assessments and 360 answers have no admin pages (nobody but their
author or participant may read them)."""

from django.contrib import admin

from .models import Dimension, Framework


class DimensionInline(admin.TabularInline):
    model = Dimension
    fields = ["position", "name", "description"]
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "programme", "created_at"]
    fields = ["name", "description", "programme"]
    inlines = [DimensionInline]
