"""The site's menu: the pages of the roles the person holds (settings: TEMPLATES' context
processors)."""

from django.utils.functional import SimpleLazyObject

from cohorts.selectors import roles_for_user
from leadership.links import link


def _nav_items(request) -> list[dict]:
    # ``link``: every logged-in page shows the menu, so its routes are reversed once.
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    roles = roles_for_user(user)
    items = []
    if roles.is_admin:
        items.append(("Needs attention", link("home:office_home")))
        items.append(("Cohorts", link("cohorts:cohort_list")))
        items.append(("Programmes", link("cohorts:programme_list")))
        items.append(("Audit trail", link("governance:audit_log")))
    if roles.is_leader:
        items.append(("Cohorts I sponsor", link("home:leader_home")))
    if roles.is_faculty:
        items.append(("My teaching", link("home:faculty_home")))
    if roles.is_participant:
        items.append(("My programme", link("home:participant_home")))
    if roles.is_participant or roles.is_faculty:
        items.append(("My schedule", link("modules:my_schedule")))
    if roles.is_participant:
        items.append(("My team", link("redesign_projects:team_mine")))
        items.append(("My documents", link("reports:my_documents")))
    if roles.is_participant or roles.is_faculty or "coach" in roles.cohort_roles:
        items.append(("Learning sets and coaching", link("learning_sets:my_learning")))
    if roles.is_participant or "admin_support" in roles.cohort_roles:
        items.append(("My pairing", link("pairings:my_pairings")))
    items.append(("Your data", link("governance:my_data")))
    return [{"label": label, "url": url, "current": request.path == url} for label, url in items]


def navigation(request) -> dict:
    """Menu entries for the roles the person holds; evaluated only when a template uses them."""
    return {"nav_items": SimpleLazyObject(lambda: _nav_items(request))}
