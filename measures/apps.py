from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = "Measures and charts"

    def ready(self) -> None:
        # Imported here, not at the top of the module: Django imports apps.py before any app's
        # models are loaded, and both modules import models.
        from redesign_projects.team_page import TeamSection, register_team_section

        from .selectors import team_page_measures

        register_team_section(
            "measures",
            TeamSection(template="measures/_team_measures.html", data=team_page_measures),
        )
