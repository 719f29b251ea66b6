from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = "Programmes and cohorts"

    def ready(self) -> None:
        # Inside ready(): models can be imported only once every app is loaded.
        from leadership.audit import register_programme_of

        from .models import programme_of_audit_event

        register_programme_of(programme_of_audit_event)
