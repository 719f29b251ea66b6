from django.apps import AppConfig


class LeadershipConfig(AppConfig):
    name = "leadership"
    verbose_name = "Leadership platform"

    def ready(self) -> None:
        # Signal receivers: audit of logins, two-factor rules, ending sessions.
        from . import accounts, mfa, sessions  # noqa: F401
