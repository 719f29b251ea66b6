from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports and certificates"

    def ready(self) -> None:
        # Imported here, not at the top of the module: Django imports apps.py before any app's
        # models are loaded, and both modules import models.
        from cohorts.sections import CohortSection, register_cohort_section

        from .cards import PAGE_CARDS, Card

        def placeholder(name: str, card: Card) -> CohortSection:
            return CohortSection(
                template="reports/_card_placeholder.html",
                data=lambda cohort, access: {"card": card, "name": name},
            )

        def drawn(name: str, card: Card) -> CohortSection:
            return CohortSection(
                template="reports/_card.html",
                data=lambda cohort, access: card.section(name, cohort),
            )

        for name, card in PAGE_CARDS.items():
            register_cohort_section(name, (placeholder if card.lazy else drawn)(name, card))
