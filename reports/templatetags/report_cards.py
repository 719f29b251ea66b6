"""The cohort page's cards, for the cohort page's template: ``cohorts`` sits below ``reports``
and never imports it, so the page asks for the cards here."""

from django import template

from reports.cards import CARDS, Card

register = template.Library()


@register.simple_tag
def cohort_cards() -> dict[str, Card]:
    """``{% cohort_cards as cards %}``: every card by name, in page order. No queries."""
    return CARDS
