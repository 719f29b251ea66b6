"""The language a page declares (``<html lang>``, WCAG 3.1.1): the English of the cohort the page
is about, New Zealand or British, so screen readers pronounce it and spell checkers check it as
its people write; on pages about no one cohort, the organisation's (``LANGUAGE_CODE``)."""

from django import template
from django.conf import settings
from django.utils.functional import LazyObject
from django.utils.translation import to_locale

register = template.Library()


def _site_language() -> str:
    """``LANGUAGE_CODE`` as a BCP 47 tag: "en-nz" → "en-NZ"."""
    return to_locale(settings.LANGUAGE_CODE).replace("_", "-")


def _cohort_language(context: template.Context) -> str | None:
    """The ``language`` of the page's ``cohort``, or of the cohort of the first thing in the
    context that belongs to one (a session, a team, a pairing...)."""
    cohort = context.get("cohort")
    if cohort is not None:
        return getattr(cohort, "language", None)
    for value in context.flatten().values():
        if isinstance(value, LazyObject):
            continue
        language = getattr(getattr(value, "cohort", None), "language", None)
        if isinstance(language, str):
            return language
    return None


@register.simple_tag(takes_context=True)
def page_language(context: template.Context) -> str:
    return _cohort_language(context) or _site_language()
