"""``{% filter_field field %}``: one field of a GET filter form (text, date or choice) with its
label, errors and help text, written out here rather than by a template or Django's widget
templates. A select of the audit trail's hundred actions rendered option by option cost more
than the rest of the page; the partial template that wrote each field, with a dozen variables
and conditions a field, still cost the audit trail page more than its query. A
``leadership.forms.FixedChoiceField``'s options are written once per process. Every value,
label and message is escaped."""

from html import escape

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString, mark_safe

from leadership.forms import option_element

register = template.Library()


@register.simple_tag
def filter_field(field: BoundField) -> SafeString:
    """``field`` in a ``<div class="mb-3">``: its label, its control (a select for a choice
    field, else a text or date input) with the current value, then its errors and its help
    text, both named by the control's ``aria-describedby`` so a screen reader reads them with
    it."""
    auto_id = escape(str(field.auto_id))
    current = "" if field.value() is None else str(field.value())
    described = [f"{auto_id}_helptext"] if field.help_text else []
    if field.errors:
        described.append(f"{auto_id}_errors")
    attributes = f'name="{escape(field.html_name)}" id="{escape(str(field.id_for_label))}"'
    invalid = " is-invalid" if field.errors else ""
    describedby = f' aria-describedby="{" ".join(described)}"' if described else ""
    if field.widget_type == "select":
        control = (
            f'<select {attributes} class="form-select{invalid}"{describedby}>'
            f"{_options(field, current)}</select>"
        )
    else:
        kind = "date" if field.widget_type == "date" else "text"
        max_length = getattr(field.field, "max_length", None)
        limit = f' maxlength="{int(max_length)}"' if max_length else ""
        control = (
            f'<input type="{kind}" {attributes} value="{escape(current)}"'
            f' class="form-control{invalid}"{limit}{describedby}>'
        )
    parts = [
        '<div class="mb-3">',
        f'<label class="form-label" for="{escape(str(field.id_for_label))}">'
        f"{escape(str(field.label))}</label>",
        control,
    ]
    if field.errors:
        messages = " ".join(escape(str(error)) for error in field.errors)
        parts.append(f'<div class="invalid-feedback" id="{auto_id}_errors">{messages}</div>')
    if field.help_text:
        parts.append(
            f'<div class="form-text" id="{auto_id}_helptext">{escape(str(field.help_text))}</div>'
        )
    parts.append("</div>")
    return mark_safe("\n".join(parts))  # noqa: S308 — every value above is escaped


def _options(field: BoundField, current: str) -> str:
    """The ``<option>`` elements of a choice field, ``current`` selected."""
    written = getattr(field.field, "written_options", None)
    if written is not None:  # a FixedChoiceField's, written once (and escaped) by option_element
        return "".join(
            selected if value == current else option for value, option, selected in written
        )
    return "".join(
        option_element(value, label, selected=str(value) == current)
        for value, label in getattr(field.field, "choices", ())
    )
