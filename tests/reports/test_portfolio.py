"""The sponsor's portfolio across cohorts: who sees which cohorts, the filters, the exact flat
query count, and its PDF."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cohorts.models import Cohort, Enrolment
from leadership.models import AuditEvent
from measures import services as measure_services
from measures.models import DataPoint, Measure, PdsaCycle
from reports import portfolio
from tests.factories import CohortFactory, EnrolmentFactory, ProgrammeFactory
from tests.redesign_projects.helpers import make_team, participant_in
from tests.worlds import add_step_measure, flat, pdf_text

pytestmark = pytest.mark.django_db


def _cohort_with_projects(programme, name, *, teams=2, status=Cohort.Status.RUNNING):
    cohort = CohortFactory(programme=programme, name=name, status=status)
    for n in range(teams):
        lead = participant_in(cohort, email=f"{name}-{n}@example.org".replace(" ", ""))
        team = make_team(cohort, lead=lead, name=f"{name} team {n + 1}")
        add_step_measure(team=team, change=f"Change {n + 1}")
    return cohort


@pytest.fixture
def portfolio_world(programme, clinical_leader):
    """The leader sponsors two cohorts of ``programme``; a third cohort of it and one of
    another programme they do not sponsor."""
    mine = [
        _cohort_with_projects(programme, "Cohort A"),
        _cohort_with_projects(programme, "Cohort B", status=Cohort.Status.COMPLETED),
    ]
    for cohort in mine:
        EnrolmentFactory(cohort=cohort, person=clinical_leader, role=Enrolment.Role.CLINICAL_LEADER)
    not_mine = _cohort_with_projects(programme, "Cohort C")
    elsewhere = _cohort_with_projects(ProgrammeFactory(name="Acute", slug="acute"), "Cohort D")
    return {"mine": mine, "not_mine": not_mine, "elsewhere": elsewhere}


def test_a_leader_sees_only_the_cohorts_they_sponsor(client, portfolio_world, clinical_leader):
    client.force_login(clinical_leader)
    page = client.get(reverse("reports:portfolio")).content.decode()
    assert "Cohort A" in page and "Cohort B" in page
    assert "Cohort C" not in page and "Cohort D" not in page
    assert "Discharges before noon improved: it rose from a mean of 15.1% to 31.3%" in page
    assert 'aria-label="Variation: Improvement (high)"' in page
    assert "Assurance: not judged" not in page  # the label stands alone beside the icon
    assert "not judged: the limits span a change" in page


def test_an_administrator_sees_every_cohort_of_their_programmes(
    client, portfolio_world, administrator
):
    client.force_login(administrator)
    page = client.get(reverse("reports:portfolio")).content.decode()
    assert all(f"Cohort {x}" in page for x in "ABC")
    assert "Cohort D" not in page


def test_the_portfolio_filters_by_programme_and_status(client, portfolio_world, administrator):
    client.force_login(administrator)
    page = client.get(reverse("reports:portfolio"), {"status": "completed"}).content.decode()
    assert "Cohort B" in page and "Cohort A" not in page
    bad = client.get(reverse("reports:portfolio"), {"programme": "<script>", "status": "nope"})
    assert bad.status_code == 200
    text = bad.content.decode()
    assert "<script>" not in text
    assert "is-invalid" in text and all(f"Cohort {x}" in text for x in "ABC")


def test_the_portfolio_takes_a_flat_number_of_queries(
    portfolio_world, administrator, django_assert_num_queries
):
    def view():
        return portfolio.portfolio_for(portfolio.portfolio_scope(administrator))

    # First view: cohorts with programmes; teams; pairings with people; measures with their
    # kept summaries — then, as none is kept yet, the 4 reads of a chart (measures, points,
    # rebases, PDSA cycles) and one UPDATE keeping the summaries.
    with django_assert_num_queries(portfolio.PORTFOLIO_QUERIES + 5):
        chosen = view()
    assert chosen.measure_count == 6
    # Then 4, whatever the number of cohorts, projects and measures.
    with django_assert_num_queries(portfolio.PORTFOLIO_QUERIES):
        again = view()
    assert [c.headline for i in again.cohorts for _p, c in i.rows] == [
        c.headline for i in chosen.cohorts for _p, c in i.rows
    ]
    for name in ("Cohort E", "Cohort F"):
        _cohort_with_projects(chosen.programmes[0], name, teams=3)
    with django_assert_num_queries(portfolio.PORTFOLIO_QUERIES + 5):
        view()
    with django_assert_num_queries(portfolio.PORTFOLIO_QUERIES):
        chosen = view()
    assert chosen.measure_count == 12


def test_a_kept_summary_is_recomputed_when_anything_it_depends_on_changes(
    portfolio_world, administrator, participant
):
    scope = portfolio.portfolio_scope(administrator)

    def headline():
        chosen = portfolio.portfolio_for(scope)
        return next(c for i in chosen.cohorts for _p, c in i.rows if i.cohort.name == "Cohort A")

    before = headline()
    assert "rose from a mean of 15.1% to 31.3% after Apr 2025" in before.headline
    measure = Measure.objects.get(pk=before.measure.pk)
    measure_services.rebase_create(
        measure=measure, starts_on=datetime.date(2025, 4, 1), reason="Change 1",
        acting_user=participant,
    )  # fmt: skip
    assert "since Apr 2025 (limits recalculated: Change 1)" in headline().headline
    cycle = PdsaCycle.objects.get(measure=measure)
    measure_services.pdsa_cycle_update(cycle=cycle, decision="abandon", acting_user=None)
    measure_services.measure_update(measure=measure, name="Renamed <b>", acting_user=None)
    assert headline().headline.startswith("Renamed <b> improved")
    point = DataPoint.objects.get(measure=measure, period=datetime.date(2026, 2, 1))
    measure_services.datapoint_update(
        point=point, period=point.period, value=Decimal(90), annotation="", astronomical=False,
        acting_user=None,
    )  # fmt: skip
    assert "90 is above the upper limit" not in headline().headline  # grouped, not listed
    assert headline().variation_label == "special cause — improvement"
    measure_services.chart_rules_set(
        programme=scope.programmes[0], shift=30, trend=30, min_points=40, acting_user=None
    )
    after = headline()  # 26 points, fewer than the 40 an XmR chart now needs: a run chart
    assert after.kind == "run" and after.variation is None
    assert "the 40% target was met in 1 of the latest 6 periods" in after.headline


def test_the_portfolio_pdf_is_tagged_and_audited(client, portfolio_world, clinical_leader):
    client.force_login(clinical_leader)
    response = client.get(reverse("reports:portfolio_download"), {"status": "running"})
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    text = flat(pdf_text(pdf))
    assert "Improvement portfolio" in text and "Cohort A" in text
    assert "Cohort B" not in text and "Cohort C" not in text
    assert "Discharges before noon improved" in text
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.trailer["/Root"]["/Lang"] == "en-NZ"
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]
    event = AuditEvent.objects.get(action="report.download")
    assert event.changes["kind"] == "portfolio"
    # The persona's own cohort (``cohort``, running) and Cohort A: the running ones sponsored.
    assert portfolio_world["mine"][0].pk in event.changes["cohorts"]
    assert portfolio_world["mine"][1].pk not in event.changes["cohorts"]
