"""Pairing preferences are asked for: the office asks once, each person who has not answered
gets one e-mail and a to-do; the office sees who has answered; suggestions say when a score
rests on missing answers; new pairs start with the cohort."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from home.selectors import participant_to_do
from leadership.models import AuditEvent, Notification
from pairings import services
from pairings.models import Pairing, PairingPreference, PreferenceRequest
from tests.factories import CohortFactory

from .helpers import enrol, manager_in, pair


@pytest.fixture
def people(cohort):
    return {
        "aroha": enrol(cohort, first_name="Aroha", last_name="Ngata"),
        "tama": manager_in(cohort, first_name="Tama", last_name="Herewini"),
        "lucy": manager_in(cohort, first_name="Lucy", last_name="Brennan"),
    }


def _ask(client, cohort):
    return client.post(
        reverse("pairings:preferences_request", args=[cohort.pk]), {"kind": "partnership"}
    )


def test_asking_e_mails_each_person_who_has_not_answered_once(
    client, cohort, administrator, people
):
    PairingPreference.objects.create(cohort=cohort, person=people["lucy"], availability=["mon_am"])
    client.force_login(administrator)
    response = _ask(client, cohort)
    assert response.status_code == 302
    assert response.url.endswith("/suggestions/?kind=partnership")
    emailed = Notification.objects.filter(kind="pairing_preferences")
    assert {n.recipient for n in emailed} == {people["aroha"], people["tama"]}
    assert (
        emailed.first()
        .context["link"]
        .endswith(reverse("pairings:my_preferences", args=[cohort.pk]))
    )
    event = AuditEvent.objects.get(action="pairing_preference.request")
    assert (event.actor, event.changes["emailed"]) == (administrator, 2)

    latecomer = enrol(cohort, first_name="Wiremu", last_name="Tane")
    _ask(client, cohort)
    _ask(client, cohort)
    emailed = Notification.objects.filter(kind="pairing_preferences")
    assert emailed.count() == 3
    assert emailed.filter(recipient=latecomer).count() == 1
    request = PreferenceRequest.objects.get(cohort=cohort)
    assert request.last_asked_at >= request.asked_at


def test_the_to_do_shows_until_the_person_answers_or_is_paired(client, cohort, people):
    assert participant_to_do(people["aroha"]).preferences_asked == []
    PreferenceRequest.objects.create(cohort=cohort)
    assert participant_to_do(people["aroha"]).preferences_asked == [cohort]
    client.force_login(people["aroha"])
    page = client.get(reverse("home:participant_home")).content.decode()
    assert "Give your pairing preferences" in page
    client.post(
        reverse("pairings:my_preferences", args=[cohort.pk]),
        {"interests": ["patient_flow"], "availability": ["wed_am"]},
    )
    assert participant_to_do(people["aroha"]).preferences_asked == []
    pair(cohort, enrol(cohort, first_name="Chen"), people["tama"])
    assert participant_to_do(people["tama"]).preferences_asked == []


def test_the_office_sees_who_has_answered_and_which_scores_rest_on_missing_answers(
    client, cohort, administrator, people
):
    PairingPreference.objects.create(
        cohort=cohort, person=people["aroha"], availability=["mon_am"], interests=["digital"]
    )
    client.force_login(administrator)
    response = client.get(reverse("pairings:suggestions", args=[cohort.pk]))
    page = response.content.decode()
    assert "Preferences: 1 of 3 answered" in page
    waiting = response.context["answers"].waiting
    assert waiting == [people["lucy"], people["tama"]]
    (row,) = response.context["form"].rows
    assert row.missing and row.missing[0] in (people["lucy"], people["tama"])
    assert "Rests on missing answers:" in page
    assert "Ask everyone who has not answered" in page


def test_a_new_pair_starts_with_the_cohort_or_today_once_it_has_started(
    client, programme, administrator, people, cohort
):
    client.force_login(administrator)
    form = client.get(reverse("pairings:suggestions", args=[cohort.pk])).context["form"]
    assert form["started_on"].value() == cohort.starts_on
    started = CohortFactory(
        programme=programme, starts_on=timezone.localdate() - datetime.timedelta(days=40)
    )
    form = client.get(reverse("pairings:suggestions", args=[started.pk])).context["form"]
    assert form["started_on"].value() == timezone.localdate(timezone=started.tzinfo)


def test_a_leader_with_administrative_support_is_still_asked_for_a_partner(
    client, cohort, administrator, people
):
    support = enrol(cohort, first_name="Gareth", profession="other", role="admin_support")
    services.pairings_create(
        cohort=cohort,
        kind=Pairing.Kind.ADMIN_SUPPORT,
        pairs=[(people["aroha"], support)],
        status=Pairing.Status.ACTIVE,
        started_on=timezone.localdate(),
        acting_user=None,
    )
    PreferenceRequest.objects.create(cohort=cohort)
    # Support settles the support person's answers, not the leader's: she still needs a partner.
    assert participant_to_do(people["aroha"]).preferences_asked == [cohort]
    assert participant_to_do(support).preferences_asked == []
    client.force_login(administrator)
    response = client.get(reverse("pairings:suggestions", args=[cohort.pk]))
    assert people["aroha"] in response.context["answers"].waiting
    assert support not in response.context["answers"].people
