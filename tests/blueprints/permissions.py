"""What each persona gets from the blueprint pages: administrators of the programme only;
everyone else 404 (a cohort member without the role: 403 on the cohort's pages)."""

import datetime

from django.utils import timezone

from modules.models import CloseDown, Milestone, MilestoneTemplate
from redesign_projects.models import AssignmentTemplate
from tests.permission_table import Expect, logged_in

ADMIN_PAGE = logged_in(404, administrator=200)
ADMIN_POST = logged_in(404, administrator=302)
COHORT_ADMIN_PAGE = logged_in(403, other_participant=404, administrator=200)
COHORT_ADMIN_POST = logged_in(403, other_participant=404, administrator=302)


def _programme(world):
    return {"programme_id": world.cohort.programme_id}


def _assignment(world):
    template = world.once(
        "assignment_template",
        lambda: AssignmentTemplate.objects.create(
            programme=world.cohort.programme, title="Redesign proposal", rubric="Aim: No | Yes"
        ),
    )
    return {"template_id": template.pk}


def _milestone(world):
    template = world.once(
        "milestone_template",
        lambda: MilestoneTemplate.objects.create(
            programme=world.cohort.programme, name="Challenge", kind="leadership_challenge"
        ),
    )
    return {"template_id": template.pk}


def _close_down(world):
    close_down = world.once(
        "close_down",
        lambda: CloseDown.objects.create(
            programme=world.cohort.programme,
            name="Christmas",
            starts_on=datetime.date(2026, 12, 24),
            ends_on=datetime.date(2027, 1, 5),
        ),
    )
    return {"close_down_id": close_down.pk}


def _cohort(world):
    """The cohort, with a milestone of its own (so hostile-text walks meet one on its
    schedule page)."""
    world.once(
        "milestone",
        lambda: Milestone.objects.create(
            cohort=world.cohort, name="Data due", due_on=timezone.localdate()
        ),
    )
    return {"cohort_id": world.cohort.pk}


def _start(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


ASSIGNMENT_DATA = {
    "title": "Final report",
    "kind": "team",
    "due_offset_days": "14",
    "due_time": "17:00",
    "rubric": "Results: Not shown | Shown",
    "accepted_types": ["pdf"],
    "max_size_mb": "10",
}
MILESTONE_DATA = {"name": "Data due", "kind": "data", "offset_days": "30"}

ROWS = {
    "blueprints:cohort_create": Expect(
        get=ADMIN_PAGE,
        post=ADMIN_POST,
        data=lambda world: {
            "programme": world.cohort.programme_id,
            "name": "Cohort 9",
            "starts_on": _start(60),
            "capacity": "30",
            "time_zone": "Pacific/Auckland",
            "holiday_region": "NZ-AUK",
        },
    ),
    "blueprints:blueprint_detail": Expect(get=ADMIN_PAGE, kwargs=_programme),
    "blueprints:blueprint_differences": Expect(get=ADMIN_PAGE, kwargs=_programme),
    "blueprints:assignment_template_create": Expect(
        get=ADMIN_PAGE, post=ADMIN_POST, kwargs=_programme, data=lambda world: ASSIGNMENT_DATA
    ),
    "blueprints:assignment_template_edit": Expect(
        get=ADMIN_PAGE, post=ADMIN_POST, kwargs=_assignment, data=lambda world: ASSIGNMENT_DATA
    ),
    "blueprints:milestone_template_create": Expect(
        get=ADMIN_PAGE, post=ADMIN_POST, kwargs=_programme, data=lambda world: MILESTONE_DATA
    ),
    "blueprints:milestone_template_edit": Expect(
        get=ADMIN_PAGE, post=ADMIN_POST, kwargs=_milestone, data=lambda world: MILESTONE_DATA
    ),
    "blueprints:close_down_create": Expect(
        get=ADMIN_PAGE,
        post=ADMIN_POST,
        kwargs=_programme,
        data=lambda world: {"name": "Easter", "starts_on": _start(100), "ends_on": _start(104)},
    ),
    "blueprints:close_down_delete": Expect(get=logged_in(405), post=ADMIN_POST, kwargs=_close_down),
    "blueprints:blueprint_apply": Expect(
        get=logged_in(405), post=COHORT_ADMIN_POST, kwargs=_cohort
    ),
    "blueprints:cohort_rerun": Expect(
        get=COHORT_ADMIN_PAGE,
        post=COHORT_ADMIN_POST,
        kwargs=_cohort,
        data=lambda world: {"name": "Cohort 10", "starts_on": _start(90)},
    ),
}
