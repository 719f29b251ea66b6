"""The one place an evaluation's distribution bars are marked safe. The chart code escapes
every label it draws (options are typed by administrators); the filter takes the
``QuestionResult``, not a string, so it cannot be pointed at user text by mistake."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from evaluation.selectors import QuestionResult

register = template.Library()


@register.filter
def distribution_svg(result: QuestionResult) -> SafeString:
    if not isinstance(result, QuestionResult):
        raise TypeError("distribution_svg takes a QuestionResult.")
    return mark_safe(result.svg)  # noqa: S308  (escaped by measures.charts.bars)
