"""The site's menu: the pages of the roles the person holds (settings: TEMPLATES' context
processors)."""

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from cohorts.selectors import roles_for_user


def _nav_items(request) -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    roles = roles_for_user(user)
    items = []
    if roles.is_admin:
        items.append(("Needs attention", reverse("home:office_home")))
        items.append(("Cohorts", reverse("cohorts:cohort_list")))
        items.append(("Programmes", reverse("cohorts:programme_list")))
        items.append(("Audit trail", reverse("governance:audit_log")))
    if roles.is_leader:
        items.append(("Cohorts I sponsor", reverse("home:leader_home")))
    if roles.is_faculty:
        items.append(("My teaching", reverse("home:faculty_home")))
    if roles.is_participant:
        items.append(("My programme", reverse("home:participant_home")))
    if roles.is_participant or roles.is_faculty:
        items.append(("My schedule", reverse("modules:my_schedule")))
    if roles.is_participant:
        items.append(("My team", reverse("redesign_projects:team_mine")))
        items.append(("My documents", reverse("reports:my_documents")))
    if roles.is_participant or roles.is_faculty or "coach" in roles.cohort_roles:
        items.append(("Learning sets and coaching", reverse("learning_sets:my_learning")))
    if roles.is_participant or "admin_support" in roles.cohort_roles:
        items.append(("My pairing", reverse("pairings:my_pairings")))
    items.append(("Your data", reverse("governance:my_data")))
    return [{"label": label, "url": url, "current": request.path == url} for label, url in items]


def navigation(request) -> dict:
    """Menu entries for the roles the person holds; evaluated only when a template uses them."""
    return {"nav_items": SimpleLazyObject(lambda: _nav_items(request))}
