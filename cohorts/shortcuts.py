"""``render`` for the pages of cohorts and of the apps above it that show the navigation."""

from django.http import HttpResponse
from django.shortcuts import render as django_render

from . import selectors


def render(request, template: str, context: dict | None = None, **kwargs) -> HttpResponse:
    """Render, having asked for the person's roles first: the navigation needs them, and asking
    here keeps every query out of the template (the answer is remembered for the request)."""
    selectors.roles_for_user(request.user)
    return django_render(request, template, context, **kwargs)
