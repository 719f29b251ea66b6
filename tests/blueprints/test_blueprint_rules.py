"""A blueprint's reminder and attendance rules (set on the programme's edit page, shown in
words on the blueprint page) and the sections apps above blueprints add to its page (the
evaluation forms)."""

import pytest
from django.urls import reverse

from blueprints import sections
from blueprints.sections import BlueprintSection, SectionOnPage
from cohorts.models import Programme
from leadership.models import AuditEvent
from modules.models import ModuleTemplate
from tests.evaluation.helpers import make_form

pytestmark = pytest.mark.django_db


def _edit(programme: Programme) -> str:
    return reverse("modules:programme_edit", args=[programme.pk])


def _blueprint(programme: Programme) -> str:
    return reverse("blueprints:blueprint_detail", args=[programme.pk])


def _posted(programme: Programme, **changes: str) -> dict[str, str]:
    """The edit form as the page sends it for ``programme`` (its one module kept), with
    ``changes`` to the programme's own fields."""
    module = programme.module_templates.get()
    data = {
        "programme-name": programme.name,
        "programme-description": programme.description,
        "programme-organisation": programme.organisation,
        "programme-default_capacity": str(programme.default_capacity),
        "programme-phases": "",
        "programme-project_kinds": "",
        "programme-completion_min_attendance_percent": "80",
        "programme-completion_requires_final_assignment": "on",
        "programme-session_reminder_days": "",
        "programme-assignment_reminder_days": "",
        "programme-assignment_overdue_days": "",
        "programme-email_greeting": "Hello",
        "programme-email_sign_off": "",
        "modules-TOTAL_FORMS": "1",
        "modules-INITIAL_FORMS": "1",
        "modules-MIN_NUM_FORMS": "0",
        "modules-MAX_NUM_FORMS": "1000",
        "modules-0-id": str(module.pk),
        "modules-0-title": module.title,
        "modules-0-theme": "",
        "modules-0-kind": module.kind,
        "modules-0-length_half_days": str(module.length_half_days),
        "modules-0-offset_weeks": str(module.offset_weeks),
        "modules-0-phase": "",
    }
    data.update({f"programme-{name}": value for name, value in changes.items()})
    return data


@pytest.fixture
def programme(programme):
    ModuleTemplate.objects.create(programme=programme, position=1, title="Strategy")
    return programme


def test_the_edit_page_sets_the_rules_in_the_order_they_are_sent_and_says_what_empty_means(
    client, programme, administrator
):
    client.force_login(administrator)
    page = client.get(_edit(programme)).content.decode()
    assert "Empty: the site's default, 14 and 2 days before." in page
    assert "Empty: the site's default, 1 and 7 days after." in page
    assert "applies to every cohort of the programme, for reminders not yet sent" in page

    response = client.post(
        _edit(programme),
        _posted(
            programme,
            session_reminder_days="2, 10",
            assignment_reminder_days="3",
            assignment_overdue_days="5 and 1",
            pairs_avoid_same_team="on",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    programme.refresh_from_db()
    assert programme.session_reminder_days == [10, 2]
    assert programme.assignment_reminder_days == [3]
    assert programme.assignment_overdue_days == [1, 5]
    assert programme.pairs_avoid_same_team is True
    changes = AuditEvent.objects.get(action="programme.update").changes
    assert changes["session_reminder_days"] == ["[]", "[10, 2]"]
    page = client.get(_edit(programme)).content.decode()
    assert 'value="10, 2"' in page

    # Emptied again: back to the site's default.
    client.post(_edit(programme), _posted(programme))
    programme.refresh_from_db()
    assert programme.session_reminder_days == []
    assert programme.pairs_avoid_same_team is False


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("14, 14", "Give each number of days once."),
        ("14, -2", "Each number of days must be from 1 to 31."),
        ("0", "Each number of days must be from 1 to 31."),
        ("45", "Each number of days must be from 1 to 31."),
        ("two weeks", "Give whole numbers of days separated by commas, e.g. 14, 2."),
        ("1.5", "Give whole numbers of days separated by commas, e.g. 14, 2."),
        ("9, 7, 5, 3, 1", "At most 4 reminders."),
    ],
)
def test_bad_days_are_refused_next_to_the_field_and_nothing_is_half_saved(
    client, programme, administrator, typed, message
):
    client.force_login(administrator)
    response = client.post(
        _edit(programme),
        _posted(programme, name="Renamed", session_reminder_days=typed),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["session_reminder_days"] == [message]
    assert list(form.errors) == ["session_reminder_days"]
    page = response.content.decode()
    # Crispy puts the error under its field, tied to the input.
    assert 'id="error_1_id_programme-session_reminder_days"' in page
    programme.refresh_from_db()
    assert (programme.name, programme.session_reminder_days) == ("Enhanced Care Management", [])
    assert not AuditEvent.objects.filter(action="programme.update").exists()


def test_the_overdue_days_have_their_own_message(client, programme, administrator):
    client.force_login(administrator)
    response = client.post(_edit(programme), _posted(programme, assignment_overdue_days="7, 7"))
    assert response.context["form"].errors["assignment_overdue_days"] == [
        "Give each number of days once."
    ]
    programme.refresh_from_db()
    assert programme.assignment_overdue_days == []


def test_the_blueprint_page_says_the_rules_in_words_with_a_link_to_change_them(
    client, programme, administrator
):
    client.force_login(administrator)
    page = client.get(_blueprint(programme)).content.decode()
    assert "Reminder and attendance rules" in page
    assert "14 and 2 days before each session (site default)" in page
    assert "7 and 1 days before the due date (site default)" in page
    assert "1 and 7 days after the due date (site default)" in page
    assert "Completion needs 80% attendance and the final assignment accepted" in page
    assert f'href="{_edit(programme)}">Change the rules' in page

    programme.session_reminder_days = [7, 3, 1]
    programme.assignment_overdue_days = [1]
    programme.completion_min_attendance_percent = 75
    programme.completion_requires_final_assignment = False
    programme.save()
    page = client.get(_blueprint(programme)).content.decode()
    assert "7, 3 and 1 days before each session<" in page
    assert "1 day after the due date<" in page
    assert "7 and 1 days before the due date (site default)" in page
    assert "Completion needs 75% attendance<" in page


def test_the_blueprint_page_lists_the_evaluation_forms_with_their_kind_and_questions(
    client, programme, administrator
):
    form = make_form(programme, administrator, kind="module", name="After each module day")
    make_form(programme, administrator, kind="workshop", name="After each workshop")
    client.force_login(administrator)
    page = client.get(_blueprint(programme)).content.decode()
    assert "Evaluation forms" in page
    edit = reverse("evaluation:form_edit", args=[programme.pk, form.pk])
    assert f'<a href="{edit}">After each module day</a>' in page
    assert "<td>3 questions</td>" in page
    assert reverse("evaluation:programme_setup", args=[programme.pk]) in page
    assert reverse("evaluation:form_create", args=[programme.pk]) in page
    assert page.index("Reminder and attendance rules") < page.index("After each module day")


def test_without_evaluation_forms_the_page_says_sessions_are_not_evaluated(
    client, programme, administrator
):
    client.force_login(administrator)
    page = client.get(_blueprint(programme)).content.decode()
    assert "No evaluation forms yet" in page


@pytest.mark.parametrize("forms", [1, 4])
def test_the_blueprint_page_runs_the_same_queries_however_many_forms(
    client, programme, administrator, django_assert_num_queries, forms
):
    kinds = ["module", "workshop", "short_course", "challenge"]
    for kind in kinds[:forms]:
        make_form(programme, administrator, kind=kind, name=f"After each {kind}")
    client.force_login(administrator)
    # 1 session, 2 user, 3 programme, 4 milestones, 5 assignments, 6 short courses,
    # 7 close-downs, 8 evaluation forms with their question counts, 9 navigation roles
    with django_assert_num_queries(8):
        response = client.get(_blueprint(programme))
    assert response.content.decode().count("questions</td>") == forms


def test_names_typed_as_html_are_shown_as_text(client, programme, administrator):
    programme.name = "ECM <script>alert('programme')</script>"
    programme.save()
    make_form(programme, administrator, name="<script>alert('form')</script>")
    client.force_login(administrator)
    page = client.get(_blueprint(programme)).content.decode()
    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(&#x27;form&#x27;)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(&#x27;programme&#x27;)&lt;/script&gt;" in page


def test_each_section_gets_the_programme_in_registration_order(monkeypatch, programme):
    monkeypatch.setattr(sections.BLUEPRINT_PAGE, "_sections", {})
    sections.register_blueprint_section("first", BlueprintSection("first.html", lambda p: {}))
    sections.register_blueprint_section(
        "second", BlueprintSection("second.html", lambda p: {"name": p.name})
    )
    # Registering a name again (an app's ready() run twice) replaces it in its place.
    sections.register_blueprint_section("first", BlueprintSection("again.html", lambda p: {"n": 2}))
    assert sections.blueprint_sections(programme) == [
        SectionOnPage("again.html", {"n": 2}),
        SectionOnPage("second.html", {"name": "Enhanced Care Management"}),
    ]
