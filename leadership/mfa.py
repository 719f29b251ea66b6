"""Two-factor authentication: who must have it, and keeping them to it.

allauth.mfa does the cryptography and the login step: a person with an authenticator app
cannot finish logging in (by password or single sign-on) without a code from it or a recovery
code. This module adds the rule of who *must* have one — programme administrators, superusers
and clinical leaders, or everyone when ``MFA_REQUIRED_FOR_ALL`` is set — and enforces it:

* someone who must have it but has none can reach only the set-up, recovery-code and log-out
  pages until they have turned it on (``MFARequiredMiddleware``);
* turning it on ends that person's other sessions, which logged in without it, so every
  session of a person with an authenticator passed the code step (or is the one that just
  proved a code by turning it on);
* they cannot turn it off while their role requires it (``MFAAdapter``);
* turning it on or off, regenerating recovery codes and wrong codes are audited.

What a session needs is worked out when it logs in and kept in the session, so ordinary pages
pay no query for it; sessions without an authenticator look again every few minutes, to catch a
person who has just been made an administrator or a clinical leader, and a session held at
set-up looks on every request.
"""

import time
from typing import Any

from allauth.mfa import app_settings
from allauth.mfa import signals as mfa_signals
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db.models import Exists, OuterRef
from django.dispatch import receiver
from django.shortcuts import redirect

from .models import User
from .services import audit_record
from .sessions import end_sessions_for

SESSION_STATE = "leadership.mfa"
RECHECK_SECONDS = 5 * 60
# The pages someone who must set up two-factor authentication can still open.
ALLOWED_DURING_SET_UP = frozenset(
    {
        "mfa_activate_totp",
        "mfa_index",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_authenticate",
        "mfa_reauthenticate",
        "account_reauthenticate",
        "account_login",
        "account_logout",
    }
)


def _totp_exists(user_ref) -> Exists:
    return Exists(Authenticator.objects.filter(user_id=user_ref, type=Authenticator.Type.TOTP))


def _mfa_facts(user) -> tuple[bool, bool]:
    """(must have two-factor authentication, has an authenticator app). One query.

    The roles are the cohorts app's, which the kernel does not import: programme
    administration and enrolments are reached through ``User``'s reverse relations
    (``administered_programmes``, ``enrolments``), and the enrolment's own role and status
    constants through the model its relation names."""
    administrations = User.administered_programmes.through
    enrolment: Any = User.enrolments.field.model  # cohorts.Enrolment, not imported here
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            _totp=_totp_exists(OuterRef("pk")),
            _admin=Exists(administrations.objects.filter(user_id=OuterRef("pk"))),
            _leader=Exists(
                enrolment.objects.filter(
                    person_id=OuterRef("pk"),
                    role=enrolment.Role.CLINICAL_LEADER,
                    status__in=enrolment.ACTIVE_STATUSES,
                )
            ),
        )
        .values("_totp", "_admin", "_leader", "is_superuser")
        .get()
    )
    required = (
        settings.MFA_REQUIRED_FOR_ALL or row["is_superuser"] or row["_admin"] or row["_leader"]
    )
    return bool(required), row["_totp"]


def mfa_required_for(user) -> bool:
    """Whether ``user`` must use two-factor authentication: a superuser, an administrator of
    any programme, a clinical leader of a cohort (active enrolment), or anyone at all when
    ``MFA_REQUIRED_FOR_ALL`` is set. One query."""
    return _mfa_facts(user)[0]


def remember_mfa_state(request, user) -> dict:
    """Work out whether this session must set up two-factor authentication and keep it in the
    session. One query."""
    required, has_totp = _mfa_facts(user)
    state = {"set_up": required and not has_totp, "totp": has_totp, "at": int(time.time())}
    request.session[SESSION_STATE] = state
    return state


class MFARequiredMiddleware:
    """Sends someone who must have two-factor authentication but has none to set it up; they
    can reach nothing else (``ALLOWED_DURING_SET_UP``) until they have."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        if request.resolver_match.url_name in ALLOWED_DURING_SET_UP:
            return None
        state = request.session.get(SESSION_STATE)
        # Someone being held at set-up is looked at again on every request (they may have
        # just finished it); someone without an app, every few minutes.
        stale = (
            state is None
            or state["set_up"]
            or (not state["totp"] and time.time() - state["at"] > RECHECK_SECONDS)
        )
        if stale:
            state = remember_mfa_state(request, request.user)
        if not state["set_up"]:
            return None
        # The set-up page says why they are there (mfa/totp/activate_form.html).
        return redirect("mfa_activate_totp")


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": (
            "Your role needs two-factor authentication, so you cannot turn it off. "
            "To move to a new phone, ask your programme office to reset it."
        ),
        "incorrect_code": "That code is not right. Enter the current code from your app.",
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.TOTP and mfa_required_for(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)


def current_totp_code(secret: str, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now for ``secret`` (for the demo and tests)."""
    counter = int(time.time()) // app_settings.TOTP_PERIOD + steps_ahead
    return format_hotp_value(hotp_value(secret, counter))


def totp_enrol(*, user: User, secret: str) -> Authenticator:
    """Give ``user`` an authenticator app with a known ``secret``, as the demo data does (people
    turn theirs on through the set-up page). Idempotent. Audited as ``mfa.totp_enabled``."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        return existing
    authenticator = TOTP.activate(user, secret).instance
    audit_record(
        actor=None,
        action="mfa.totp_enabled",
        target=user,
        person_id=user.pk,
        changes={"how": "demo data"},
    )
    return authenticator


@receiver(user_logged_in, dispatch_uid="leadership_mfa_state_on_login")
def _state_on_login(sender, request, user, **kwargs) -> None:
    remember_mfa_state(request, user)


def _audit(request, user, action: str, **changes) -> None:
    audit_record(actor=user, action=action, target=user, person_id=user.pk, changes=changes)


@receiver(mfa_signals.authenticator_added, dispatch_uid="leadership_mfa_added")
def _on_added(sender, request, user, authenticator, **kwargs) -> None:
    if authenticator.type != Authenticator.Type.TOTP:
        return
    # Sessions elsewhere logged in without a code; this one has just proved one.
    end_sessions_for(user, keep_session_key=request.session.session_key)
    remember_mfa_state(request, user)
    _audit(request, user, "mfa.totp_enabled")


@receiver(mfa_signals.authenticator_removed, dispatch_uid="leadership_mfa_removed")
def _on_removed(sender, request, user, authenticator, **kwargs) -> None:
    if authenticator.type != Authenticator.Type.TOTP:
        return
    remember_mfa_state(request, user)
    _audit(request, user, "mfa.totp_disabled")


@receiver(mfa_signals.authenticator_reset, dispatch_uid="leadership_mfa_reset")
def _on_reset(sender, request, user, authenticator, **kwargs) -> None:
    _audit(request, user, "mfa.recovery_codes_regenerated")


@receiver(mfa_signals.authentication_failed, dispatch_uid="leadership_mfa_failed")
def _on_failed(sender, request, user, authenticator, **kwargs) -> None:
    _audit(request, user, "auth.mfa_failed", reauthentication=kwargs.get("reauthentication", False))


@receiver(mfa_signals.authenticator_used, dispatch_uid="leadership_mfa_used")
def _on_used(sender, request, user, authenticator, **kwargs) -> None:
    # A recovery code used is worth a governance reader's attention: the phone may be lost.
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        _audit(request, user, "mfa.recovery_code_used")
