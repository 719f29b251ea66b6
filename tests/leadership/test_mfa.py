"""Two-factor authentication: required for administrators and clinical leaders (and, by a
setting, for everyone), optional for others, never skipped by a password reset, and turning it
on or off is audited."""

import datetime
import re
from functools import partial

import time_machine
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Enrolment
from leadership.mfa import current_totp_code, mfa_required_for
from leadership.models import AuditEvent, LoginSession
from tests.conftest import PASSWORD
from tests.factories import EnrolmentFactory, UserFactory
from tests.totp import code_for, secret_of

CODE_PAGE = reverse("mfa_authenticate")
# Runs what waits for the transaction to commit (allauth sends its MFA signals then); these
# tests run inside one transaction that is rolled back.
_on_commit = partial(TestCase.captureOnCommitCallbacks, execute=True)
SET_UP_PAGE = reverse("mfa_activate_totp")


def _password(client, person, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": person.email, "password": password})


def _logged_in_as(client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def _confirm_password(client, password=PASSWORD) -> None:
    """allauth asks for the password again before two-factor settings change."""
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302, response.content.decode()[:2000]


def _set_up_app(client) -> str:
    """Turn on an authenticator app through the set-up page, as a person would: confirm the
    password (unless just done), scan the key, type the app's code."""
    page = client.get(SET_UP_PAGE)
    if page.status_code == 302:
        assert page.url.startswith(reverse("account_reauthenticate"))
        _confirm_password(client)
        page = client.get(SET_UP_PAGE)
    secret = page.context["form"].secret
    # allauth announces the new authenticator once the transaction commits.
    with _on_commit():
        response = client.post(SET_UP_PAGE, {"code": current_totp_code(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.url == reverse("mfa_view_recovery_codes")
    return secret


def test_who_must_use_two_factor_authentication(
    personas, django_user_model, settings, cohort, participant
):
    required = {name: mfa_required_for(user) for name, user in personas.items() if user}
    assert required == {
        "administrator": True,
        "clinical_leader": True,
        "faculty": False,
        "participant": False,
        "other_participant": False,
    }
    superuser = django_user_model.objects.create_superuser(
        "root@example.org", PASSWORD, first_name="Root"
    )
    assert mfa_required_for(superuser)
    withdrawn_leader = UserFactory()
    EnrolmentFactory(
        cohort=cohort,
        person=withdrawn_leader,
        role=Enrolment.Role.CLINICAL_LEADER,
        status=Enrolment.Status.WITHDRAWN,
        withdrawn_on=timezone.localdate(),
    )
    assert not mfa_required_for(withdrawn_leader)
    settings.MFA_REQUIRED_FOR_ALL = True
    assert mfa_required_for(participant)


def test_an_administrator_cannot_get_in_with_the_password_alone(client, administrator):
    response = _password(client, administrator)
    assert response.url == CODE_PAGE
    assert _logged_in_as(client) is None
    assert client.get(reverse("cohorts:cohort_list")).status_code == 302
    page = client.get(CODE_PAGE)
    assert "Enter the 6-digit code" in page.content.decode()

    wrong = client.post(CODE_PAGE, {"code": "000000"})
    assert "That code is not right" in wrong.content.decode()
    assert _logged_in_as(client) is None

    response = client.post(CODE_PAGE, {"code": code_for(administrator)})
    assert response.status_code == 302
    assert _logged_in_as(client) == administrator.pk
    assert client.get(reverse("cohorts:cohort_list")).status_code == 200
    login = AuditEvent.objects.get(action="auth.login")
    assert login.changes["methods"] == ["password", "mfa"]
    assert AuditEvent.objects.filter(action="auth.mfa_failed", person_id=administrator.pk).exists()


def test_a_code_works_only_once(client, administrator):
    code = current_totp_code(secret_of(administrator))
    _password(client, administrator)
    client.post(CODE_PAGE, {"code": code})
    assert _logged_in_as(client) == administrator.pk

    again = Client()
    _password(again, administrator)
    response = again.post(CODE_PAGE, {"code": code})
    assert _logged_in_as(again) is None
    assert "That code is not right" in response.content.decode()


def test_a_recovery_code_gets_in_once_instead_of_the_app(client, clinical_leader):
    client.force_login(clinical_leader)
    _confirm_password(client)
    with _on_commit():
        response = client.post(reverse("mfa_generate_recovery_codes"))
    assert response.url == reverse("mfa_view_recovery_codes")
    assert AuditEvent.objects.filter(action="mfa.recovery_codes_regenerated").count() == 1
    codes = (
        Authenticator.objects.get(user=clinical_leader, type="recovery_codes")
        .wrap()
        .get_unused_codes()
    )
    assert len(codes) == 10

    first, second = Client(), Client()
    _password(first, clinical_leader)
    first.post(CODE_PAGE, {"code": codes[0]})
    assert _logged_in_as(first) == clinical_leader.pk
    _password(second, clinical_leader)
    second.post(CODE_PAGE, {"code": codes[0]})
    assert _logged_in_as(second) is None
    assert AuditEvent.objects.filter(action="mfa.recovery_code_used").count() == 1


def test_a_new_clinical_leader_is_sent_to_set_up_an_app_and_reaches_nothing_else(client, cohort):
    leader = UserFactory(email="new.leader@example.org")
    EnrolmentFactory(cohort=cohort, person=leader, role=Enrolment.Role.CLINICAL_LEADER)
    _password(client, leader)
    assert _logged_in_as(client) == leader.pk
    for url in (reverse("home:leader_home"), reverse("home"), reverse("mfa_index") + "x/"):
        response = client.get(url)
        assert response.status_code in (302, 404)
        if response.status_code == 302:
            assert response.url == SET_UP_PAGE
    assert client.post(reverse("home:leader_home")).url == SET_UP_PAGE
    assert client.get(reverse("mfa_index")).status_code == 200  # the set-up pages stay open
    _confirm_password(client)
    page = client.get(SET_UP_PAGE)
    assert "Your role needs two-factor authentication" in page.content.decode()

    bad = client.post(SET_UP_PAGE, {"code": "123456"})
    assert bad.status_code == 200 and "That code is not right" in bad.content.decode()
    _set_up_app(client)

    codes = client.get(reverse("mfa_view_recovery_codes"))
    assert len(codes.context["unused_codes"]) == 10
    assert client.get(reverse("home:leader_home")).status_code == 200
    assert AuditEvent.objects.filter(action="mfa.totp_enabled", person_id=leader.pk).exists()


def test_turning_the_app_on_ends_the_persons_other_sessions(participant):
    elsewhere, here = Client(), Client()
    _password(elsewhere, participant)
    _password(here, participant)
    _set_up_app(here)
    assert _logged_in_as(here) == participant.pk
    assert elsewhere.get(reverse("home:participant_home")).status_code == 302
    assert LoginSession.objects.filter(user=participant).count() == 1


def test_others_may_use_it_and_turn_it_off_again(client, participant):
    _password(client, participant)
    assert client.get(reverse("home:participant_home")).status_code == 200
    _set_up_app(client)
    again = Client()
    assert _password(again, participant).url == CODE_PAGE

    _confirm_password(client)
    with _on_commit():
        response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=participant).exists()
    assert AuditEvent.objects.filter(action="mfa.totp_disabled", person_id=participant.pk).exists()


def test_an_administrator_cannot_turn_it_off(client, administrator):
    _password(client, administrator)
    client.post(CODE_PAGE, {"code": code_for(administrator)})
    assert "Turn off" not in client.get(reverse("mfa_index")).content.decode()
    _confirm_password(client)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert "Your role needs two-factor authentication" in response.content.decode()
    assert Authenticator.objects.filter(user=administrator, type="totp").exists()


def test_a_setting_requires_it_of_everyone(client, participant, settings):
    settings.MFA_REQUIRED_FOR_ALL = True
    _password(client, participant)
    assert client.get(reverse("home:participant_home")).url == SET_UP_PAGE


def test_someone_made_an_administrator_is_sent_to_set_up_within_minutes(
    client, participant, programme
):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        _password(client, participant)
        assert client.get(reverse("home:participant_home")).status_code == 200
        programme.administrators.add(participant)
        clock.shift(datetime.timedelta(minutes=6))
        assert client.get(reverse("home:participant_home")).url == SET_UP_PAGE


def test_a_password_reset_does_not_skip_the_code(client, administrator):
    client.post(reverse("account_reset_password"), {"email": administrator.email})
    link = re.search(r"https?://\S+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    form_page = client.get(link.group(1), follow=True)
    new_password = "tui-sings-at-dawn-again"
    done = client.post(
        form_page.context["action_url"], {"password1": new_password, "password2": new_password}
    )
    assert done.url == reverse("account_reset_password_from_key_done")
    assert _logged_in_as(client) is None  # a reset never logs anyone in

    response = _password(client, administrator, new_password)
    assert response.url == CODE_PAGE
    assert _logged_in_as(client) is None
    client.post(CODE_PAGE, {"code": code_for(administrator)})
    assert _logged_in_as(client) == administrator.pk


def test_the_admin_sites_own_login_form_is_not_a_way_round(client, administrator):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    client.post(reverse("admin:login"), {"username": administrator.email, "password": PASSWORD})
    assert _logged_in_as(client) is None
