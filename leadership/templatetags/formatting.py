"""``{{ text|formatted }}``: simple formatting people typed (Markdown), rendered and sanitised
(``leadership.formatting``). Never ``|safe`` on what people typed: this instead."""

from django import template
from django.utils.safestring import SafeString

from leadership.formatting import formatted_html

register = template.Library()


@register.filter
def formatted(text: str) -> SafeString:
    return formatted_html(text)
