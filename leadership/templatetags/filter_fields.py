"""``{% select_options field %}``: a choice field's ``<option>`` elements, written out here.

A filter form's select of ninety actions rendered option by option — through Django's widget
templates, or even a template loop — cost more than the rest of the audit trail page. Every
value and label is escaped."""

from collections.abc import Iterable
from html import escape
from typing import cast

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def select_options(field: BoundField) -> SafeString:
    """The options of ``field`` (a choice field), the current value selected."""
    current = "" if field.value() is None else str(field.value())
    choices = cast(Iterable[tuple[object, object]], getattr(field.field, "choices", ()))
    return mark_safe(  # noqa: S308 — every value and label is escaped
        "".join(
            f'<option value="{escape(str(value))}"'
            f"{' selected' if str(value) == current else ''}>{escape(str(label))}</option>"
            for value, label in choices
        )
    )
