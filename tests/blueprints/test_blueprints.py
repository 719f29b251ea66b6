"""Programme blueprints: a cohort from each seed programme gets everything on working days,
a re-run shifts every date by one working-day-adjusted offset, and changed blueprints reach
cohorts only when applied, to what has not started."""

import datetime
import importlib

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from blueprints import selectors, services
from cohorts import services as cohort_services
from cohorts.models import Cohort, Enrolment, Programme
from demo import blueprints as demo_blueprints
from modules.models import CloseDown, Milestone, Module, Session
from modules.services import schedule_generate
from modules.workdays import closures_for, non_working_reason
from redesign_projects.models import Assignment
from redesign_projects.services import assignment_template_save
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 10, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def seeds():
    return {p.slug: p for p in services.programme_models_install()}


@pytest.fixture
def admin(seeds, administrator):
    for programme in seeds.values():
        programme.administrators.add(administrator)
    return administrator


def _days(cohort: Cohort) -> list[tuple[str, datetime.date]]:
    """(what, day in the cohort's time zone) of every session, milestone and due date."""
    tz = cohort.tzinfo
    days = [
        (f"{s.module.title} {s.title}", s.starts_at.astimezone(tz).date())
        for s in Session.objects.filter(module__cohort=cohort).select_related("module")
    ]
    days += [(m.name, m.due_on) for m in cohort.milestones.all()]
    days += [(a.title, a.due_at.astimezone(tz).date()) for a in cohort.assignments.all()]
    return days


# (slug, region, start, modules, short-course seats, milestones, assignments)
SEEDS = [
    ("enhanced-care-management", "NZ-AUK", datetime.date(2026, 12, 28), 6, [20], 1, 4),
    ("primary-care-network-leadership", "GB-ENG", datetime.date(2027, 1, 4), 11, [], 4, 1),
    ("clinician-manager-partnership", "GB-ENG", datetime.date(2027, 3, 1), 4, [], 2, 2),
    ("measurement-culture", "GB-ENG", datetime.date(2027, 2, 1), 3, [], 10, 2),
]


@pytest.mark.parametrize(
    ("slug", "region", "starts_on", "modules", "seats", "milestones", "assignments"), SEEDS
)
def test_a_cohort_from_each_seed_programme_has_everything_on_working_days(
    seeds, admin, slug, region, starts_on, modules, seats, milestones, assignments
):
    build = services.cohort_create_from_blueprint(
        programme=seeds[slug],
        name="Cohort 1",
        starts_on=starts_on,
        holiday_region=region,
        time_zone="Europe/London" if region == "GB-ENG" else "Pacific/Auckland",
        acting_user=admin,
    )
    cohort = build.cohort
    assert cohort.modules.count() == modules
    assert all(m.sessions.exists() for m in cohort.modules.all())
    seat_limits = Session.objects.filter(module__cohort=cohort, seat_limit__isnull=False)
    assert sorted(seat_limits.values_list("seat_limit", flat=True)) == seats
    assert cohort.milestones.count() == milestones
    assert cohort.assignments.count() == assignments
    for assignment in cohort.assignments.prefetch_related("rubric_criteria__levels"):
        assert assignment.template is not None
        criteria = list(assignment.rubric_criteria.all())
        assert criteria and all(c.levels.count() >= 2 for c in criteria)
        if assignment.template.module_template_id:
            assert assignment.module.template_id == assignment.template.module_template_id
    closed = closures_for(cohort)
    assert not [
        (what, day, reason)
        for what, day in _days(cohort)
        if (reason := non_working_reason(region, day, closed))
    ]


def test_the_ecm_cohort_starting_in_the_close_down_moves_with_the_reason(seeds, admin):
    build = services.cohort_create_from_blueprint(
        programme=seeds["enhanced-care-management"],
        name="Cohort 1",
        starts_on=datetime.date(2026, 12, 28),
        acting_user=admin,
    )
    strategy = build.cohort.modules.get(title="Strategy")
    assert "Christmas–New Year close-down" in strategy.schedule_note
    first = strategy.sessions.earliest("starts_at").starts_at.astimezone(build.cohort.tzinfo)
    assert first.date() == datetime.date(2027, 1, 6)
    # The redesign proposal is due 21 days after Strategy's last day (Thu 7 Jan 2027).
    proposal = build.cohort.assignments.get(title="Redesign proposal")
    assert proposal.due_at.astimezone(build.cohort.tzinfo).date() == datetime.date(2027, 1, 28)


def test_region_close_downs_every_year_wrap_new_year():
    closed = ((datetime.date(2020, 12, 24), datetime.date(2021, 1, 5), "Summer close-down", True),)
    assert non_working_reason("NZ-AUK", datetime.date(2031, 1, 3), closed) == "Summer close-down"
    assert non_working_reason("NZ-AUK", datetime.date(2031, 12, 29), closed) == "Summer close-down"
    assert non_working_reason("NZ-AUK", datetime.date(2031, 1, 7), closed) == ""


def test_a_region_close_down_reaches_every_cohort_of_the_region(seeds, admin):
    CloseDown.objects.create(
        name="Regional shutdown",
        region="GB-ENG",
        starts_on=datetime.date(2027, 3, 1),
        ends_on=datetime.date(2027, 3, 5),
    )
    build = services.cohort_create_from_blueprint(
        programme=seeds["clinician-manager-partnership"],
        name="Cohort 1",
        starts_on=datetime.date(2027, 3, 1),
        holiday_region="GB-ENG",
        time_zone="Europe/London",
        acting_user=admin,
    )
    launch = build.cohort.modules.get(title="Launch workshop")
    assert launch.sessions.get().starts_at.date() == datetime.date(2027, 3, 8)
    assert "Regional shutdown" in launch.schedule_note


def test_re_running_a_cohort_shifts_everything_by_one_offset_and_keeps_nothing_personal(
    seeds, admin
):
    source = services.cohort_create_from_blueprint(
        programme=seeds["enhanced-care-management"],
        name="Cohort 1",
        starts_on=datetime.date(2027, 2, 1),
        acting_user=admin,
    ).cohort
    person = UserFactory()
    Enrolment.objects.create(cohort=source, person=person)
    source.modules.first().facilitators.add(person)

    # Asked for Saturday 12 February 2028: the new start is Monday 14 February, 378 days on.
    build = services.cohort_rerun(
        source=source, name="Cohort 2", starts_on=datetime.date(2028, 2, 12), acting_user=admin
    )
    copy = build.cohort
    assert copy.starts_on == datetime.date(2028, 2, 14)
    offset = datetime.timedelta(days=378)
    tz = copy.tzinfo

    def local(moment):
        return moment.astimezone(tz)

    for old in source.modules.all():
        new = copy.modules.get(position=old.position)
        old_sessions = list(old.sessions.order_by("starts_at"))
        new_sessions = list(new.sessions.order_by("starts_at"))
        assert len(old_sessions) == len(new_sessions)
        shifts = {
            local(n.starts_at).date() - local(o.starts_at).date()
            for o, n in zip(old_sessions, new_sessions, strict=True)
        }
        assert len(shifts) == 1  # a module moves whole
        shift = shifts.pop()
        # The same offset, or further on past a holiday or close-down, and then it says why.
        assert shift == offset or (shift > offset and new.schedule_note.startswith("Moved"))
        assert [local(s.starts_at).time() for s in new_sessions] == [
            local(s.starts_at).time() for s in old_sessions
        ]
        assert [s.seat_limit for s in new_sessions] == [s.seat_limit for s in old_sessions]
    for old in source.milestones.all():
        assert copy.milestones.get(name=old.name).due_on - old.due_on >= offset
    for old in source.assignments.all():
        new = copy.assignments.get(title=old.title)
        assert local(new.due_at).date() - local(old.due_at).date() >= offset
        assert new.rubric_criteria.count() == old.rubric_criteria.count() > 0
        assert new.module.cohort_id == copy.pk
    assert sum(1 for _ in _days(copy)) == sum(1 for _ in _days(source))
    closed = closures_for(copy)
    assert not [d for _w, d in _days(copy) if non_working_reason(copy.holiday_region, d, closed)]
    assert not copy.enrolments.exists()
    assert not Module.facilitators.through.objects.filter(module__cohort=copy).exists()


@time_machine.travel(NOW, tick=False)
def test_a_changed_blueprint_shows_as_differences_and_applies_to_what_has_not_started(
    client, seeds, admin
):
    ecm = seeds["enhanced-care-management"]
    cohort = services.cohort_create_from_blueprint(
        programme=ecm, name="Cohort 1", starts_on=datetime.date(2026, 11, 2), acting_user=admin
    ).cohort
    client.force_login(admin)
    page = client.get(reverse("blueprints:blueprint_differences", args=[ecm.pk]))
    assert "Same as the blueprint." in page.content.decode()

    # The first assignment is already due; the last is still ahead.
    passed = cohort.assignments.get(title="Redesign proposal")
    passed.due_at = NOW - datetime.timedelta(days=1)
    passed.save()
    for template in ecm.assignment_templates.filter(
        title__in=["Redesign proposal", "Final redesign report"]
    ):
        assignment_template_save(
            programme=ecm,
            acting_user=admin,
            template=template,
            module_template=template.module_template,
            title=template.title,
            brief="A new brief <script>alert(1)</script>",
            kind=template.kind,
            rubric=template.rubric + "\nPresentation: Unclear | Clear",
            due_offset_days=template.due_offset_days,
        )
    milestone = ecm.milestone_templates.get()
    milestone.name = "System review and celebration"
    milestone.save()

    # Nothing changed in the cohort yet.
    final = cohort.assignments.get(title="Final redesign report")
    assert "new brief" not in final.brief
    page = client.get(reverse("blueprints:blueprint_differences", args=[ecm.pk])).content.decode()
    assert "Assignment “Final redesign report” (changed: brief, rubric)" in page
    assert "not applied: its due date has passed" in page
    assert "&lt;script&gt;" not in page and "<script>alert" not in page
    assert "Apply 2 changes to Cohort 1" in page

    response = client.post(reverse("blueprints:blueprint_apply", args=[cohort.pk]))
    assert response.status_code == 302
    final.refresh_from_db()
    passed.refresh_from_db()
    assert final.brief.startswith("A new brief")
    assert final.rubric_criteria.count() == 4
    assert "new brief" not in passed.brief
    assert Milestone.objects.get(cohort=cohort).name == "System review and celebration"
    left = selectors.cohort_differences(cohort)
    assert [d.title for d in left] == ["Redesign proposal"] and not left[0].applicable


@time_machine.travel(NOW, tick=False)
def test_a_new_blueprint_assignment_is_added_to_cohorts_when_applied(seeds, admin):
    ecm = seeds["enhanced-care-management"]
    cohort = services.cohort_create_from_blueprint(
        programme=ecm, name="Cohort 1", starts_on=datetime.date(2026, 11, 2), acting_user=admin
    ).cohort
    assignment_template_save(
        programme=ecm,
        acting_user=admin,
        module_template=ecm.module_templates.get(title="System review"),
        title="Reflection on the programme",
        brief="",
        kind=Assignment.Kind.INDIVIDUAL,
        rubric="Reflection: Shallow | Deep",
        due_offset_days=14,
    )
    assert cohort.assignments.count() == 4
    assert services.blueprint_apply(cohort=cohort, acting_user=admin) == 1
    added = cohort.assignments.get(title="Reflection on the programme")
    assert added.module.title == "System review" and added.rubric_criteria.count() == 1


@pytest.mark.parametrize("cohorts", [1, 3])
def test_the_differences_page_runs_the_same_queries_for_one_or_three_cohorts(
    client, seeds, admin, django_assert_num_queries, cohorts
):
    ecm = seeds["enhanced-care-management"]
    for number in range(cohorts):
        services.cohort_create_from_blueprint(
            programme=ecm,
            name=f"Cohort {number}",
            starts_on=datetime.date(2027, 2, 1) + datetime.timedelta(weeks=number),
            acting_user=admin,
        )
    ecm.milestone_templates.update(name="Renamed")
    client.force_login(admin)
    # 1 session, 2 user, 3 programme, 4-13 programme_differences (its docstring lists
    # them), 14 navigation roles
    with django_assert_num_queries(13):
        response = client.get(reverse("blueprints:blueprint_differences", args=[ecm.pk]))
    assert response.content.decode().count("(changed: name)") == cohorts


def test_a_bad_rubric_is_shown_next_to_the_field_and_nothing_is_saved(client, seeds, admin):
    ecm = seeds["enhanced-care-management"]
    client.force_login(admin)
    before = ecm.assignment_templates.count()
    response = client.post(
        reverse("blueprints:assignment_template_create", args=[ecm.pk]),
        {
            "title": "Extra",
            "kind": "team",
            "due_offset_days": "7",
            "due_time": "17:00",
            "rubric": "Only one level: Low",
            "accepted_types": ["pdf"],
            "max_size_mb": "10",
        },
    )
    assert response.status_code == 200
    assert "at least two levels" in str(response.context["form"].errors["rubric"])
    assert ecm.assignment_templates.count() == before


def test_re_running_a_cohort_from_its_page(client, seeds, admin):
    source = services.cohort_create_from_blueprint(
        programme=seeds["clinician-manager-partnership"],
        name="Cohort 1",
        starts_on=datetime.date(2027, 3, 1),
        holiday_region="GB-ENG",
        acting_user=admin,
    ).cohort
    client.force_login(admin)
    page = client.get(reverse("cohorts:cohort_detail", args=[source.pk])).content.decode()
    assert reverse("blueprints:cohort_rerun", args=[source.pk]) in page
    response = client.post(
        reverse("blueprints:cohort_rerun", args=[source.pk]),
        {"name": "Cohort 2", "starts_on": "2099-03-02"},
    )
    copy = Cohort.objects.get(name="Cohort 2")
    assert response.status_code == 302 and response["Location"].endswith(f"/{copy.pk}/")
    assert copy.assignments.count() == 2 and copy.milestones.count() == 2


def test_the_data_migration_completes_the_shipped_programmes_through_historical_models():
    Programme.objects.filter(slug="measurement-culture").delete()
    ecm = Programme.objects.get(slug="enhanced-care-management")
    ecm.assignment_templates.all().delete()
    migration = importlib.import_module("blueprints.migrations.0001_install_blueprints")
    state = MigrationExecutor(connection).loader.project_state(
        ("blueprints", "0001_install_blueprints")
    )
    migration.install(state.apps, None)
    assert ecm.assignment_templates.count() == 4
    kaiser = Programme.objects.get(slug="measurement-culture")
    assert kaiser.milestone_templates.filter(kind="data").count() == 10
    migration.install(state.apps, None)  # again: nothing doubles
    assert ecm.assignment_templates.count() == 4 and ecm.close_downs.count() == 1


def test_the_demo_gives_cohorts_made_before_the_blueprint_their_milestones_once(seeds, admin):
    primary = seeds["primary-care-network-leadership"]
    cohort = cohort_services.cohort_create(
        programme=primary,
        name="2026 cohort",
        starts_on=datetime.date(2027, 1, 4),
        acting_user=admin,
    )
    schedule_generate(cohort=cohort, acting_user=admin)
    demo_blueprints.load(datetime.date(2027, 1, 4))
    demo_blueprints.load(datetime.date(2027, 1, 4))
    challenges = cohort.milestones.filter(kind="leadership_challenge")
    assert challenges.count() == 3 and cohort.milestones.count() == 4
    assert all(m.module.kind == "challenge" for m in challenges)
