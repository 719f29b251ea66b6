"""``{% select_options field %}``: a choice field's ``<option>`` elements, written out here.

A filter form's select of ninety actions rendered option by option — through Django's widget
templates, or even a template loop — cost more than the rest of the audit trail page; a
``leadership.forms.FixedChoiceField``'s are written once per process. Every value and label is
escaped (``leadership.forms.option_element``)."""

from collections.abc import Iterable
from typing import cast

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString, mark_safe

from leadership.forms import option_element

register = template.Library()


@register.simple_tag
def select_options(field: BoundField) -> SafeString:
    """The options of ``field`` (a choice field), the current value selected."""
    current = "" if field.value() is None else str(field.value())
    written = getattr(field.field, "written_options", None)
    if written is not None:  # a FixedChoiceField's, written once (and escaped) by option_element
        return mark_safe(  # noqa: S308
            "".join(selected if value == current else option for value, option, selected in written)
        )
    choices = cast(Iterable[tuple[object, object]], getattr(field.field, "choices", ()))
    return mark_safe(  # noqa: S308 — option_element escapes every value and label
        "".join(
            option_element(value, label, selected=str(value) == current) for value, label in choices
        )
    )
