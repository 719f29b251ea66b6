from django.core.management.base import BaseCommand

from demo.leadership import DEMO_TOTP_SECRET
from leadership.mfa import current_totp_code


class Command(BaseCommand):
    help = (
        "Print the code an authenticator app holding the demo's published secret shows now, "
        "for logging in to the demo as admin@ or leader@demo.example.org."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write(current_totp_code(DEMO_TOTP_SECRET))
