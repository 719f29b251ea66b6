"""Reads of the API, and who may read what.

There is one set of access rules: the pages'. A request is made by a person (logged in) or
with a token, which acts as the administrator who created it, narrowed to the token's
programme or cohort. Either way the API asks the same selectors the pages ask
(``get_cohort_for_user``, ``get_measure_for_user``, ``teams_for_cohort``…) and then, for a
token, checks the object lies inside the token's scope (404 otherwise)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from cohorts.models import Cohort, Enrolment, Programme
from cohorts.selectors import CohortAccess, get_cohort_for_user, get_programme_for_user
from leadership.models import User
from measures.models import Measure
from measures.selectors import MeasureAccess, get_measure_for_user

from .models import ApiToken
from .services import hash_token


@dataclass(frozen=True)
class Caller:
    """Who is calling: ``user`` is the person, or the token's creator; ``token`` is None for a
    logged-in person."""

    user: User
    token: ApiToken | None = None

    @property
    def sees_contact_details(self) -> bool:
        return self.token is None or self.token.contact_details

    def in_scope(self, cohort: Cohort) -> bool:
        if self.token is None:
            return True
        if self.token.cohort_id is not None:
            return cohort.pk == self.token.cohort_id
        return cohort.programme_id == self.token.programme_id


def token_for_key(raw: str) -> ApiToken | None:
    """The usable token (not revoked, not expired) whose creator still administers its
    programme, with its creator; None otherwise. Two queries."""
    token = (
        ApiToken.objects.usable()
        .select_related("created_by")
        .filter(key_hash=hash_token(raw))
        .first()
    )
    if token is None or not token.created_by.is_active:
        return None
    administers = (
        Programme.objects.administered_by(token.created_by).filter(pk=token.programme_id).exists()
    )
    return token if administers else None


def tokens_of_programme(programme: Programme) -> list[ApiToken]:
    """The programme's tokens, newest first, with their cohort and creator: one query."""
    return list(
        ApiToken.objects.filter(programme=programme).select_related(
            "cohort", "created_by", "revoked_by"
        )
    )


def get_token_for_user(user, token_id) -> ApiToken:
    """A token of a programme ``user`` administers; 404 for everyone else."""
    token = ApiToken.objects.filter(pk=token_id).select_related("programme").first()
    if token is None:
        raise Http404("No such token.")
    get_programme_for_user(user, token.programme_id)
    return token


# --- what a caller may read ----------------------------------------------------------------


def programmes_for_caller(caller: Caller) -> QuerySet[Programme]:
    """The programmes the caller administers (a token: its one programme)."""
    programmes = Programme.objects.administered_by(caller.user)
    if caller.token is not None:
        programmes = programmes.filter(pk=caller.token.programme_id)
    return programmes.order_by("pk")


def cohorts_for_caller(caller: Caller) -> QuerySet[Cohort]:
    """The cohorts the caller may open: those of programmes they administer and those they
    are actively enrolled in (any role), narrowed to the token's scope."""
    administered = Cohort.objects.administered_by(caller.user).values("pk")
    enrolled = Cohort.objects.with_role(caller.user, *Enrolment.Role.values).values("pk")
    cohorts = Cohort.objects.filter(Q(pk__in=administered) | Q(pk__in=enrolled))
    if caller.token is not None:
        cohorts = cohorts.filter(programme_id=caller.token.programme_id)
        if caller.token.cohort_id is not None:
            cohorts = cohorts.filter(pk=caller.token.cohort_id)
    return cohorts.select_related("programme").order_by("pk")


def get_cohort_for_caller(
    caller: Caller, cohort_id, *, roles: Iterable[str] | None = None
) -> tuple[Cohort, CohortAccess]:
    """As ``get_cohort_for_user`` (404 for outsiders, 403 for the wrong role), and 404 for a
    cohort outside the token's scope."""
    cohort, access = get_cohort_for_user(caller.user, cohort_id, roles=roles)
    if not caller.in_scope(cohort):
        raise Http404("No such cohort.")
    return cohort, access


def get_measure_for_caller(caller: Caller, measure_id) -> tuple[Measure, MeasureAccess]:
    """As ``get_measure_for_user``, and 404 for a measure outside the token's scope."""
    measure, access = get_measure_for_user(caller.user, measure_id)
    owner = measure.team or measure.pairing
    assert owner is not None  # a team or a pairing (measure_belongs_to_a_team_or_a_pairing)
    if not caller.in_scope(owner.cohort):
        raise Http404("Not found.")
    return measure, access
