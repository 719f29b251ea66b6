from django.apps import AppConfig


class ModulesConfig(AppConfig):
    name = "modules"
    verbose_name = "Modules, sessions and attendance"

    def ready(self) -> None:
        # The people list's "enrol in a short course" (cohorts.bulk: cohorts cannot import us).
        from cohorts.bulk import register

        from .bulk import SHORT_COURSE

        register(SHORT_COURSE)
