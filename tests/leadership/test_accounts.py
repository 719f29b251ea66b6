import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD


def _login(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_a_person_logs_in_with_their_email_in_any_case(client, administrator):
    response = _login(client, "ADMIN@Example.org")
    assert response.status_code == 302
    assert client.get(reverse("home")).url == reverse("cohorts:cohort_list")


def test_a_wrong_password_is_refused_with_a_message_and_no_session(client, participant):
    response = _login(client, participant.email, "not-the-password")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failed_logins_for_one_account_are_throttled(client, participant):
    for _ in range(5):
        _login(client, participant.email, "guessing-the-password")
    response = _login(client, participant.email, PASSWORD)
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


@pytest.mark.django_db
def test_nobody_can_sign_themselves_up(client):
    assert client.get("/accounts/signup/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "start_page"),
    [
        ("administrator", "cohorts:cohort_list"),
        ("clinical_leader", "cohorts:leader_home"),
        ("faculty", "cohorts:faculty_home"),
        ("participant", "cohorts:participant_home"),
    ],
)
def test_home_sends_each_role_to_its_start_page(client, personas, persona, start_page):
    client.force_login(personas[persona])
    response = client.get(reverse("home"))
    assert response.url == reverse(start_page)
    assert client.get(response.url).status_code == 200


def test_someone_with_no_role_is_welcomed_and_told_so(client, django_user_model):
    user = django_user_model.objects.create_user("nobody@example.org", PASSWORD, first_name="N")
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "not enrolled in any cohort" in response.content.decode()


def test_logging_out_takes_a_post(client, participant):
    client.force_login(participant)
    client.get(reverse("account_logout"))
    assert "_auth_user_id" in client.session
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_a_password_reset_sets_a_new_password_of_twelve_or_more_uncommon_characters(
    client, participant
):
    client.post(reverse("account_reset_password"), {"email": participant.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    action = form_page.context["action_url"]

    too_short = client.post(action, {"password1": "short-pw", "password2": "short-pw"})
    assert "at least 12 characters" in too_short.content.decode()
    common = client.post(action, {"password1": "password1234", "password2": "password1234"})
    assert "too common" in common.content.decode()

    strong = "kea-flies-over-ruapehu"
    done = client.post(action, {"password1": strong, "password2": strong})
    assert done.status_code == 302
    participant.refresh_from_db()
    assert participant.check_password(strong)


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_done")
    assert mail.outbox == []
