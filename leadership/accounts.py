"""allauth glue: invitation only, no public sign-up; logins, failed logins and logouts are
audited."""

from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.account.authentication import get_authentication_records
from allauth.account.forms import LoginForm as AllauthLoginForm
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.urls import reverse

from .models import User, normalise_email
from .notifications import absolute_url
from .services import audit_record


class SiteFromSettings:
    """What allauth's e-mails call the site: our name and ``SITE_URL``'s host, never the host
    a request happened to name."""

    name = "Clinical leadership programmes"

    @property
    def domain(self) -> str:
        return urlsplit(settings.SITE_URL).netloc


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    """People are enrolled by an administrator and invited; nobody signs themselves up.

    Every link allauth puts in an e-mail (the password-reset link; the site named in every
    message) is built from ``SITE_URL``. allauth would build them from the request, whose
    ``Host`` header the person asking chooses: a reset asked for with a forged host (one the
    site answers to, or any, behind a proxy that passes it on) would mail the real owner a
    link to someone else's server, carrying their reset key."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return absolute_url(path.replace("UID-KEY", quote(key)))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        message = self.render_mail(
            template_prefix,
            email,
            {"email": email, **context, "current_site": SiteFromSettings()},
        )
        message.send()


class LoginForm(AllauthLoginForm):
    """allauth's login form. A wrong e-mail address or password is one message about the form
    as a whole (it must not say which was wrong); both fields are marked invalid too, so a
    screen reader says so on each and the boxes turn red (WCAG 3.3.1)."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            for name in ("login", "password"):
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "class": "is-invalid"}
                )
            raise


def _ip(request) -> str | None:
    """The client's address as the login throttle sees it (ALLAUTH_TRUSTED_PROXY_COUNT)."""
    if request is None:
        return None
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:  # a request built in code, e.g. the test client's force_login
        return None


@receiver(user_logged_in, dispatch_uid="leadership_audit_login")
def _audit_login(sender, request, user, **kwargs) -> None:
    # How they proved who they are: "password", "socialaccount" (single sign-on), "mfa".
    methods = [record["method"] for record in get_authentication_records(request, user)]
    audit_record(
        actor=user,
        action="auth.login",
        target=user,
        person_id=user.pk,
        changes={"methods": methods, "ip": _ip(request)},
    )


@receiver(user_logged_out, dispatch_uid="leadership_audit_logout")
def _audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None and user.pk:
        audit_record(
            actor=user,
            action="auth.logout",
            target=user,
            person_id=user.pk,
            changes={"ip": _ip(request)},
        )


@receiver(user_login_failed, dispatch_uid="leadership_audit_login_failed")
def _audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    """A wrong password, for a known or an unknown address. The address typed is kept (it is
    what a reviewer needs to spot guessing) but never the password (Django has already
    replaced it with stars)."""
    typed = str(credentials.get("email") or credentials.get("username") or "")[:254]
    person = User.objects.filter(email=normalise_email(typed)).first() if typed else None
    audit_record(
        actor=None,
        action="auth.login_failed",
        target=person or User(email=typed),
        person_id=person.pk if person else None,
        changes={"email": typed, "ip": _ip(request)},
    )
