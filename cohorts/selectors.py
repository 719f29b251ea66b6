"""Reads about programmes, cohorts and people, and the access rules that decide who may see a
cohort. Each function documents how many queries it runs: pages built on them assert exact
counts."""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    IntegerField,
    Max,
    Model,
    Prefetch,
    Q,
    QuerySet,
    Value,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from leadership.audit import ACTION_LABELS, change_lines, own_account_events
from leadership.models import AuditEvent, Notification, User
from leadership.sqlrows import ModelColumns, holds_an_id

from .models import Cohort, Enrolment, Programme

ADMINISTRATOR = "administrator"
# The roles that may open the cohort page (the administrator's dashboard; leaders read-only).
COHORT_PAGE_ROLES = frozenset({ADMINISTRATOR, Enrolment.Role.CLINICAL_LEADER})
# Everyone in a cohort may read its people list (names, roles, professions; no e-mails).
PEOPLE_LIST_ROLES = frozenset(
    {ADMINISTRATOR, *Enrolment.Role.values}  # every member role, and administrators
)
_ROLES_CACHE_ATTRIBUTE = "_leadership_roles"


@dataclass(frozen=True)
class UserRoles:
    """What a person is, across every cohort: used for navigation and start pages."""

    is_admin: bool = False
    cohort_roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_leader(self) -> bool:
        return Enrolment.Role.CLINICAL_LEADER in self.cohort_roles

    @property
    def is_faculty(self) -> bool:
        return Enrolment.Role.FACULTY in self.cohort_roles

    @property
    def is_participant(self) -> bool:
        return Enrolment.Role.PARTICIPANT in self.cohort_roles


@dataclass(frozen=True)
class CohortAccess:
    """The roles one person holds in one cohort: ``ADMINISTRATOR`` when they administer its
    programme (or are a superuser), and each role they are actively enrolled in. No roles means
    an outsider. Every ``get_<thing>_for_user`` returns one (apps may subclass it to add what
    they alone know, e.g. a participant's teams), so views ask one object the same questions."""

    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        return ADMINISTRATOR in self.roles

    @property
    def is_faculty(self) -> bool:
        return Enrolment.Role.FACULTY in self.roles

    @property
    def is_participant(self) -> bool:
        return Enrolment.Role.PARTICIPANT in self.roles

    @property
    def is_leader(self) -> bool:
        return Enrolment.Role.CLINICAL_LEADER in self.roles

    def holds_any(self, roles: Iterable[str]) -> bool:
        return bool(self.roles & set(roles))

    def require(self, roles: Iterable[str] | None = None) -> None:
        """Outsiders get 404 (never confirm the cohort exists); members whose roles are not
        among ``roles`` get ``PermissionDenied`` (None allows every member)."""
        if not self.roles:
            raise Http404("Not found.")
        if roles is not None and not self.holds_any(roles):
            raise PermissionDenied("Your role in this cohort does not allow this.")


# The access questions every page asks (which roles a person holds, in one cohort or in any;
# whether they administer its programme) as SQL written once, the person, role and statuses
# its parameters: built through the ORM, their six EXISTS subqueries cost more Python time on
# each request than the rest of a small page (issue 21). Only table names (ours) are formatted
# in; every value is a parameter.
_ENROLMENTS = Enrolment._meta.db_table
_ADMINISTRATORS = Programme.administrators.through._meta.db_table
_COHORTS = Cohort._meta.db_table
_ACTIVE = ", ".join(["%s"] * len(Enrolment.ACTIVE_STATUSES))
# The roles held in the outer query's cohort as one number, a bit per role (in
# ``Enrolment.Role`` order): one column rather than one subquery per role.
_ROLE_BITS = " ".join(f"WHEN %s THEN {1 << n}" for n in range(len(Enrolment.Role.values)))
_ROLES_HELD = (
    f"(SELECT COALESCE(SUM(DISTINCT CASE e.role {_ROLE_BITS} END), 0) FROM {_ENROLMENTS} e"  # noqa: S608  # nosec B608
    f" WHERE e.person_id = %s AND e.status IN ({_ACTIVE})"
)
_ROLES_IN_COHORT = _ROLES_HELD + f' AND e.cohort_id = "{_COHORTS}"."id")'
# The same, in every cohort (what the navigation shows).
_ROLES_EVERYWHERE = _ROLES_HELD + ")"
_ADMINISTERS_ANY = f"EXISTS (SELECT 1 FROM {_ADMINISTRATORS} a WHERE a.user_id = %s)"  # noqa: S608  # nosec B608
_ADMINISTERS_COHORT = (
    f"EXISTS (SELECT 1 FROM {_ADMINISTRATORS} a WHERE a.user_id = %s"  # noqa: S608  # nosec B608
    f' AND a.programme_id = "{_COHORTS}"."programme_id")'
)


def _roles_of(n: int) -> list[str]:
    """The roles whose bits are set in ``n`` (``_ROLE_BITS``)."""
    return [role for bit, role in enumerate(Enrolment.Role.values) if n & (1 << bit)]


def _roles_params(user) -> tuple:
    """The parameters of ``_ROLES_IN_COHORT`` and ``_ROLES_EVERYWHERE``."""
    return (*Enrolment.Role.values, user.pk, *Enrolment.ACTIVE_STATUSES)


def _remember_roles(user, *, administers: bool, roles: int) -> UserRoles:
    held = UserRoles(
        is_admin=user.is_superuser or bool(administers), cohort_roles=frozenset(_roles_of(roles))
    )
    setattr(user, _ROLES_CACHE_ATTRIBUTE, held)
    return held


def roles_for_user(user) -> UserRoles:
    """One query (none for anonymous visitors), remembered on the user object for the rest of
    the request: the view and the navigation both ask. None at all after a query that carried
    ``access_annotations`` and was read with ``remember_roles``."""
    if not user.is_authenticated:
        return UserRoles()
    cached = getattr(user, _ROLES_CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_ADMINISTERS_ANY}, {_ROLES_EVERYWHERE}",
            [user.pk, *_roles_params(user)],
        )
        administers, roles = cursor.fetchone()
    return _remember_roles(user, administers=administers, roles=roles)


def navigation_roles_sql(person: str, active_statuses: str) -> str:
    """Two columns for a hand-written SELECT: whether the person administers any programme,
    and the roles they hold in any cohort as bits (``_ROLES_EVERYWHERE``), so that a page's
    own statement reads the navigation's roles too (read them back with
    ``remember_navigation_roles``). ``person`` and ``active_statuses`` are the statement's own
    placeholders (the person's id, an array of ``Enrolment.ACTIVE_STATUSES``), never values;
    the role names written in are our own codes."""
    bits = " ".join(f"WHEN '{role}' THEN {1 << n}" for n, role in enumerate(Enrolment.Role.values))
    return (
        f"EXISTS (SELECT 1 FROM {_ADMINISTRATORS} a WHERE a.user_id = {person}), "  # noqa: S608  # nosec B608
        f"(SELECT COALESCE(SUM(DISTINCT CASE e.role {bits} END), 0) FROM {_ENROLMENTS} e"
        f" WHERE e.person_id = {person} AND e.status = ANY({active_statuses}))"
    )


def remember_navigation_roles(user, *, administers: bool, roles: int) -> None:
    """Remember ``user``'s roles everywhere (``roles_for_user``) from the two columns of
    ``navigation_roles_sql``."""
    _remember_roles(user, administers=administers, roles=roles)


def remember_roles(user, row) -> None:
    """Remember ``user``'s roles everywhere (``roles_for_user``) from a row annotated with
    ``access_annotations``: the navigation then costs no query of its own."""
    if user.is_authenticated:
        _remember_roles(user, administers=row._admin_any, roles=row._everywhere)


def access_annotations(user) -> dict:
    """Annotations (``_admin``, ``_roles``) that give each row of a query that includes its
    cohort's table under its own name (a cohort query, or one that ``select_related``s the
    cohort once) ``user``'s access to that cohort: read it with ``access_of``. The access
    check rides on the query that loads the object, rather than costing one of its own; so do
    the user's roles everywhere (``_admin_any``, ``_everywhere``: read them with
    ``remember_roles``), which every page with the navigation needs."""
    administers = (
        Value(True, output_field=BooleanField())
        if user.is_superuser
        else RawSQL(_ADMINISTERS_COHORT, (user.pk,), output_field=BooleanField())  # noqa: S611  # nosec B611
    )
    roles = RawSQL(  # noqa: S611  # nosec B611 — SQL written once above; values are parameters
        _ROLES_IN_COHORT, _roles_params(user), output_field=IntegerField()
    )
    administers_any = RawSQL(  # noqa: S611  # nosec B611 — as above
        _ADMINISTERS_ANY, (user.pk,), output_field=BooleanField()
    )
    everywhere = RawSQL(  # noqa: S611  # nosec B611 — as above
        _ROLES_EVERYWHERE, _roles_params(user), output_field=IntegerField()
    )
    return {
        "_admin": administers,
        "_roles": roles,
        "_admin_any": administers_any,
        "_everywhere": everywhere,
    }


def access_columns(user) -> tuple[str, tuple]:
    """``access_annotations``' four values (administers the cohort's programme, roles held in
    it, administers any programme, roles held anywhere) as a plain SQL select list, with its
    parameters, for a hand-written statement whose FROM names the cohort table under its own
    name. Read the row's four values with ``access_from_columns``."""
    roles = _roles_params(user)
    if user.is_superuser:
        return (
            f"TRUE, {_ROLES_IN_COHORT}, {_ADMINISTERS_ANY}, {_ROLES_EVERYWHERE}",
            (*roles, user.pk, *roles),
        )
    return (
        f"{_ADMINISTERS_COHORT}, {_ROLES_IN_COHORT}, {_ADMINISTERS_ANY}, {_ROLES_EVERYWHERE}",
        (user.pk, *roles, user.pk, *roles),
    )


def access_from_columns(user, values: Sequence) -> CohortAccess:
    """The access that ``access_columns``' four ``values`` give ``user``; their roles
    everywhere are remembered for the rest of the request, as ``remember_roles`` does."""
    administers, roles, administers_any, everywhere = values
    _remember_roles(user, administers=administers_any, roles=everywhere)
    return _access(administers=administers, roles=roles)


def access_of(row) -> CohortAccess:
    """The access a row annotated with ``access_annotations`` carries."""
    return _access(administers=row._admin, roles=row._roles)


def _access(*, administers: bool, roles: int) -> CohortAccess:
    """The access of someone who ``administers`` the cohort's programme (or not) and holds the
    roles whose bits are set in ``roles`` (``_ROLES_IN_COHORT``)."""
    held = set(_roles_of(roles))
    if administers:
        held.add(ADMINISTRATOR)
    return CohortAccess(roles=frozenset(held))


def cohort_access(user, cohort: Cohort) -> CohortAccess:
    """What ``user`` may do in ``cohort`` (an object the caller already holds). One query, none
    for anonymous visitors."""
    if not user.is_authenticated:
        return CohortAccess()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_ADMINISTERS_COHORT}, {_ROLES_IN_COHORT} FROM {_COHORTS} WHERE id = %s",  # noqa: S608  # nosec B608
            [user.pk, *_roles_params(user), cohort.pk],
        )
        row = cursor.fetchone()
    if row is None:  # deleted meanwhile: nobody's
        return CohortAccess()
    return _access(administers=user.is_superuser or bool(row[0]), roles=row[1])


# ``get_cohort_for_user``'s statement: the cohort and its programme (every column, built into
# instances as the ORM would), the viewer's access to it and their roles everywhere. Plain SQL:
# through the ORM (``select_related`` and the four annotations of ``access_annotations``) the
# query cost every cohort page a couple of milliseconds of Python to build, several times what
# running it does (issue 21). ``{access}`` is ``access_columns``' select list; only table names
# and that list are formatted in, and every value is a parameter.
_COHORT_COLUMNS = ModelColumns(Cohort, f'"{_COHORTS}"')
_PROGRAMME_COLUMNS = ModelColumns(Programme, "programme")
_COHORT_WITH_ACCESS_SQL = (
    f"SELECT {_COHORT_COLUMNS.sql}, {_PROGRAMME_COLUMNS.sql}, {{access}}"  # noqa: S608  # nosec B608
    f' FROM "{_COHORTS}" JOIN "{Programme._meta.db_table}" programme'
    f' ON programme.id = "{_COHORTS}".programme_id WHERE "{_COHORTS}".id = %s'
)


def get_cohort_for_user(
    user, cohort_id, *, roles: Iterable[str] | None = None
) -> tuple[Cohort, CohortAccess]:
    """The cohort with its programme and the user's access, if they may see it: 404 for
    outsiders (never confirm it exists), ``PermissionDenied`` for members whose role is not
    among ``roles`` (None allows any). One query (``_COHORT_WITH_ACCESS_SQL``), which also
    remembers the user's roles everywhere (``roles_for_user``: the navigation)."""
    if not user.is_authenticated:
        raise Http404("No such cohort.")
    try:
        pk = int(cohort_id)
    except (TypeError, ValueError) as exc:
        raise Http404("No such cohort.") from exc
    if not holds_an_id(pk):  # the parameter could not hold it: no such cohort
        raise Http404("No such cohort.")
    access_sql, access_params = access_columns(user)
    with connection.cursor() as cursor:
        cursor.execute(_COHORT_WITH_ACCESS_SQL.format(access=access_sql), [*access_params, pk])
        row = cursor.fetchone()
    if row is None:
        raise Http404("No such cohort.")
    cohort = _COHORT_COLUMNS.load(row)
    cohort.programme = _PROGRAMME_COLUMNS.load(row, _COHORT_COLUMNS.width)
    access = access_from_columns(user, row[-4:])
    access.require(roles)
    return cohort, access


def cohorts_for_role(user, role: str) -> QuerySet[Cohort]:
    """Cohorts where ``user`` holds ``role``, with their programme, newest first."""
    return Cohort.objects.with_role(user, role).select_related("programme")


# Programmes ----------------------------------------------------------------------------------


def programmes_administered_by(user) -> QuerySet[Programme]:
    """The programmes ``user`` administers (all of them for a superuser), with counts of their
    cohorts and module templates. One query."""
    return Programme.objects.administered_by(user).annotate(
        cohort_count=Count("cohorts", distinct=True),
        module_count=Count("module_templates", distinct=True),
    )


def get_programme_for_user(user, programme_id) -> Programme:
    """A programme ``user`` administers; 404 for everyone else (programmes have no other
    readers). One query."""
    try:
        programme = Programme.objects.administered_by(user).filter(pk=int(programme_id)).first()
    except (TypeError, ValueError) as exc:
        raise Http404("No such programme.") from exc
    if programme is None:
        raise Http404("No such programme.")
    return programme


def with_sequence_and_cohorts(programme: Programme) -> Programme:
    """``programme`` with its module templates (in order) and its cohorts (newest first)
    prefetched, for its page. Two queries."""
    prefetch_related_objects(
        [programme],
        "module_templates",  # in their programme order (ModuleTemplate.Meta.ordering)
        Prefetch("cohorts", queryset=Cohort.objects.order_by("-starts_on")),
    )
    return programme


# Cohort list -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortFilters:
    programme_id: int | None = None
    status: str | None = None
    year: int | None = None


def cohort_list(user, filters: CohortFilters) -> QuerySet[Cohort]:
    """The cohorts of programmes ``user`` administers, filtered, each with its programme and
    ``participant_count`` (enrolled or completed participants). One query, whatever the size."""
    cohorts = Cohort.objects.administered_by(user).select_related("programme")
    if filters.programme_id:
        cohorts = cohorts.filter(programme_id=filters.programme_id)
    if filters.status:
        cohorts = cohorts.filter(status=filters.status)
    if filters.year:
        cohorts = cohorts.filter(starts_on__year=filters.year)
    return cohorts.annotate(
        participant_count=Count(
            "enrolments",
            filter=Q(
                enrolments__role=Enrolment.Role.PARTICIPANT,
                enrolments__status__in=Enrolment.ACTIVE_STATUSES,
            ),
        )
    )


def cohort_years(user) -> list[int]:
    """The start years of the cohorts ``user`` administers, newest first. One query."""
    dates = Cohort.objects.administered_by(user).dates("starts_on", "year", order="DESC")
    return [d.year for d in dates]


# Cohort page -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    """One enrolment as the cohort page shows it: plain values, no model instances (the page
    only prints them; building 50 enrolments with their people cost more than the query)."""

    person_id: int
    # As ``str(user)``: the full name, else the e-mail address.
    name: str
    role: str
    role_label: str
    status: str
    profession: str
    job_title: str
    department: str
    email: str
    # No usable password yet: the invitation is not accepted.
    invited: bool
    withdrawn_on: datetime.date | None
    withdrawal_reason: str


@dataclass
class RoleGroup:
    role: str
    label: str
    enrolments: list[PersonRow]


@dataclass
class CohortOverview:
    """Everything the cohort page shows about people, computed from one query."""

    cohort: Cohort
    groups: list[RoleGroup]
    withdrawn: list[PersonRow]
    participants: int
    capacity: int
    attention: list[str]
    # Scheduled sessions not yet ended (``cohort_next_statuses``: no completing while any).
    sessions_to_come: int = 0

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.participants, 0)

    @property
    def capacity_percent(self) -> int:
        return min(round(100 * self.participants / self.capacity), 100) if self.capacity else 0


def _enrolments_with_people(cohort: Cohort) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(cohort=cohort)
        .select_related("person")
        .order_by("role", "person__last_name", "person__first_name", "person__email")
    )


# The cohort page's people: every enrolment with the columns it shows of its person, in
# ``_enrolments_with_people``'s order, and on the same statement the cohort's sessions to come
# (one row when nobody is enrolled, its enrolment columns null). Plain SQL: through the ORM the
# enrolments with their people and the sessions' count were two queries whose building and 50
# model instances cost more than running them (issue 21). Sessions belong to the modules app,
# a floor above: their tables are found through the reverse relations, not imported. Only
# table names are formatted in; every value is a parameter. SQLite (the quick start) runs it.
_MODULE = cast(type[Model], Cohort._meta.get_field("modules").related_model)
_SESSION = cast(type[Model], _MODULE._meta.get_field("sessions").related_model)
_OVERVIEW_SQL = f"""
SELECT to_come.n, e.person_id, e.role, e.status, e.withdrawn_on, e.withdrawal_reason,
    u.first_name, u.last_name, u.email, u.profession, u.job_title, u.department,
    u.password LIKE %(unusable)s
FROM (
    SELECT count(*) AS n FROM {_SESSION._meta.db_table} s
    JOIN {_MODULE._meta.db_table} m ON m.id = s.module_id
    WHERE m.cohort_id = %(cohort)s AND s.status = %(scheduled)s AND s.ends_at > %(now)s
) to_come
LEFT JOIN {_ENROLMENTS} e ON e.cohort_id = %(cohort)s
LEFT JOIN {User._meta.db_table} u ON u.id = e.person_id
ORDER BY e.role, u.last_name, u.first_name, u.email
"""  # noqa: S608 — only table names are formatted in; every value is a parameter # nosec B608


def _day(value) -> datetime.date | None:
    """A date column's value: SQLite may hand plain SQL its ISO text (an aggregate's, whose
    type it does not know)."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def cohort_overview(cohort: Cohort, *, today: datetime.date | None = None) -> CohortOverview:
    """People by role, capacity used, what needs attention and the sessions still to come for
    one cohort. One query (``_OVERVIEW_SQL``); the rest is arithmetic on its rows."""
    today = today or timezone.localdate()
    roles = {value: str(label) for value, label in Enrolment.Role.choices}
    by_role: dict[str, list[PersonRow]] = defaultdict(list)
    withdrawn = []
    with connection.cursor() as cursor:
        cursor.execute(
            _OVERVIEW_SQL,
            {
                "cohort": cohort.pk,
                "scheduled": "scheduled",
                # As the database stores it (SQLite: text in UTC), as the ORM would pass it.
                "now": connection.ops.adapt_datetimefield_value(timezone.now()),
                "unusable": f"{UNUSABLE_PASSWORD_PREFIX}%",
            },
        )
        rows = cursor.fetchall()
    to_come = rows[0][0]
    for (_, person_id, role, status, withdrawn_on, reason, first, last, email, profession,
         job_title, department, invited) in rows:  # fmt: skip
        if person_id is None:  # nobody enrolled
            continue
        row = PersonRow(
            person_id=person_id,
            name=User.name_from(first, last, email),
            role=role,
            role_label=roles.get(role, role),
            status=status,
            profession=profession,
            job_title=job_title,
            department=department,
            email=email,
            invited=bool(invited),
            withdrawn_on=_day(withdrawn_on),
            withdrawal_reason=reason,
        )
        if status == Enrolment.Status.WITHDRAWN:
            withdrawn.append(row)
        else:
            by_role[role].append(row)
    groups = [
        RoleGroup(role=value, label=label, enrolments=by_role[value])
        for value, label in Enrolment.Role.choices
        if by_role[value]
    ]
    participants = len(by_role[Enrolment.Role.PARTICIPANT])
    attention = _needs_attention(cohort, by_role, participants, today)
    return CohortOverview(
        cohort=cohort,
        groups=groups,
        withdrawn=withdrawn,
        participants=participants,
        capacity=cohort.capacity,
        attention=attention,
        sessions_to_come=to_come,
    )


def setup_notes(
    cohort: Cohort, *, leaders: int, faculty: int, participants: int, today: datetime.date
) -> list[str]:
    """What is missing from a live cohort's set-up, in sentences: a start date passed while
    still planned, no clinical leader, no faculty, no participants. No queries. (The start
    pages of ``home`` list these with everything else that needs attention.)"""
    if cohort.status in (Cohort.Status.COMPLETED, Cohort.Status.CANCELLED):
        return []
    notes = []
    if cohort.status == Cohort.Status.PLANNED and cohort.starts_on <= today:
        notes.append(
            f"The start date ({cohort.starts_on:%-d %b %Y}) has passed but the cohort is still "
            "planned: start it."
        )
    if not leaders:
        notes.append("No clinical leader sponsors this cohort.")
    if not faculty:
        notes.append("No faculty are enrolled.")
    if participants == 0:
        notes.append("No participants are enrolled yet.")
    return notes


def _needs_attention(
    cohort: Cohort, by_role: dict[str, list[PersonRow]], participants: int, today: datetime.date
) -> list[str]:
    """Plain sentences for the administrator: ``setup_notes`` and invitations not accepted.
    Registers, teams, pairings, overdue work and reports are added by ``home`` (loaded into the
    cohort page's "Needs attention")."""
    if cohort.status in (Cohort.Status.COMPLETED, Cohort.Status.CANCELLED):
        return []
    notes = setup_notes(
        cohort,
        leaders=len(by_role[Enrolment.Role.CLINICAL_LEADER]),
        faculty=len(by_role[Enrolment.Role.FACULTY]),
        participants=participants,
        today=today,
    )
    invited = sum(1 for group in by_role.values() for row in group if row.invited)
    if invited:
        notes.append(
            f"{invited} {'person has' if invited == 1 else 'people have'} not accepted their "
            "invitation (no password set yet)."
        )
    return notes


@dataclass
class PendingInvitation:
    """Someone enrolled who has not set a password yet, and when they were last invited."""

    person: User
    roles: list[str]
    last_invited_at: datetime.datetime | None


def invitations_pending(cohort: Cohort) -> list[PendingInvitation]:
    """The cohort's current members who have not accepted their invitation (no password set
    yet), by name, with their roles and when their latest invitation for this cohort was
    recorded. Two queries: enrolments with people; their invitation e-mails."""
    pending: dict[int, PendingInvitation] = {}
    for enrolment in (
        _enrolments_with_people(cohort)
        .filter(
            status__in=Enrolment.ACTIVE_STATUSES,
            person__password__startswith=UNUSABLE_PASSWORD_PREFIX,
        )
        .order_by("person__last_name", "person__first_name", "person__pk")
    ):
        row = pending.setdefault(enrolment.person_id, PendingInvitation(enrolment.person, [], None))
        row.roles.append(enrolment.get_role_display())
    invited = dict(
        Notification.objects.filter(
            kind=Notification.Kind.INVITATION,
            cohort_id=cohort.pk,
            recipient_id__in=list(pending),
        )
        .values_list("recipient_id")
        .annotate(last=Max("created_at"))
        .order_by()
    )
    for person_id, row in pending.items():
        row.last_invited_at = invited.get(person_id)
    return list(pending.values())


def cohort_people(cohort: Cohort) -> list[Enrolment]:
    """The cohort's current members (enrolled or completed), ordered by role then name, with
    their people. One query."""
    return list(_enrolments_with_people(cohort).filter(status__in=Enrolment.ACTIVE_STATUSES))


def cohort_export_rows(cohort: Cohort) -> list[Enrolment]:
    """Every enrolment of the cohort, withdrawn ones included, with people. One query."""
    return list(_enrolments_with_people(cohort))


# People ----------------------------------------------------------------------------------------


def get_person_in_cohort(cohort: Cohort, person_id) -> User:
    """A person who is or was enrolled in ``cohort``; 404 otherwise. One query."""
    try:
        pk = int(person_id)
    except (TypeError, ValueError) as exc:
        raise Http404("No such person.") from exc
    person = User.objects.filter(pk=pk, enrolments__cohort=cohort).distinct().first()
    if person is None:
        raise Http404("No such person.")
    return person


def person_enrolments(person: User, administrator) -> list[Enrolment]:
    """The person's enrolments in every cohort of the programmes ``administrator`` administers,
    newest cohort first, with cohort and programme. One query."""
    cohorts = Cohort.objects.administered_by(administrator)
    return list(
        Enrolment.objects.filter(person=person, cohort__in=cohorts)
        .select_related("cohort__programme")
        .order_by("-cohort__starts_on", "role")
    )


def person_history(person: User, administrator) -> list[AuditEvent]:
    """Who changed this person's account and enrolments, and when, newest first: events about
    the person in cohorts ``administrator`` administers, and the account-wide ones they may
    read (their own actions; every one for a superuser — ``leadership.audit.
    own_account_events`` says why). Each event gets ``label`` and ``change_lines`` to display.
    One query."""
    cohort_ids = Cohort.objects.administered_by(administrator).values("pk")
    readable = Q(cohort_id__in=cohort_ids) | own_account_events(administrator)
    events = list(
        AuditEvent.objects.filter(person_id=person.pk)
        .filter(Q() if administrator.is_superuser else readable)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
    for event in events:
        event.label = ACTION_LABELS.get(event.action, event.action)
        event.change_lines = change_lines(event.changes)
    return events


# The people list's filters and the bulk actions' selection --------------------------------------

PEOPLE_PAGE_SIZE = 25


@dataclass(frozen=True)
class PeopleFilters:
    """What the administrator narrowed the people list to. Empty: the current members (enrolled
    or completed), as every member sees the list."""

    role: str = ""
    status: str = ""  # "" current members; "withdrawn"; "all"
    not_accepted: bool = False  # no password set yet (invitation not accepted)
    q: str = ""

    STATUSES = (("", "Current members"), ("withdrawn", "Withdrawn"), ("all", "Everyone"))

    @classmethod
    def from_query(cls, query) -> "PeopleFilters":
        role = query.get("role", "")
        status = query.get("status", "")
        return cls(
            role=role if role in Enrolment.Role.values else "",
            status=status if status in ("withdrawn", "all") else "",
            not_accepted=query.get("not_accepted") == "1",
            q=" ".join(str(query.get("q", "")).split())[:100],
        )

    def as_query(self) -> dict[str, str]:
        """The filters as query parameters (what links and hidden inputs carry)."""
        query = {"role": self.role, "status": self.status, "q": self.q}
        if self.not_accepted:
            query["not_accepted"] = "1"
        return {key: value for key, value in query.items() if value}

    @property
    def active(self) -> bool:
        return bool(self.as_query())


def people_matching(cohort: Cohort, filters: PeopleFilters) -> QuerySet[Enrolment]:
    """The cohort's enrolments the filters select, with people, ordered by role then name.
    Lazy: callers page it (a count and one page) or read it whole (a bulk selection)."""
    rows = _enrolments_with_people(cohort)
    if filters.status == "withdrawn":
        rows = rows.filter(status=Enrolment.Status.WITHDRAWN)
    elif filters.status != "all":
        rows = rows.filter(status__in=Enrolment.ACTIVE_STATUSES)
    if filters.role:
        rows = rows.filter(role=filters.role)
    if filters.not_accepted:
        rows = rows.filter(person__password__startswith=UNUSABLE_PASSWORD_PREFIX)
    for word in filters.q.split():
        rows = rows.filter(
            Q(person__first_name__icontains=word)
            | Q(person__last_name__icontains=word)
            | Q(person__email__icontains=word)
            | Q(person__department__icontains=word)
        )
    return rows


def people_selected(
    cohort: Cohort, *, enrolment_ids: Iterable[str], filters: PeopleFilters | None = None
) -> list[Enrolment]:
    """The enrolments a bulk action acts on, with people, in list order: every one matching
    ``filters`` when given ("select all N matching the filter", chosen on the server whatever
    page was shown), otherwise those of ``enrolment_ids`` that belong to ``cohort`` (anything
    else is ignored, never an error). One query."""
    if filters is not None:
        return list(people_matching(cohort, filters))
    ids = {int(value) for value in enrolment_ids if str(value).isdigit()}
    return list(_enrolments_with_people(cohort).filter(pk__in=ids))
