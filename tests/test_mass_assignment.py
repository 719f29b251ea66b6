"""Extra fields posted to a form are ignored. For every URL the permission table POSTs to, the
persona for whom it succeeds posts the table's data twice, each time rolled back: once as it
is, once with extra fields a forger would add (``is_staff``, ``cohort``, ``status``,
``person``, ``team``, ``id``…). What the database looks like afterwards must be the same.

Extra fields the page's own form has (a ``status`` choice, a ``person`` select) are left out:
those are the form's to validate, not a forgery."""

import re

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.permission_table import World, full_table

TABLE = full_table()

SUCCESS_ORDER = ("administrator", "faculty", "participant", "clinical_leader", "other_participant")
# Columns whose value must never come from an unexpected POST field.
WATCHED = {
    "is_staff",
    "is_superuser",
    "is_active",
    "cohort",
    "status",
    "person",
    "team",
    "owner",
    "author",
    "role",
    "programme",
    "recipient",
    "actor",
    "created_by",
    "submitted_by",
    "recorded_by",
    "requested_by",
    "granted_by",
    "uploaded_by",
    "released_by",
    "clinician",
    "manager",
    "clinical_lead",
    "assignment",
    "submission",
    "pairing",
    "email",
}
APPS = (
    "leadership",
    "cohorts",
    "modules",
    "redesign_projects",
    "pairings",
    "measures",
    "reports",
    "home",
)
# POST-only URLs whose form is shown on another page: its fields are read from there.
FORM_PAGES = {"reports:report_generate": "reports:report_list"}


def _extras(world) -> dict[str, str]:
    other = world.personas["other_participant"]
    return {
        "is_staff": "on",
        "is_superuser": "on",
        "is_active": "",
        "cohort": str(world.other_cohort.pk),
        "cohort_id": str(world.other_cohort.pk),
        "status": "withdrawn",
        "person": str(other.pk),
        "person_id": str(other.pk),
        "owner": str(other.pk),
        "author": str(other.pk),
        "team": "999999",
        "role": "faculty",
        "id": "999999",
        "pk": "999999",
        "created_by": str(other.pk),
        "recorded_by": str(other.pk),
        "programme": "999999",
        "email": "forged@example.org",
    }


def _watched_fields(model) -> list:
    return [f for f in model._meta.concrete_fields if f.name in WATCHED]


MODELS = [
    (model, _watched_fields(model))
    for app in APPS
    for model in apps.get_app_config(app).get_models()
    if _watched_fields(model)
]


def _snapshot() -> dict:
    return {
        model._meta.label: {
            row["pk"]: row
            for row in model.objects.values("pk", *(f.attname for f in fields)).order_by()
        }
        for model, fields in MODELS
    }


def _diff(before: dict, after: dict) -> dict:
    """Per model: the watched values of rows added (as a sorted list, foreign keys to rows
    that did not exist before shown as "new"), of rows changed, and the pks deleted."""
    known = {label: set(rows) for label, rows in before.items()}
    diff = {}
    for model, fields in MODELS:
        label = model._meta.label
        old, new = before[label], after[label]

        def plain(row, fields=fields):
            values = []
            for f in fields:
                value = row[f.attname]
                target = f.related_model._meta.label if f.is_relation else None
                if target in known and value is not None and value not in known[target]:
                    value = "new"
                values.append((f.attname, value))
            return tuple(values)

        added = sorted(plain(new[pk]) for pk in new.keys() - old.keys())
        changed = sorted(
            (pk, plain(new[pk])) for pk in new.keys() & old.keys() if new[pk] != old[pk]
        )
        deleted = sorted(old.keys() - new.keys())
        if added or changed or deleted:
            diff[label] = (added, changed, deleted)
    return diff


def _post_urls():
    for name, expect in sorted(TABLE.items()):
        if not expect.post:
            continue
        persona = next((p for p in SUCCESS_ORDER if expect.post.get(p) in (200, 302)), None)
        if persona:
            yield pytest.param(name, persona, id=name)


def _form_field_names(client, url) -> set[str]:
    response = client.get(url)
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return set()
    return set(re.findall(r'name="([^"]+)"', response.content.decode()))


@pytest.mark.parametrize(("name", "persona"), list(_post_urls()))
def test_extra_posted_fields_change_nothing(cohort, other_cohort, personas, name, persona):
    expect = TABLE[name]
    world = World(cohort, other_cohort, personas)
    url = reverse(name, kwargs=expect.kwargs(world))
    data = expect.data(world)
    client = Client()
    client.force_login(personas[persona])
    page = reverse(FORM_PAGES[name], kwargs=expect.kwargs(world)) if name in FORM_PAGES else url
    own_fields = _form_field_names(client, page) | set(data)
    forged = {k: v for k, v in _extras(world).items() if k not in own_fields}

    outcomes = []
    for payload in (data, {**data, **forged}):
        with transaction.atomic():
            before = _snapshot()
            response = client.post(url, payload)
            outcomes.append((response.status_code, _diff(before, _snapshot())))
            transaction.set_rollback(True)
    (plain_status, plain_diff), (forged_status, forged_diff) = outcomes
    assert forged_status == plain_status
    assert forged_diff == plain_diff, f"extra fields {sorted(forged)} changed what {name} saved"
