"""Authenticator-app codes in tests, computed the way a phone computes them (allauth's own
HOTP/TOTP functions over the secret stored for the person)."""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt
from django.core.cache import cache

from leadership.mfa import current_totp_code, totp_enrol

# The secret the persona fixtures' authenticator apps hold.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def give_authenticator_app(user, secret: str = TEST_TOTP_SECRET) -> Authenticator:
    return totp_enrol(user=user, secret=secret)


def _authenticator(user_or_email) -> Authenticator:
    whose = (
        {"user__email": user_or_email}
        if isinstance(user_or_email, str)
        else {"user_id": user_or_email.pk}
    )
    return Authenticator.objects.get(type=Authenticator.Type.TOTP, **whose)


def secret_of(user_or_email) -> str:
    return decrypt(_authenticator(user_or_email).data["secret"])


def code_for(user_or_email) -> str:
    """A code the app shows now that has not been used yet. allauth accepts each code once
    (and one step either side, MFA_TOTP_TOLERANCE), so a test that logs in twice within 30
    seconds gets the next step's code the second time."""
    authenticator = _authenticator(user_or_email)
    secret = decrypt(authenticator.data["secret"])
    used_key = TOTP(authenticator)._get_used_cache_key
    for step in (0, 1, -1):
        code = current_totp_code(secret, steps_ahead=step)
        if cache.get(used_key(code)) is None:
            return code
    raise AssertionError("every code valid now has been used; wait for the next 30 seconds")
