from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "Programme evaluation"

    def ready(self) -> None:
        # Imported here, not at the top of the module: Django imports apps.py before any app's
        # models are loaded, and both modules import models.
        from blueprints.sections import BlueprintSection, register_blueprint_section

        from .selectors import blueprint_evaluation_forms

        register_blueprint_section(
            "evaluation",
            BlueprintSection(
                template="evaluation/_blueprint_forms.html", data=blueprint_evaluation_forms
            ),
        )
