"""``{% link 'app:route' id … %}``: ``{% url %}`` for routes that take only integer ids, each
route reversed once per process (``leadership.links``). A page with forty ``{% url %}`` tags
(the cohort page) spent a fifth of its time in ``reverse``."""

from django import template

from leadership.links import link as _link

register = template.Library()


@register.simple_tag
def link(name: str, *ids: int) -> str:
    """The address of ``name`` with ``ids``; escaped on output like any tag's value."""
    return _link(name, *ids)
