"""allauth glue: invitation only, no public sign-up; logins, failed logins and logouts are
audited."""

from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.account.authentication import get_authentication_records
from allauth.account.forms import LoginForm as AllauthLoginForm
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver

from .models import User, normalise_email
from .services import audit_record


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    """People are enrolled by an administrator and invited; nobody signs themselves up."""

    def is_open_for_signup(self, request) -> bool:
        return False


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
