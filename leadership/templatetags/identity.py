"""Template tags for the identity pages."""

from django import template

from leadership.mfa import mfa_required_for

register = template.Library()


@register.simple_tag(takes_context=True)
def mfa_required(context) -> bool:
    """Whether the person viewing must keep two-factor authentication on (one query)."""
    user = context["request"].user
    return user.is_authenticated and mfa_required_for(user)
