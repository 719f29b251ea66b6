"""The audit trail page's statement (``governance.selectors.audit_trail_page`` on PostgreSQL,
written by hand) reads exactly what the ORM's (``audit_trail_page_orm``, SQLite's) does: the
same events in the same order, the same "Newer" and "Older" positions, the same names, for
every kind of reader, filter and position, on a trail with what the visibility rules turn on
(an office's own account-wide events and its sign-ins, other offices' events, events by no
one, about no one or about someone no longer there, several at the same instant)."""

import datetime
import itertools

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from cohorts.models import Cohort
from governance import selectors
from governance.selectors import AuditFilters
from leadership.keyset import Cursor, Position
from leadership.models import AuditEvent
from tests.factories import CohortFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(programme, cohort, other_cohort, administrator):
    """About 330 events over 40 days, several sharing each instant, in two programmes."""
    elsewhere = ProgrammeFactory(name="Elsewhere")
    their_cohort = CohortFactory(programme=elsewhere, name="Theirs")
    their_admin = UserFactory(first_name="Other", last_name="Office")
    elsewhere.administrators.add(their_admin)
    both = UserFactory(first_name="Both", last_name="Offices")
    programme.administrators.add(both)
    elsewhere.administrators.add(both)
    hostile = UserFactory(first_name="<script>x</script>", last_name="100%_sure")
    nameless = UserFactory(first_name="", last_name="", email="nameless@example.org")
    people = [hostile, nameless, UserFactory(first_name="Ada", last_name="Lovelace")]
    gone = max(person.pk for person in [*people, both, their_admin, administrator]) + 1_000
    cohort_type = ContentType.objects.get_for_model(Cohort)
    kinds = [
        # action, cohort, programme, actor
        ("attendance.record", cohort, programme.pk, administrator),
        ("enrolment.create", other_cohort, programme.pk, None),
        ("person.export", None, None, administrator),  # their own account-wide event
        ("auth.login", None, None, administrator),  # their sign-in: never shown to offices
        ("programme.update", None, programme.pk, administrator),  # their own, in the programme
        ("programme.update", None, programme.pk, their_admin),
        ("programme.copy", None, programme.pk, None),  # by no one: no one's own
        ("attendance.record", their_cohort, elsewhere.pk, their_admin),
        ("person.export", None, None, their_admin),
        ("enrolment.status", cohort, programme.pk, both),
        ("extension.grant", their_cohort, elsewhere.pk, both),
    ]
    start = timezone.now() - datetime.timedelta(days=40)
    about = itertools.cycle([*people, None, gone])
    events = []
    for n in range(330):
        action, in_cohort, programme_id, actor = kinds[n % len(kinds)]
        person = next(about)
        events.append(
            AuditEvent(
                action=action,
                target_type=cohort_type,
                target_id=str(n),
                target_repr=f"<b>Event</b> {n}",
                cohort_id=in_cohort.pk if in_cohort else None,
                programme_id=programme_id,
                person_id=getattr(person, "pk", person),
                actor=actor,
                changes={"status": ["", "present"]} if n % 3 else {"note": "<i>why</i>"},
                # Three events at each instant: the order falls to their ids.
                created_at=start + datetime.timedelta(hours=3 * (n // 3)),
            )
        )
    AuditEvent.objects.bulk_create(events)
    return {"their_admin": their_admin, "both": both, "their_cohort": their_cohort}


def _walk(page_of, reader, filters):
    """Every page from the newest, older and older, then newer and newer back to the top:
    each page's rows, as plain tuples, and its links."""
    pages, cursor = [], Cursor()
    while True:
        page = page_of(reader, filters, cursor)
        pages.append(([_shown(entry) for entry in page.rows], page.newer, page.older))
        if page.older is None:
            break
        cursor = Cursor("older", Position.parse(page.older))
    while page.newer is not None:
        page = page_of(reader, filters, Cursor("newer", Position.parse(page.newer)))
        pages.append(([_shown(entry) for entry in page.rows], page.newer, page.older))
    return pages


def _shown(entry) -> tuple:
    return (
        entry.pk,
        entry.created_at,
        entry.label,
        entry.target_repr,
        entry.change_lines,
        entry.actor,
        entry.person_id,
        entry.person,
    )


@pytest.mark.parametrize(
    "filters",
    [
        AuditFilters(),
        AuditFilters(action="programme.update"),
        AuditFilters(action="person.export"),
        AuditFilters(person="script"),
        AuditFilters(person="%_"),
        AuditFilters(person="nameless@"),
        AuditFilters(person="office"),
        AuditFilters(date_from=timezone.localdate() - datetime.timedelta(days=20)),
        AuditFilters(
            date_from=timezone.localdate() - datetime.timedelta(days=30),
            date_to=timezone.localdate() - datetime.timedelta(days=10),
        ),
    ],
    ids=repr,
)
def test_the_statement_reads_what_the_orm_reads(trail, administrator, cohort, filters):
    readers = [
        selectors.trail_reader(administrator),
        selectors.trail_reader(trail["both"]),
        selectors.trail_reader(trail["their_admin"]),
        selectors.trail_reader(UserFactory()),  # administers nothing: their own events only
        selectors.TrailReader(user=administrator, programme_ids=None),  # a superuser
    ]
    for reader in readers:
        by_orm = _walk(selectors.audit_trail_page_orm, reader, filters)
        assert _walk(selectors.audit_trail_page, reader, filters) == by_orm, (reader, filters)
    # One cohort (only its events, none of the reader's account-wide ones).
    for reader, one in [
        (selectors.trail_reader(administrator), cohort),
        (selectors.trail_reader(trail["both"]), trail["their_cohort"]),
    ]:
        narrowed = AuditFilters(
            cohort_id=one.pk,
            action=filters.action,
            person=filters.person,
            date_from=filters.date_from,
            date_to=filters.date_to,
        )
        by_orm = _walk(selectors.audit_trail_page_orm, reader, narrowed)
        assert _walk(selectors.audit_trail_page, reader, narrowed) == by_orm, (reader, narrowed)


def test_the_statement_reads_the_page_in_one_query(trail, administrator, django_assert_num_queries):
    reader = selectors.trail_reader(trail["both"])
    with django_assert_num_queries(1):
        page = selectors.audit_trail_page(reader, AuditFilters(person="o"), Cursor())
    assert len(page.rows) == selectors.AUDIT_PAGE_SIZE
    assert page.older is not None
