"""Reads about programmes and cohorts, and the access rules that decide who may see a cohort."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Cohort, Enrolment

ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class UserRoles:
    """What a person is, across every cohort: used for navigation and start pages."""

    is_administrator: bool = False
    cohort_roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_clinical_leader(self) -> bool:
        return Enrolment.Role.CLINICAL_LEADER in self.cohort_roles

    @property
    def is_faculty(self) -> bool:
        return Enrolment.Role.FACULTY in self.cohort_roles

    @property
    def is_participant(self) -> bool:
        return Enrolment.Role.PARTICIPANT in self.cohort_roles


def roles_for_user(user) -> UserRoles:
    """Two queries at most: programme administration, then the distinct enrolment roles."""
    if not user.is_authenticated:
        return UserRoles()
    is_admin = user.is_superuser or user.administered_programmes.exists()
    roles = (
        Enrolment.objects.filter(person=user, status__in=Enrolment.ACTIVE_STATUSES)
        .values_list("role", flat=True)
        .distinct()
    )
    return UserRoles(is_administrator=is_admin, cohort_roles=frozenset(roles))


def roles_in_cohort(user, cohort: Cohort) -> frozenset[str]:
    """The roles ``user`` holds in ``cohort``; ``ADMINISTRATOR`` when they administer its
    programme. Empty means the cohort is outside their reach."""
    if not user.is_authenticated:
        return frozenset()
    roles = set(
        Enrolment.objects.filter(
            cohort=cohort, person=user, status__in=Enrolment.ACTIVE_STATUSES
        ).values_list("role", flat=True)
    )
    if user.is_superuser or cohort.programme.administrators.filter(pk=user.pk).exists():
        roles.add(ADMINISTRATOR)
    return frozenset(roles)


def get_cohort_for_user(user, cohort_id, *, roles: frozenset[str] | set[str] | None = None):
    """The cohort, if ``user`` may see it: 404 for outsiders (never confirm it exists), and
    ``PermissionDenied`` for members whose role is not among ``roles`` (None allows any)."""
    try:
        cohort = Cohort.objects.select_related("programme").get(pk=int(cohort_id))
    except (Cohort.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such cohort.") from exc
    held = roles_in_cohort(user, cohort)
    if not held:
        raise Http404("No such cohort.")
    if roles is not None and not (held & set(roles)):
        raise PermissionDenied("Your role in this cohort does not allow this.")
    cohort.user_roles = held
    return cohort


def cohorts_for_role(user, role: str):
    """Cohorts where ``user`` holds ``role``, with their programme, newest first."""
    return Cohort.objects.with_role(user, role).select_related("programme")
