"""The language a page declares (``<html lang>``, WCAG 3.1.1): the English of the cohort the page
is about (its ``cohort``), New Zealand or British, so screen readers pronounce it and spell
checkers check it as its people write; on pages about no one cohort, the organisation's
(``LANGUAGE_CODE``)."""

from django import template
from django.conf import settings
from django.utils.translation import to_locale

register = template.Library()


@register.simple_tag(takes_context=True)
def page_language(context: template.Context) -> str:
    """A BCP 47 tag such as "en-NZ". Reads only what the view put in the context: no query."""
    language = getattr(context.get("cohort"), "language", None)
    if isinstance(language, str):
        return language
    return to_locale(settings.LANGUAGE_CODE).replace("_", "-")
