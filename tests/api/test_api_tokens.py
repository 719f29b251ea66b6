"""API tokens: created by a programme's administrator and shown once, stored hashed, scoped,
expiring, revocable, rate limited, and every use audited."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from api import services
from api.models import ApiToken
from api.services import hash_token
from leadership.models import AuditEvent
from tests.api.helpers import bearer, make_token
from tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db
SOON = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()


def test_an_administrator_reaches_the_tokens_from_the_programme_page_and_sees_a_new_one_once(
    client, administrator, programme
):
    client.force_login(administrator)
    page = client.get(reverse("cohorts:programme_detail", args=[programme.pk])).content.decode()
    tokens_url = reverse("api:token_list", args=[programme.pk])
    assert f'href="{tokens_url}"' in page
    assert (
        reverse("api:token_create", args=[programme.pk]) in client.get(tokens_url).content.decode()
    )

    response = client.post(
        reverse("api:token_create", args=[programme.pk]),
        {"name": "Ward <script>alert(1)</script>", "scope": "read", "expires_on": SOON},
    )

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    raw = re.search(r'value="(lwt_[^"]+)"', html).group(1)
    token = ApiToken.objects.get()
    assert token.key_hash == hash_token(raw)
    assert raw not in str(list(ApiToken.objects.values()))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    listing = client.get(tokens_url).content.decode()
    assert raw not in listing
    assert f"lwt_{token.prefix}" in listing
    assert "<script>alert(1)</script>" not in listing
    assert AuditEvent.objects.filter(action="api_token.create", actor=administrator).exists()


def test_a_token_expiry_is_at_most_a_year_away(client, administrator, programme):
    client.force_login(administrator)
    far = (datetime.date.today() + datetime.timedelta(days=400)).isoformat()
    response = client.post(
        reverse("api:token_create", args=[programme.pk]),
        {"name": "BI", "scope": "read", "expires_on": far},
    )
    assert response.status_code == 200
    assert "at most a year" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_token_reads_and_each_use_is_audited(client, administrator, programme, cohort):
    token, raw = make_token(administrator, programme)

    response = client.get(reverse("api:cohort_list"), **bearer(raw))

    assert response.status_code == 200
    assert [c["id"] for c in response.json()["items"]] == [cohort.pk]
    use = AuditEvent.objects.get(action="api_token.use")
    assert use.actor == administrator
    assert use.changes == {"token": token.prefix, "method": "GET", "path": "/api/cohorts/"}
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_is_refused(client, administrator, programme):
    token, raw = make_token(administrator, programme)
    client.force_login(administrator)
    client.post(reverse("api:token_revoke", args=[token.pk]))
    client.logout()

    response = client.get(reverse("api:programme_list"), **bearer(raw))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert response["WWW-Authenticate"] == "Bearer"
    assert AuditEvent.objects.filter(action="api_token.revoke", actor=administrator).exists()
    assert not AuditEvent.objects.filter(action="api_token.use").exists()


def test_an_expired_token_is_refused(client, administrator, programme):
    _, raw = make_token(administrator, programme)
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=31)):
        response = client.get(reverse("api:programme_list"), **bearer(raw))
    assert response.status_code == 401


def test_a_token_stops_working_when_its_creator_no_longer_administers_the_programme(
    client, administrator, programme
):
    _, raw = make_token(administrator, programme)
    programme.administrators.remove(administrator)
    assert client.get(reverse("api:programme_list"), **bearer(raw)).status_code == 401


def test_a_wrong_token_is_refused(client, administrator, programme):
    make_token(administrator, programme)
    response = client.get(reverse("api:programme_list"), **bearer("lwt_00000000_guess"))
    assert response.status_code == 401


def test_a_cohort_token_sees_only_its_cohort(
    client, administrator, programme, cohort, other_cohort
):
    _, raw = make_token(administrator, programme, cohort=cohort)

    listed = client.get(reverse("api:cohort_list"), **bearer(raw)).json()["items"]
    mine = client.get(reverse("api:enrolment_list", args=[cohort.pk]), **bearer(raw))
    other = client.get(reverse("api:enrolment_list", args=[other_cohort.pk]), **bearer(raw))

    assert [c["id"] for c in listed] == [cohort.pk]
    assert mine.status_code == 200
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "not_found"


def test_a_token_of_another_programme_sees_nothing_of_this_one(
    client, administrator, programme, cohort
):
    elsewhere = ProgrammeFactory(name="Elsewhere", slug="elsewhere")
    elsewhere.administrators.add(administrator)
    _, raw = make_token(administrator, elsewhere)

    assert client.get(reverse("api:cohort_list"), **bearer(raw)).json()["items"] == []
    assert client.get(reverse("api:team_list", args=[cohort.pk]), **bearer(raw)).status_code == 404


@pytest.mark.parametrize(
    ("contact_details", "shown"), [(False, None), (True, "faculty@example.org")]
)
def test_enrolments_carry_e_mail_addresses_only_when_the_token_allows(
    client, administrator, programme, cohort, faculty, contact_details, shown
):
    _, raw = make_token(administrator, programme, contact_details=contact_details)

    items = client.get(reverse("api:enrolment_list", args=[cohort.pk]), **bearer(raw)).json()[
        "items"
    ]

    assert {item["email"] for item in items} == {shown}


def test_a_participant_never_gets_e_mail_addresses(client, cohort, participant, faculty):
    client.force_login(participant)
    items = client.get(reverse("api:enrolment_list", args=[cohort.pk])).json()["items"]
    assert {item["email"] for item in items} == {None}
    assert {item["role"] for item in items} == {"participant", "faculty"}


def test_a_token_over_its_rate_limit_gets_429(client, settings, administrator, programme):
    settings.API_REQUESTS_PER_MINUTE = 3
    _, raw = make_token(administrator, programme)
    answers = [client.get(reverse("api:programme_list"), **bearer(raw)) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].json()["error"]["code"] == "rate_limited"
    assert 0 < int(answers[-1]["Retry-After"]) <= 60
    assert AuditEvent.objects.filter(action="api_token.use").count() == 3


def test_only_the_programme_administrator_revokes(client, administrator, programme, faculty):
    token, _ = make_token(administrator, programme)
    client.force_login(faculty)
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


COHORT_ENDPOINTS = [
    "api:enrolment_list", "api:team_list", "api:measure_list", "api:pdsa_list",
    "api:session_list", "api:attendance_list", "api:assignment_list", "api:pair_list",
]  # fmt: skip


@pytest.mark.parametrize("name", COHORT_ENDPOINTS)
def test_a_cohort_token_reads_each_endpoint_of_its_cohort_and_none_of_another(
    client, administrator, programme, cohort, other_cohort, name
):
    _, raw = make_token(administrator, programme, cohort=cohort)
    mine = client.get(reverse(name, args=[cohort.pk]), **bearer(raw))
    other = client.get(reverse(name, args=[other_cohort.pk]), **bearer(raw))
    assert mine.status_code == 200
    assert (other.status_code, other.json()["error"]["code"]) == (404, "not_found")


@pytest.mark.parametrize("name", COHORT_ENDPOINTS)
def test_a_revoked_token_reads_no_endpoint(client, administrator, programme, cohort, name):
    token, raw = make_token(administrator, programme)
    services.api_token_revoke(token=token, acting_user=administrator)
    assert client.get(reverse(name, args=[cohort.pk]), **bearer(raw)).status_code == 401
