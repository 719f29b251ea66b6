"""Single sign-on with the organisation's identity provider over OpenID Connect.

Configured only from the environment (OIDC_SERVER_URL, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET,
OIDC_PROVIDER_NAME; see settings.py): with none set there is no single sign-on button.

Nobody is created by signing on: a person must already have been invited. The identity
provider's account is linked to the invited account the first time, and only when the provider
vouches for the address (``email_verified``, or a domain listed in OIDC_VERIFIED_EMAIL_DOMAINS);
from then on the link (the provider's stable subject id) identifies them. Two-factor
authentication still applies after signing on, for the people who must have it.
"""

from typing import NoReturn

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter, _build_apps_from_settings
from allauth.socialaccount.providers.base import AuthProcess
from django.contrib import messages
from django.shortcuts import redirect

from .models import User, normalise_email
from .services import audit_record

NOT_INVITED = (
    "Single sign-on worked, but {email} has no account here. People are invited by their "
    "programme office: ask them to invite this address, or log in with the address they used."
)
NOT_VERIFIED = (
    "Single sign-on did not confirm your e-mail address, so it cannot be matched to an "
    "account here. Log in with your e-mail address and password instead."
)
NOT_A_LOGIN = "Single sign-on can only be used to log in."


def invited_person_for(verified_emails: list[str]) -> User | None:
    """The active account invited at one of ``verified_emails``, if any. One query."""
    addresses = {normalise_email(email) for email in verified_emails}
    if not addresses:
        return None
    return User.objects.filter(email__in=addresses, is_active=True).order_by("pk").first()


class InvitedPeopleSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False

    def list_apps(self, request, provider=None, client_id=None) -> list:
        """The identity provider comes from the environment (settings) only, never from
        SocialApp rows: allauth's own version also reads that table, one query on every login
        page for a table nobody fills (issue 21 measures the login page against a bare view).
        ``_build_apps_from_settings`` is the settings half of allauth's own method."""
        found = _build_apps_from_settings(provider=provider, client_id=client_id)
        return [app for apps in found.values() for app in apps]

    def pre_social_login(self, request, sociallogin) -> None:
        """Link a first sign-on to the invited account with the same verified address, or
        refuse with a message on the login page. Connecting accounts from a logged-in session
        is not offered (``process=connect`` is refused)."""
        if sociallogin.state.get("process", AuthProcess.LOGIN) != AuthProcess.LOGIN:
            self._refuse(request, NOT_A_LOGIN)
        if sociallogin.is_existing:
            return
        verified = [address.email for address in sociallogin.email_addresses if address.verified]
        if not verified:
            self._refuse(request, NOT_VERIFIED)
        person = invited_person_for(verified)
        if person is None:
            self._refuse(request, NOT_INVITED.format(email=verified[0]))
        sociallogin.connect(request, person)
        audit_record(
            actor=person,
            action="auth.sso_linked",
            target=person,
            person_id=person.pk,
            changes={"provider": sociallogin.account.provider, "uid": sociallogin.account.uid},
        )

    @staticmethod
    def _refuse(request, message: str) -> NoReturn:
        messages.error(request, message)
        raise ImmediateHttpResponse(redirect("account_login"))
