"""The error summary every page shows when a form on it came back with errors (WCAG 3.3.1 and
4.1.3), in the style of the GOV.UK and NHS design systems: one list of what is wrong at the top
of the page, each entry linking to its field, focused when the page loads (``static/js/site.js``)
and announced, with "Error: " before the page's title.

``base.html`` finds the forms in the page's context itself, so every form in the product gets
the summary without its template asking for it: a view only has to pass the bound form (or
formset), which every view does to show the errors next to the fields anyway.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django import forms, template
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.formsets import BaseFormSet
from django.utils.functional import LazyObject

register = template.Library()


@dataclass(frozen=True)
class SummaryError:
    """One line of the summary: what is wrong, and the id of the field to go to ("" when the
    form has no visible field to point at)."""

    text: str
    target: str


def _field_id(bound_field: forms.BoundField) -> str:
    """The id of the control a person should land on: for a group of radios or checkboxes
    (whose label is a legend, with no ``for``) the first option."""
    if isinstance(bound_field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{bound_field.auto_id}_0" if bound_field.auto_id else ""
    return bound_field.id_for_label or bound_field.auto_id or ""


def _form_errors(form: forms.BaseForm) -> list[SummaryError]:
    # A bound form shows its errors next to its fields whether or not the view asked for them
    # (rendering a field validates the form), so the summary lists them on the same terms.
    if not form.is_bound or not form.errors:
        return []
    visible = form.visible_fields()
    first = _field_id(visible[0]) if visible else ""
    # Errors about the form as a whole (and about hidden fields, such as the version an edit
    # started from) point at its first field, as GOV.UK's do.
    found = [SummaryError(str(message), first) for message in form.non_field_errors()]
    for name, messages in form.errors.items():
        if name == NON_FIELD_ERRORS:
            continue
        bound_field = form[name]
        if bound_field.is_hidden:
            found += [SummaryError(str(message), first) for message in messages]
        else:
            target = _field_id(bound_field)
            found += [
                SummaryError(f"{bound_field.label}: {message}", target) for message in messages
            ]
    return found


def _formset_errors(formset: BaseFormSet) -> list[SummaryError]:
    if not formset.is_bound:
        return []
    found = []
    if formset.non_form_errors():
        fields = formset.forms[0].visible_fields() if formset.forms else []
        first = _field_id(fields[0]) if fields else ""
        found += [SummaryError(str(message), first) for message in formset.non_form_errors()]
    for form in formset.forms:
        found += _form_errors(form)
    return found


def _forms_in(context: template.Context) -> Iterator[forms.BaseForm | BaseFormSet]:
    """The forms and formsets the view put in the context, directly or in a list, each once.
    Lazy values (the navigation) are skipped unevaluated."""
    seen: set[int] = set()
    for value in context.flatten().values():
        if isinstance(value, LazyObject):
            continue
        for item in value if isinstance(value, list | tuple) else (value,):
            if isinstance(item, forms.BaseForm | BaseFormSet) and id(item) not in seen:
                seen.add(id(item))
                yield item


@register.simple_tag(takes_context=True)
def form_errors(context: template.Context) -> list[SummaryError]:
    """Every error of every bound form on the page, in the order the forms were given."""
    found: list[SummaryError] = []
    for item in _forms_in(context):
        found += _formset_errors(item) if isinstance(item, BaseFormSet) else _form_errors(item)
    return found
