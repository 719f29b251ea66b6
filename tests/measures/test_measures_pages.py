"""The measure pages: the team page's charts (flat query count), defining measures, adding,
importing and correcting data, rebasing, PDSA cycles, and who may do what."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leadership.models import AuditEvent
from measures import services as measure_services
from measures.models import ChartRuleSet, DataPoint, Measure, PdsaCycle, Rebase
from tests.pairings.helpers import manager_in, pair
from tests.redesign_projects.helpers import make_team, participant_in

from .helpers import add_measure

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def team(cohort, participant):
    return make_team(cohort, lead=participant)


@pytest.fixture
def measure(team):
    return add_measure(team, points=[8, 9, 8, 10, 9, 8, 9, 10, 9, 8, 5, 5.5, 5, 4.5, 5, 5.5])


def _url(name, *args):
    return reverse(f"measures:{name}", args=args)


def _team_page(team):
    return reverse("redesign_projects:team_detail", args=[team.pk])


# --- the team page -------------------------------------------------------------------------


def _team_page_queries(client, team, django_assert_num_queries, expected):
    with django_assert_num_queries(expected):
        response = client.get(_team_page(team))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(("measures", "points"), [(1, 3), (3, 36)])
def test_the_team_page_shows_every_chart_in_a_flat_number_of_queries(
    client, team, participant, django_assert_num_queries, measures, points
):
    for index in range(measures):
        measure = add_measure(
            team, name=f"Measure {index}", points=[4 + i % 5 for i in range(points)]
        )
        measure_services.pdsa_cycle_create(
            team=team, measure=measure, change_idea="Board round", started_on=D(2024, 2, 1),
            acting_user=None,
        )  # fmt: skip
    client.force_login(participant)
    # 1 session, 2 user, 3 team with cohort, programme and people, 4 the viewer's roles,
    # 5 their current team, 6 memberships with people, 7 team assignments, 8 extensions,
    # 9-10 submissions; the measures (4, whatever their number): 11 measures with team,
    # cohort, programme and rule set, 12 data points, 13 rebases, 14 PDSA cycles;
    # 15 the navigation's user.
    page = _team_page_queries(client, team, django_assert_num_queries, 14)
    assert page.count('class="measure-chart"') == measures
    # Compact charts: no data table, a link to each measure's page for the full chart.
    assert "<caption>Measure" not in page
    assert page.count("Full chart and data") == measures
    assert "PDSA: Board round" in page
    assert "Add a measure" in page


def test_the_team_page_draws_the_latest_52_points_of_a_long_series_analysed_whole(
    client, team, participant
):
    import re

    from measures.charts import escape_text
    from measures.selectors import TEAM_PAGE_POINTS, _measures_with_rows, chart_for

    # Steady, then lower (better) for the last 60 weeks: the shift began before the window.
    add_measure(team, name="Weekly LOS", points=[8 + i % 3 for i in range(200)] + [5] * 60)
    add_measure(team, name="Short", points=[4 + i % 5 for i in range(40)])
    client.force_login(participant)
    page = client.get(_team_page(team)).content.decode()
    polylines = re.findall(r'<polyline points="([^"]*)"', page)
    assert [len(points.split()) for points in polylines] == [TEAM_PAGE_POINTS, 40]
    assert page.count("The chart draws the latest 52 of 260 points") == 1
    assert page.count("Full chart and data") == 2

    # What the page says in words is the whole series's, as the measure's own page says it.
    measure = _measures_with_rows().get(name="Weekly LOS")
    whole, small = chart_for(measure, compact=True), chart_for(measure, window=52, compact=True)
    assert (small.summary, small.headline, small.signal_labels, small.variation_label) == (
        whole.summary, whole.headline, whole.signal_labels, whole.variation_label
    )  # fmt: skip
    assert small.summary in page and "shift" in small.summary.lower()
    # The drawing's description for screen readers, too (not the window's alone).
    assert f'-desc">{escape_text(whole.summary)}</desc>' in small.svg
    assert (small.drawn_count, whole.drawn_count) == (52, 260)


def test_user_text_on_the_team_page_is_escaped_and_only_the_chart_is_markup(
    client, team, participant
):
    add_measure(team, name="<b>LOS</b>", points=[1, 2, 3, 4])
    client.force_login(participant)
    page = client.get(_team_page(team)).content.decode()
    assert "<b>LOS</b>" not in page and "&lt;b&gt;LOS&lt;/b&gt;" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page


def test_readers_see_charts_without_the_writers_links(client, team, measure, faculty):
    client.force_login(faculty)
    page = client.get(_team_page(team)).content.decode()
    assert 'class="measure-chart"' in page and "Add a measure" not in page
    detail = client.get(_url("measure_detail", measure.pk)).content.decode()
    assert "Add a data point" not in detail and "XmR chart of 16 points" in detail


# --- the measure page: the whole chart, the latest points, every point a click away ----------


def test_the_measure_page_charts_every_point_and_tabulates_the_latest_24(
    client, team, participant, django_assert_num_queries
):
    long = add_measure(team, name="Weekly LOS", points=[5 + (i % 7) / 2 for i in range(260)])
    client.force_login(participant)
    page = client.get(_url("measure_detail", long.pk)).content.decode()
    assert "XmR chart of 260 points" in page or "260 points" in page
    assert "The latest 24 of 260 points." in page
    assert "(the latest 24 of 260 points)" in page
    assert page.count("/projects/points/") == 24  # the edit links: the latest 24 only
    assert _url("measure_data", long.pk) in page and _url("measure_data_csv", long.pk) in page

    # the session with its person, the measure (with its team, cohort and programme), the team with
    # its cohort and people, the viewer's roles, their current team, the count, the rows, the
    # navigation's user
    with django_assert_num_queries(8):
        first = client.get(_url("measure_data", long.pk))
    assert first.context["page"].paginator.num_pages == 3
    with django_assert_num_queries(8):
        last = client.get(_url("measure_data", long.pk), {"page": 3})
    assert len(last.context["page"].object_list) == 60


def test_the_csv_has_every_point_with_text_defused_for_spreadsheets(client, team, participant):
    measure = add_measure(team, points=[3, 4, 5])
    point = measure.datapoints.order_by("period").first()
    measure_services.datapoint_update(
        point=point, period=point.period, value=point.value, annotation="=HYPERLINK(1)",
        acting_user=None,
    )  # fmt: skip
    client.force_login(participant)
    response = client.get(_url("measure_data_csv", measure.pk))
    assert response["Content-Disposition"].startswith("attachment;")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "period,value,annotation,astronomical,recorded_at"
    assert len(lines) == 4
    assert lines[1].split(",")[2] == "'=HYPERLINK(1)"


# --- peers ---------------------------------------------------------------------------------


def test_peers_read_other_teams_measures_only_with_peer_review_on(client, cohort, team, measure):
    peer = participant_in(cohort, profession="nurse")
    make_team(cohort, lead=peer, name="Other team")
    client.force_login(peer)
    assert client.get(_url("measure_detail", measure.pk)).status_code == 404
    cohort.peer_review_enabled = True
    cohort.save()
    assert client.get(_url("measure_detail", measure.pk)).status_code == 200
    assert client.get(_url("datapoint_create", measure.pk)).status_code == 403
    assert (
        client.post(
            _url("datapoint_create", measure.pk), {"period": "2030-01-01", "value": "1"}
        ).status_code
        == 403
    )


# --- defining a measure --------------------------------------------------------------------


def test_a_member_defines_a_measure(client, team, participant):
    client.force_login(participant)
    response = client.post(
        _url("measure_create", team.pk),
        {"name": "Discharges before noon", "kind": "process", "unit": "%", "better": "up",
         "frequency": "weekly", "target": "40", "operational_definition": "Discharged < 12:00",
         "baseline_starts_on": "1/1/2025", "baseline_ends_on": "2025-03-31"},
    )  # fmt: skip
    measure = Measure.objects.get()
    assert response["Location"] == _url("measure_detail", measure.pk)
    assert (measure.team, measure.created_by, measure.target) == (team, participant, Decimal(40))
    assert measure.baseline_starts_on == D(2025, 1, 1)


def test_bad_measure_input_is_shown_next_to_its_field(client, team, measure, participant):
    client.force_login(participant)
    response = client.post(
        _url("measure_create", team.pk),
        {"name": "Length of stay", "kind": "outcome", "unit": "", "better": "down",
         "frequency": "monthly", "baseline_starts_on": "2025-01-01"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    response = client.post(
        _url("measure_create", team.pk),
        {"name": "Length of stay", "kind": "outcome", "unit": "days", "better": "down",
         "frequency": "monthly", "baseline_starts_on": "2025-01-01"},
    )  # fmt: skip
    errors = response.context["form"].errors
    assert errors["name"] == ["This team already has a measure with this name."]
    assert "Give both ends" in errors["baseline_ends_on"][0]
    assert Measure.objects.count() == 1


# --- data points ---------------------------------------------------------------------------


def test_adding_a_point_for_a_recorded_period_says_so_next_to_the_date(
    client, measure, participant
):
    client.force_login(participant)
    response = client.post(
        _url("datapoint_create", measure.pk), {"period": "1/1/2024", "value": "3"}
    )
    assert "already a value for 2024-01-01" in response.context["form"].errors["period"][0]
    response = client.post(_url("datapoint_create", measure.pk), {"period": "soon", "value": "x"})
    assert set(response.context["form"].errors) == {"period", "value"}
    response = client.post(
        _url("datapoint_create", measure.pk),
        {"period": "1/6/2025", "value": "4.25", "annotation": "Checklist", "astronomical": "on"},
    )
    assert response.status_code == 302
    point = measure.datapoints.get(period=D(2025, 6, 1))
    assert (point.value, point.astronomical, point.recorded_by) == (
        Decimal("4.25"),
        True,
        participant,
    )


def test_correcting_a_point_is_audited(client, measure, administrator):
    point = measure.datapoints.first()
    client.force_login(administrator)
    response = client.post(
        _url("datapoint_update", point.pk), {"period": "2024-01-01", "value": "7.5"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="datapoint.update")
    assert event.actor == administrator and event.changes["value"] == {"from": "8", "to": "7.5"}


# --- CSV import ----------------------------------------------------------------------------


def test_an_import_previews_then_saves_all_rows(client, measure, participant):
    client.force_login(participant)
    text = "period,value,annotation\n2025-06-01,4,New rota\n1/7/2025,4.5,\n"
    response = client.post(_url("datapoint_import", measure.pk), {"text": text, "preview": "1"})
    page = response.content.decode()
    assert "2 rows ready" in page and "Save all 2 data points" in page
    assert measure.datapoints.count() == 16
    response = client.post(_url("datapoint_import", measure.pk), {"text": text, "confirm": "1"})
    assert response.status_code == 302
    assert measure.datapoints.count() == 18
    assert measure.datapoints.get(period=D(2025, 6, 1)).annotation == "New rota"


def test_an_import_with_bad_rows_saves_nothing_and_marks_each_row(client, measure, participant):
    client.force_login(participant)
    text = "period,value\n2025-06-01,4\n2024-01-01,5\n2025-06-01,6\n31/2/2025,1\n"
    for step in ("preview", "confirm"):
        response = client.post(_url("datapoint_import", measure.pk), {"text": text, step: "1"})
        assert response.status_code == 200
        page = response.content.decode()
        assert "already a value for 2024-01-01" in page
        assert "also on line 2" in page and "is not a date" in page
        assert "Save all" not in page
    assert measure.datapoints.count() == 16


def test_an_uploaded_file_is_read_and_non_utf8_is_refused(client, measure, participant):
    client.force_login(participant)
    upload = SimpleUploadedFile("points.csv", b"\xef\xbb\xbfdate,value\n2025-06-01,4\n")
    response = client.post(_url("datapoint_import", measure.pk), {"upload": upload, "preview": "1"})
    assert "1 row ready" in response.content.decode()
    upload = SimpleUploadedFile("points.csv", "date,value\n2025-06-01,4 \xe9\n".encode("latin-1"))
    response = client.post(_url("datapoint_import", measure.pk), {"upload": upload, "preview": "1"})
    assert "not UTF-8" in response.context["form"].errors["upload"][0]
    response = client.post(_url("datapoint_import", measure.pk), {"text": " ", "preview": "1"})
    assert "Paste some CSV" in response.context["form"].errors["text"][0]


# --- rebases and PDSA ----------------------------------------------------------------------


def test_a_rebase_needs_a_reason_and_then_shows_on_the_chart(client, measure, participant):
    client.force_login(participant)
    response = client.post(
        _url("rebase_create", measure.pk), {"starts_on": "2024-11-01", "reason": ""}
    )
    assert "reason" in response.context["form"].errors
    response = client.post(
        _url("rebase_create", measure.pk), {"starts_on": "2030-01-01", "reason": "x"}
    )
    assert "there are 0" in response.context["form"].errors["starts_on"][0]
    response = client.post(
        _url("rebase_create", measure.pk),
        {"starts_on": "2024-11-01", "reason": "Nurse-led discharge"},
    )
    assert response.status_code == 302 and Rebase.objects.get().created_by == participant
    page = client.get(_url("measure_detail", measure.pk)).content.decode()
    assert "Limits recalculated: Nurse-led discharge" in page


def test_a_pdsa_cycle_is_logged_and_marked_on_its_measure(client, team, measure, participant):
    client.force_login(participant)
    response = client.post(
        _url("pdsa_create", team.pk),
        {"change_idea": "Criteria-led discharge", "measure": measure.pk, "plan": "Ward 5",
         "prediction": "LOS down a day", "started_on": "1/6/2024"},
    )  # fmt: skip
    assert response["Location"] == _url("pdsa_list", team.pk)
    cycle = PdsaCycle.objects.get()
    response = client.post(
        _url("pdsa_update", cycle.pk),
        {"change_idea": "Criteria-led discharge", "measure": measure.pk, "started_on": "2024-06-01",
         "ended_on": "2024-05-01"},
    )  # fmt: skip
    assert "ended_on" in response.context["form"].errors
    log = client.get(_url("pdsa_list", team.pk)).content.decode()
    assert "LOS down a day" in log
    assert (
        "PDSA: Criteria-led discharge"
        in client.get(_url("measure_detail", measure.pk)).content.decode()
    )


# --- pairings ------------------------------------------------------------------------------


def test_a_pair_defines_measures_for_their_qi_project(client, cohort, participant):
    pairing = pair(cohort, participant, manager_in(cohort, email="m@example.org"))
    client.force_login(participant)
    response = client.post(
        _url("pairing_measure_create", pairing.pk),
        {"name": "Clinic DNAs", "kind": "outcome", "unit": "%", "better": "down",
         "frequency": "monthly"},
    )  # fmt: skip
    measure = Measure.objects.get()
    assert measure.pairing == pairing and measure.team is None
    measure_services.datapoint_create(
        measure=measure, period=D(2025, 1, 1), value=Decimal(9), acting_user=None
    )
    measure_services.datapoint_create(
        measure=measure, period=D(2025, 2, 1), value=Decimal(7), acting_user=None
    )
    page = client.get(_url("pairing_measures", pairing.pk)).content.decode()
    assert "Clinic DNAs" in page and 'class="measure-chart"' in page
    assert client.get(response["Location"]).status_code == 200
    assert DataPoint.objects.count() == 2


# --- the programme's chart rules -----------------------------------------------------------


def test_an_administrator_sets_the_programmes_rule_lengths(
    client, cohort, team, measure, administrator
):
    client.force_login(administrator)
    url = _url("chart_rules_edit", cohort.programme_id)
    page = client.get(url)
    assert page.context["form"].initial == {"shift": 7, "trend": 7, "min_points": 15}
    response = client.post(url, {"shift": "1", "trend": "6", "min_points": "15"})
    assert "At least 2." in response.context["form"].errors["shift"][0]
    response = client.post(url, {"shift": "8", "trend": "6", "min_points": "15"})
    assert response.status_code == 302
    assert ChartRuleSet.objects.get().shift == 8
    event = AuditEvent.objects.get(action="chart_rules.set")
    assert event.actor == administrator and event.changes == {
        "shift": {"from": 7, "to": 8},
        "trend": {"from": 7, "to": 6},
    }
    detail = client.get(_url("measure_detail", measure.pk)).content.decode()
    assert "8 or more points in a row above or below the mean" in detail


# --- the headline and the rebase assistant ------------------------------------------------


STEP = [15, 16, 14, 15, 17, 13, 15, 16, 14, 15, 16, 15, 14, 16, 15] + [
    30,
    32,
    31,
    29,
    33,
    31,
    30,
    32,
    31,
    33,
    32,
]


def test_a_shift_after_an_adopted_pdsa_is_proposed_for_rebasing_and_a_person_confirms(
    client, team, participant, faculty
):
    step = add_measure(team, name="Discharges before noon", points=STEP, better="up")
    cycle = measure_services.pdsa_cycle_create(
        team=team, measure=step, change_idea="Criteria-led discharge <ward 5>",
        started_on=D(2025, 4, 3), acting_user=None,
    )  # fmt: skip
    client.force_login(participant)
    page = client.get(_url("measure_detail", step.pk)).content.decode()
    assert "rebase-proposal" not in page  # not adopted yet: nothing to propose
    measure_services.pdsa_cycle_update(cycle=cycle, decision="adopt", acting_user=participant)
    page = client.get(_url("measure_detail", step.pk)).content.decode()
    assert "rose from a mean of 15.1 days to 31.3 days after Apr 2025" in page
    assert "Criteria-led discharge &lt;ward 5&gt;" in page and "<ward 5>" not in page
    assert "Confirm: recalculate from Apr 2025" in page
    assert Rebase.objects.count() == 0  # proposed, never automatic
    client.force_login(faculty)
    assert (
        "Confirm: recalculate" not in client.get(_url("measure_detail", step.pk)).content.decode()
    )
    client.force_login(participant)
    response = client.post(
        _url("rebase_create", step.pk),
        {"starts_on": "2025-04-01", "reason": "Criteria-led discharge <ward 5>"},
    )
    assert response.status_code == 302
    rebase = Rebase.objects.get()
    assert (rebase.starts_on, rebase.reason) == (D(2025, 4, 1), "Criteria-led discharge <ward 5>")
    page = client.get(_url("measure_detail", step.pk)).content.decode()
    assert "rebase-proposal" not in page
    assert "limits recalculated: Criteria-led discharge &lt;ward 5&gt;" in page


def test_a_pair_logs_pdsa_cycles_on_its_own_measures(client, cohort, participant):
    pairing = pair(cohort, participant, manager_in(cohort, email="m2@example.org"))
    measure = measure_services.measure_create(
        pairing=pairing, name="Clinic DNAs", unit="%", better="down", acting_user=None
    )
    client.force_login(participant)
    response = client.post(
        _url("pairing_pdsa_create", pairing.pk),
        {"change_idea": "Text reminders", "started_on": "2025-03-01", "measure": measure.pk,
         "decision": "adopt"},
    )  # fmt: skip
    assert response.status_code == 302
    cycle = PdsaCycle.objects.get()
    assert cycle.pairing == pairing and cycle.team is None and cycle.is_adopted
    page = client.get(_url("pairing_pdsa_list", pairing.pk)).content.decode()
    assert "Text reminders" in page and "Adopt: the change becomes how we work" in page
    other_team = make_team(cohort, lead=participant_in(cohort, email="o@example.org"), name="B")
    foreign = add_measure(other_team, name="Other")
    response = client.post(
        _url("pairing_pdsa_create", pairing.pk),
        {"change_idea": "X", "started_on": "2025-03-01", "measure": foreign.pk},
    )
    assert response.status_code == 200 and PdsaCycle.objects.count() == 1
