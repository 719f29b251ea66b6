"""A programme's module sequence: copied with the programme, edited in one transaction."""

from leadership.models import AuditEvent
from modules import services
from modules.models import ModuleTemplate
from modules.services import programme_models_install


def test_copying_a_programme_duplicates_its_module_templates(administrator):
    ecm = {p.slug: p for p in programme_models_install()}["enhanced-care-management"]
    copy = services.programme_copy_with_modules(programme=ecm, acting_user=administrator)
    assert copy.name == "Enhanced Care Management and Clinical Leadership (copy)"
    assert copy.slug != ecm.slug
    assert list(copy.module_templates.values_list("position", "title", "length_half_days")) == (
        list(ecm.module_templates.values_list("position", "title", "length_half_days"))
    )
    assert administrator in copy.administrators.all()
    again = services.programme_copy_with_modules(programme=ecm, acting_user=administrator)
    assert again.name.endswith("(copy 2)")
    assert AuditEvent.objects.filter(action="programme.copy").count() == 2


def test_editing_a_programme_reorders_adds_and_deletes_module_templates(administrator, programme):
    first = ModuleTemplate.objects.create(programme=programme, position=1, title="A")
    second = ModuleTemplate.objects.create(programme=programme, position=2, title="B")
    third = ModuleTemplate.objects.create(programme=programme, position=3, title="C")
    row = {"theme": "", "kind": "module", "length_half_days": 3, "offset_weeks": 0, "phase": ""}
    services.programme_update_with_modules(
        programme=programme,
        acting_user=administrator,
        fields={"name": "Renamed", "default_capacity": 30},
        module_templates=[
            {"id": third.pk, **row, "title": "C"},
            {"id": first.pk, **row, "title": "A"},
            {"id": None, **row, "title": "New"},
        ],
        deleted_template_ids=[second.pk],
    )
    programme.refresh_from_db()
    assert programme.name == "Renamed"
    assert list(programme.module_templates.values_list("position", "title")) == [
        (1, "C"),
        (2, "A"),
        (3, "New"),
    ]
