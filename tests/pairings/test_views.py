import datetime
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from leadership.models import AuditEvent
from pairings import services
from pairings.models import Pairing, PairingPreference, ShadowingEntry
from pairings.selectors import pairings_summary_for_cohort
from tests.pairings.helpers import enrol, manager_in, pair

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def log_shadowing(pairing, author, *, days_ago=1):
    return services.shadowing_entry_create(
        pairing=pairing,
        occurred_on=TODAY - datetime.timedelta(days=days_ago),
        direction=ShadowingEntry.Direction.CLINICIAN_SHADOWED_MANAGER,
        location="Bed meeting",
        minutes=60,
        reflection="Useful.",
        author=author,
    )


def make_pairs(cohort, n):
    pairings = []
    for i in range(n):
        clinician = enrol(cohort, last_name=f"Clinician {i:02}")
        pairing = pair(cohort, clinician, manager_in(cohort))
        for day in range(i % 3):
            log_shadowing(pairing, clinician, days_ago=day + 1)
        pairings.append(pairing)
    return pairings


def overview_url(cohort):
    return reverse("pairings:cohort_overview", kwargs={"cohort_id": cohort.pk})


def suggestions_url(cohort):
    return reverse("pairings:suggestions", kwargs={"cohort_id": cohort.pk})


# --- the cohort overview -------------------------------------------------------------------


@pytest.mark.parametrize("n_pairs", [2, 15])
def test_the_overview_runs_the_same_queries_however_many_pairs(
    client, cohort, administrator, django_assert_num_queries, n_pairs
):
    make_pairs(cohort, n_pairs)
    client.force_login(administrator)
    # 1 session, 2 user, 3 the cohort with the viewer's roles in it and everywhere (the
    # navigation's), 4 the pairings with both members and their shadowing counts.
    with django_assert_num_queries(3):
        response = client.get(overview_url(cohort))
    assert response.status_code == 200
    assert len(response.context["pairings"]) == n_pairs


def test_the_overview_shows_each_pair_its_shadowing_and_project(client, cohort, administrator):
    clinician = enrol(cohort, first_name="Rangi", last_name="Pōmare")
    pairing = pair(cohort, clinician, manager_in(cohort, first_name="Lucy", last_name="Brennan"))
    log_shadowing(pairing, clinician)
    log_shadowing(pairing, clinician, days_ago=2)
    services.pairing_project_update(
        pairing=pairing, title="Discharge by noon", aim="", status="testing", acting_user=None
    )
    client.force_login(administrator)
    page = client.get(overview_url(cohort)).content.decode()
    row = page[page.index("Rangi Pōmare") :]
    row = row[: row.index("</tr>")]
    assert "Lucy Brennan" in row and "Active" in row
    assert "<td>2</td>" in row
    assert "Discharge by noon" in row and "Testing changes" in row
    assert "Suggest pairs" in page


def test_clinical_leaders_read_the_overview_without_the_tools(client, cohort, clinical_leader):
    make_pairs(cohort, 1)
    client.force_login(clinical_leader)
    response = client.get(overview_url(cohort))
    assert response.status_code == 200
    assert b"Suggest pairs" not in response.content


def test_the_summary_for_the_cohort_page_takes_one_query(cohort, django_assert_num_queries):
    pairings = make_pairs(cohort, 4)  # 0 + 1 + 2 + 0 shadowing sessions
    services.pairing_end(pairing=pairings[0], ended_on=TODAY, reason="Left", acting_user=None)
    # The pairs with their people, shadowing count and latest shadowing (counted in Python).
    with django_assert_num_queries(1):
        summary = pairings_summary_for_cohort(cohort)
    assert (summary.active, summary.ended, summary.proposed) == (3, 1, 0)
    assert summary.shadowing_sessions == 3
    assert summary.total == 4
    assert summary.needing_help == []  # every active pair started 30 days ago


def test_an_active_pair_with_no_shadowing_for_six_weeks_needs_help(cohort):
    quiet = make_pairs(cohort, 1)[0]
    Pairing.objects.filter(pk=quiet.pk).update(started_on=TODAY - datetime.timedelta(weeks=9))
    started = TODAY - datetime.timedelta(weeks=9)
    busy = pair(cohort, enrol(cohort, last_name="Busy"), manager_in(cohort), started_on=started)
    log_shadowing(busy, busy.clinician, days_ago=60)
    log_shadowing(busy, busy.clinician, days_ago=3)
    summary = pairings_summary_for_cohort(cohort)
    assert [(p.pk, reasons) for p, reasons in summary.needing_help] == [
        (quiet.pk, ["no shadowing logged in the 9 weeks since the pair started"])
    ]
    html = render_to_string(
        "pairings/_pairings_summary.html",
        {"cohort": cohort, "section": {"pairings_summary": summary}},
    )
    assert "Needing help" in html and "9 weeks since the pair started" in html


def test_the_summary_partial_shows_the_counts_and_links_to_the_overview(cohort):
    make_pairs(cohort, 3)
    html = render_to_string(
        "pairings/_pairings_summary.html",
        {"cohort": cohort, "section": {"pairings_summary": pairings_summary_for_cohort(cohort)}},
    )
    assert re.search(r"Active pairs</dt>\s*<dd[^>]*>3</dd>", html)
    assert re.search(r"Shadowing sessions logged</dt>\s*<dd[^>]*>3</dd>", html)
    assert overview_url(cohort) in html


# --- suggestions ---------------------------------------------------------------------------


@pytest.fixture
def waiting(cohort):
    """Two clinicians and two managers whose preferences point to one obvious pairing each,
    and one manager too many."""
    people = {
        "aroha": enrol(cohort, first_name="Aroha", last_name="Ngata", department="Medicine"),
        "chen": enrol(cohort, first_name="Chen", last_name="Wei", department="Anaesthesia"),
        "tama": manager_in(cohort, first_name="Tama", last_name="Herewini"),
        "lucy": manager_in(cohort, first_name="Lucy", last_name="Brennan"),
        "ben": manager_in(cohort, first_name="Ben", last_name="Carter"),
    }
    for key, interests in [
        ("aroha", ["patient_flow"]),
        ("tama", ["patient_flow"]),
        ("chen", ["theatres"]),
        ("lucy", ["theatres"]),
    ]:
        PairingPreference.objects.create(cohort=cohort, person=people[key], interests=interests)
    return people


def accept(people, *pairs, unticked=()):
    data = {"status": "active", "started_on": TODAY.isoformat()}
    for clinician, manager in pairs:
        if clinician not in unticked:
            data[f"accept_{people[clinician].pk}"] = "on"
        data[f"manager_{people[clinician].pk}"] = str(people[manager].pk) if manager else ""
    return data


def test_the_suggestions_show_each_pair_with_its_reasons_and_who_is_left(
    client, cohort, administrator, waiting
):
    client.force_login(administrator)
    response = client.get(suggestions_url(cohort))
    suggested = response.context["suggested"]
    assert {(p.clinician_id, p.manager_id) for p in suggested.result.pairs} == {
        (waiting["aroha"].pk, waiting["tama"].pk),
        (waiting["chen"].pk, waiting["lucy"].pk),
    }
    page = response.content.decode()
    assert "Shared interests: Patient flow and discharge" in page
    assert "Ben Carter" in page and "More managers than clinicians." in page


def test_accepting_some_suggestions_saves_only_those_and_audits_them(
    client, cohort, administrator, waiting
):
    client.force_login(administrator)
    data = accept(waiting, ("aroha", "tama"), ("chen", "lucy"), unticked=("chen",))
    response = client.post(suggestions_url(cohort), data)
    assert response.status_code == 302
    (pairing,) = Pairing.objects.all()
    assert (pairing.clinician, pairing.manager, pairing.status, pairing.started_on) == (
        waiting["aroha"],
        waiting["tama"],
        "active",
        TODAY,
    )
    assert AuditEvent.objects.filter(action="pairing.create", actor=administrator).count() == 1
    # Aroha and Tama are no longer offered; Chen still is.
    suggested = client.get(suggestions_url(cohort)).context["suggested"]
    assert waiting["aroha"] not in suggested.clinicians
    assert waiting["chen"] in suggested.clinicians


def test_the_administrator_can_choose_another_partner(client, cohort, administrator, waiting):
    client.force_login(administrator)
    client.post(suggestions_url(cohort), accept(waiting, ("aroha", "ben"), ("chen", "lucy")))
    assert {(p.clinician_id, p.manager_id) for p in Pairing.objects.all()} == {
        (waiting["aroha"].pk, waiting["ben"].pk),
        (waiting["chen"].pk, waiting["lucy"].pk),
    }


def test_one_partner_chosen_twice_is_shown_on_the_row_and_nothing_is_saved(
    client, cohort, administrator, waiting
):
    client.force_login(administrator)
    response = client.post(
        suggestions_url(cohort), accept(waiting, ("aroha", "tama"), ("chen", "tama"))
    )
    assert response.status_code == 200
    field = f"manager_{waiting['chen'].pk}"
    assert response.context["form"].errors[field] == [
        "Tama Herewini is already chosen for Aroha Ngata."
    ]
    assert "is already chosen for Aroha Ngata" in response.content.decode()
    assert not Pairing.objects.exists()


def test_a_line_manager_chosen_by_hand_is_refused(client, cohort, administrator, waiting):
    PairingPreference.objects.filter(person=waiting["aroha"]).update(line_manager=waiting["ben"])
    client.force_login(administrator)
    suggested = client.get(suggestions_url(cohort)).context["suggested"]
    assert (waiting["aroha"], waiting["ben"], "Ben Carter line-manages Aroha Ngata") in (
        suggested.exclusions
    )
    response = client.post(suggestions_url(cohort), accept(waiting, ("aroha", "ben")))
    assert response.context["form"].errors[f"manager_{waiting['aroha'].pk}"] == [
        "Ben Carter line-manages Aroha Ngata: they cannot be paired."
    ]
    assert not Pairing.objects.exists()


def test_an_accepted_row_needs_a_partner_and_active_pairs_a_start_date(
    client, cohort, administrator, waiting
):
    client.force_login(administrator)
    data = accept(waiting, ("aroha", None))
    data["started_on"] = ""
    response = client.post(suggestions_url(cohort), data)
    errors = response.context["form"].errors
    assert errors[f"manager_{waiting['aroha'].pk}"] == [
        "Choose a partner for Aroha Ngata, or untick accept."
    ]
    assert errors["started_on"] == ["Active pairs need a start date."]
    assert not Pairing.objects.exists()


def test_proposed_pairs_need_no_start_date(client, cohort, administrator, waiting):
    client.force_login(administrator)
    data = {**accept(waiting, ("aroha", "tama")), "status": "proposed", "started_on": ""}
    assert client.post(suggestions_url(cohort), data).status_code == 302
    assert Pairing.objects.get().status == "proposed"


def test_a_partner_who_is_not_waiting_is_not_a_valid_choice(client, cohort, administrator, waiting):
    stranger = manager_in(cohort)
    pair(cohort, enrol(cohort), stranger)
    client.force_login(administrator)
    data = accept(waiting, ("aroha", "tama"))
    data[f"manager_{waiting['aroha'].pk}"] = str(stranger.pk)
    response = client.post(suggestions_url(cohort), data)
    assert "Select a valid choice" in str(response.context["form"].errors)
    assert Pairing.objects.count() == 1


def test_an_unknown_kind_of_pairing_is_not_found(client, cohort, administrator):
    client.force_login(administrator)
    assert client.get(suggestions_url(cohort) + "?kind=nonsense").status_code == 404


# --- the pairing page ----------------------------------------------------------------------


@pytest.fixture
def pairing(cohort, participant):
    return pair(cohort, participant, manager_in(cohort, first_name="Tama", last_name="Herewini"))


def detail_url(pairing):
    return reverse("pairings:pairing_detail", kwargs={"pairing_id": pairing.pk})


def shadowing_url(pairing):
    return reverse("pairings:shadowing_create", kwargs={"pairing_id": pairing.pk})


def entry_data(**overrides):
    return {
        "occurred_on": TODAY.isoformat(),
        "direction": "manager_shadowed_clinician",
        "location": "Acute medical unit",
        "minutes": "120",
        "reflection": "Saw the post-take ward round.",
        **overrides,
    }


@pytest.mark.parametrize("n_entries", [1, 12])
def test_the_pairing_page_runs_the_same_queries_however_long_the_log(
    client, pairing, django_assert_num_queries, n_entries
):
    for day in range(n_entries):
        log_shadowing(pairing, pairing.clinician, days_ago=day + 1)
    client.force_login(pairing.clinician)
    # 1 session, 2 user, 3 the pairing with its cohort, programme and members, 4 the viewer's
    # roles in the cohort, 5 the log with its authors, 6 the navigation's roles.
    with django_assert_num_queries(5):
        response = client.get(detail_url(pairing))
    assert response.content.decode().count("Useful.") == n_entries


def test_the_manager_of_the_pair_adds_a_shadowing_entry(client, pairing):
    client.force_login(pairing.manager)
    response = client.post(shadowing_url(pairing), entry_data(), follow=True)
    entry = ShadowingEntry.objects.get()
    assert (entry.author, entry.minutes, entry.direction) == (
        pairing.manager,
        120,
        "manager_shadowed_clinician",
    )
    page = response.content.decode()
    assert "Tama Herewini shadowed Aroha" in page
    assert "Saw the post-take ward round." in page


def test_bad_shadowing_input_is_shown_next_to_the_field_and_not_saved(client, pairing):
    client.force_login(pairing.clinician)
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    response = client.post(shadowing_url(pairing), entry_data(occurred_on=tomorrow, minutes="0"))
    assert response.status_code == 400
    form = response.context["entry_form"]
    assert form.errors["minutes"] == ["Ensure this value is greater than or equal to 1."]
    assert not ShadowingEntry.objects.exists()
    response = client.post(shadowing_url(pairing), entry_data(occurred_on=tomorrow))
    assert response.context["entry_form"].errors["occurred_on"] == [
        "Log a session after it has happened."
    ]


def test_a_participant_outside_the_pair_gets_404(client, cohort, pairing):
    client.force_login(enrol(cohort))
    assert client.get(detail_url(pairing)).status_code == 404
    assert client.post(shadowing_url(pairing), entry_data()).status_code == 404
    assert not ShadowingEntry.objects.exists()


def test_the_clinical_leader_reads_the_pairing_without_forms(client, pairing, clinical_leader):
    client.force_login(clinical_leader)
    page = client.get(detail_url(pairing)).content.decode()
    assert "Shadowing log" in page
    assert "Log a shadowing session" not in page and "Edit the project" not in page


def test_the_pair_sets_its_project(client, pairing):
    client.force_login(pairing.clinician)
    url = reverse("pairings:project_update", kwargs={"pairing_id": pairing.pk})
    data = {
        "project_title": "Discharge letters in 24 h",
        "project_aim": "90% by March",
        "project_status": "planning",
    }
    assert client.post(url, data).status_code == 302
    pairing.refresh_from_db()
    assert (pairing.project_title, pairing.project_status) == (
        "Discharge letters in 24 h",
        "planning",
    )
    response = client.post(url, {**data, "project_status": "nonsense"})
    assert response.status_code == 400
    assert "project_status" in response.context["project_form"].errors


def test_an_administrator_ends_a_pairing(client, pairing, administrator):
    client.force_login(administrator)
    url = reverse("pairings:pairing_end", kwargs={"pairing_id": pairing.pk})
    client.post(url, {"ended_on": TODAY.isoformat(), "end_reason": "Rotation moved"})
    pairing.refresh_from_db()
    assert (pairing.status, pairing.end_reason) == ("ended", "Rotation moved")


def test_ending_without_a_reason_or_before_the_start_shows_why(client, pairing, administrator):
    client.force_login(administrator)
    url = reverse("pairings:pairing_end", kwargs={"pairing_id": pairing.pk})
    response = client.post(url, {"ended_on": TODAY.isoformat(), "end_reason": ""})
    assert response.status_code == 400
    assert response.context["end_form"].errors["end_reason"] == ["This field is required."]
    too_early = (pairing.started_on - datetime.timedelta(days=1)).isoformat()
    response = client.post(url, {"ended_on": too_early, "end_reason": "Left"})
    assert "end it after" in response.context["end_form"].errors["ended_on"][0]
    pairing.refresh_from_db()
    assert pairing.status == "active"


def test_an_administrator_makes_a_proposed_pairing_active(client, cohort, administrator):
    pairing = pair(cohort, enrol(cohort), manager_in(cohort), status=Pairing.Status.PROPOSED)
    client.force_login(administrator)
    url = reverse("pairings:pairing_activate", kwargs={"pairing_id": pairing.pk})
    assert client.post(url, {"started_on": TODAY.isoformat()}).status_code == 302
    pairing.refresh_from_db()
    assert (pairing.status, pairing.started_on) == ("active", TODAY)
    response = client.post(url, {"started_on": TODAY.isoformat()})
    assert response.context["activate_form"].non_field_errors() == [
        "Only a proposed pairing can be made active."
    ]


# --- preferences ---------------------------------------------------------------------------


def test_a_participant_states_their_preferences(client, cohort, participant):
    boss = manager_in(cohort, department="Medical Services")
    client.force_login(participant)
    url = reverse("pairings:my_preferences", kwargs={"cohort_id": cohort.pk})
    form = client.get(url).context["form"]
    assert "Medical Services" in dict(form.fields["preferred_departments"].choices)
    assert participant not in form.fields["line_manager"].queryset
    data = {
        "interests": ["patient_flow", "digital"],
        "preferred_departments": ["Medical Services"],
        "availability": ["mon_am", "thu_pm"],
        "line_manager": str(boss.pk),
    }
    assert client.post(url, data).status_code == 302
    preference = PairingPreference.objects.get(person=participant)
    assert preference.interests == ["digital", "patient_flow"]
    assert preference.line_manager == boss


def test_a_line_manager_outside_the_cohort_is_refused(
    client, cohort, participant, other_participant
):
    client.force_login(participant)
    url = reverse("pairings:my_preferences", kwargs={"cohort_id": cohort.pk})
    response = client.post(url, {"line_manager": str(other_participant.pk), "interests": ["x"]})
    errors = response.context["form"].errors
    assert "line_manager" in errors and "interests" in errors
    assert not PairingPreference.objects.exists()


def test_my_pairings_lists_the_participants_pairing(client, pairing):
    client.force_login(pairing.clinician)
    response = client.get(reverse("pairings:my_pairings"))
    assert list(response.context["pairings"]) == [pairing]
