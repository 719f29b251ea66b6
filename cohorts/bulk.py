"""Bulk actions on a cohort's people: the administrator selects many on the people list
(or "all N matching the filter"), sees a preview with the count and the names, and confirms.

An action is a ``BulkAction`` in a registry. The ones that need only this app (withdraw, resend
invitations, an announcement to the selection, export) are defined here; an app on a higher
floor registers its own in its ``AppConfig.ready`` (``modules`` registers "enrol in a short
course": ``cohorts`` may not import ``modules``, but ``modules`` may import this). The people
list and the preview page read the registry, so they never name an app above them.

The view runs an action in one transaction with the cohort row locked
(``run_bulk_action``): two submissions of one preview (a double click) run one after the
other, and every action skips what is already done, so the second does nothing more. Each
action is audited once per person it touched.
"""

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from leadership.models import User
from leadership.services import audit_record

from . import exports, services
from .models import Announcement, Cohort, Enrolment

# Above this many people a preview still works, but the list of names is cut short on the page.
NAMES_SHOWN = 200


@dataclass(frozen=True)
class BulkDone:
    """What an action did: a message for the people list, and a file to download (export)."""

    message: str
    download: tuple[str, str, bytes] | None = None  # filename stem, kind ("csv"/"xlsx"), bytes


@dataclass(frozen=True)
class BulkAction:
    """One bulk action. ``eligible`` picks, from the selection, the enrolments it applies to
    and says in words why the others are left out; ``run`` does it (inside the caller's
    transaction, with the cohort locked) and audits once per person."""

    key: str
    label: str  # in the action menu: "Withdraw from the cohort"
    button: str  # on the preview's confirm button: "Withdraw"
    eligible: Callable[[list[Enrolment]], tuple[list[Enrolment], str]]
    run: Callable[..., BulkDone]  # (*, cohort, enrolments, data, acting_user) -> BulkDone
    form_class: Callable[..., forms.Form] = field(default=lambda *args, cohort: forms.Form(*args))
    danger: bool = False
    order: int = 100


_REGISTRY: dict[str, BulkAction] = {}


def register(action: BulkAction) -> None:
    """Add an action (an app's ``ready`` calls this; the same key twice is a mistake)."""
    if _REGISTRY.get(action.key, action) is not action:
        raise ValueError(f"Two bulk actions are called {action.key!r}.")
    _REGISTRY[action.key] = action


def actions() -> list[BulkAction]:
    return sorted(_REGISTRY.values(), key=lambda action: (action.order, action.label))


def get_action(key: str) -> BulkAction | None:
    return _REGISTRY.get(key)


def one_per_person(enrolments: list[Enrolment]) -> list[Enrolment]:
    """The first enrolment of each person (someone may hold two roles in a cohort)."""
    seen: set[int] = set()
    unique = []
    for enrolment in enrolments:
        if enrolment.person_id not in seen:
            seen.add(enrolment.person_id)
            unique.append(enrolment)
    return unique


def people_text(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


@transaction.atomic
def run_bulk_action(
    *,
    action: BulkAction,
    cohort: Cohort,
    enrolment_ids: list[int],
    data: dict,
    acting_user: User,
) -> BulkDone:
    """Run ``action`` on the enrolments of ``enrolment_ids`` in ``cohort`` (the ones the
    preview showed), all in one transaction: any refusal (a seat limit, a date in the future)
    raises ``ValidationError`` and nothing is changed. The cohort row is locked first, so two
    submissions of the same preview run one after the other; the second finds the work done
    and each action skips it (withdrawn already, invited today, signed up, the announcement's
    form token). The enrolments are read again under the lock."""
    cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
    enrolments = list(
        Enrolment.objects.filter(cohort=cohort, pk__in=enrolment_ids)
        .select_related("person")
        .order_by("role", "person__last_name", "person__first_name", "person__email")
    )
    chosen, _skipped = action.eligible(enrolments)
    if not chosen:
        raise ValidationError("Nobody in the selection can be given this action (any more).")
    return action.run(cohort=cohort, enrolments=chosen, data=data, acting_user=acting_user)


# Withdraw ------------------------------------------------------------------------------------


class BulkWithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(
        label="Date of withdrawal", widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, cohort: Cohort, **kwargs):
        kwargs.setdefault("initial", {"withdrawn_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean_withdrawn_on(self) -> datetime.date:
        day = self.cleaned_data["withdrawn_on"]
        if day > timezone.localdate():
            raise ValidationError("The withdrawal date cannot be in the future.")
        return day


def _not_withdrawn(enrolments: list[Enrolment]) -> tuple[list[Enrolment], str]:
    chosen = [e for e in enrolments if e.status != Enrolment.Status.WITHDRAWN]
    return chosen, "already withdrawn"


def _withdraw(*, cohort, enrolments, data, acting_user) -> BulkDone:
    """Each through ``services.enrolment_withdraw`` (audited per enrolment; their pending
    e-mails cancelled, their sessions ended)."""
    for enrolment in enrolments:
        services.enrolment_withdraw(
            enrolment=enrolment,
            withdrawn_on=data["withdrawn_on"],
            reason=data["reason"],
            acting_user=acting_user,
        )
    return BulkDone(f"Withdrew {people_text(len(one_per_person(enrolments)))} from {cohort.name}.")


# Resend invitations --------------------------------------------------------------------------


def _not_accepted(enrolments: list[Enrolment]) -> tuple[list[Enrolment], str]:
    chosen = [
        e
        for e in one_per_person(enrolments)
        if e.status in Enrolment.ACTIVE_STATUSES and not e.person.has_usable_password()
    ]
    return chosen, "have accepted their invitation already, or have withdrawn"


def _resend(*, cohort, enrolments, data, acting_user) -> BulkDone:
    """``services.invitations_resend``: at most one new invitation per person per day (its
    outbox key is the day), audited per person sent."""
    people = [e.person for e in enrolments]
    sent = services.invitations_resend(cohort=cohort, people=people, acting_user=acting_user)
    message = f"Sent {sent} new invitation{'' if sent == 1 else 's'}."
    if sent < len(people):
        message += (
            f" {people_text(len(people) - sent)} already had a new invitation today: "
            "nothing more was sent to them."
        )
    return BulkDone(message)


# An announcement to the selection ------------------------------------------------------------


class BulkAnnouncementForm(forms.Form):
    subject = forms.CharField(max_length=Announcement._meta.get_field("subject").max_length)
    body = forms.CharField(
        label="Message",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Plain text: a blank line starts a new paragraph and web addresses become "
        "links. Any HTML is shown as typed, never run. Do not include patient details.",
    )
    # The same preview sent twice is one announcement (``services.announcement_send``).
    form_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)


def _enrolled(enrolments: list[Enrolment]) -> tuple[list[Enrolment], str]:
    chosen = [e for e in one_per_person(enrolments) if e.status == Enrolment.Status.ENROLLED]
    return chosen, "are not enrolled now (withdrawn or completed)"


def _announce(*, cohort, enrolments, data, acting_user) -> BulkDone:
    """One announcement (``services.announcement_send``: an e-mail each through the outbox,
    the form token making a second submission nothing) and one audit event per recipient."""
    people = [e.person for e in enrolments]
    announcement, created = services.announcement_send(
        cohort=cohort,
        subject=data["subject"],
        body=data["body"],
        audience={"people": [person.pk for person in people]},
        audience_label=f"{people_text(len(people))} chosen on the people list",
        recipients=people,
        form_token=data["form_token"],
        acting_user=acting_user,
    )
    if not created:
        return BulkDone("That announcement was already sent; not again.")
    for person in people:
        audit_record(
            actor=acting_user,
            action="announcement.recipient",
            target=announcement,
            cohort_id=cohort.pk,
            person_id=person.pk,
            changes={"subject": announcement.subject},
        )
    return BulkDone(f"Sent “{announcement.subject}” to {people_text(len(people))}.")


# Export --------------------------------------------------------------------------------------


class BulkExportForm(forms.Form):
    format = forms.ChoiceField(
        label="File format",
        choices=[("csv", "CSV"), ("xlsx", "Excel workbook (.xlsx)")],
        initial="xlsx",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)


def _everyone(enrolments: list[Enrolment]) -> tuple[list[Enrolment], str]:
    return enrolments, ""


def _export(*, cohort, enrolments, data, acting_user) -> BulkDone:
    """The selection as the people export's CSV or workbook (formulas neutralised), audited
    once per person whose details left the product."""
    kind = data["format"]
    for person_id in dict.fromkeys(e.person_id for e in enrolments):
        audit_record(
            actor=acting_user,
            action="cohort.people_export_person",
            target=cohort,
            cohort_id=cohort.pk,
            person_id=person_id,
            changes={"format": kind, "rows": len(enrolments)},
        )
    if kind == "csv":
        content = exports.people_csv(enrolments)
    else:
        content = exports.people_xlsx(enrolments, title=cohort.name)
    return BulkDone(
        f"Exported {people_text(len(enrolments))}.",
        download=("people-selection", kind, content),
    )


register(
    BulkAction(
        key="resend",
        label="Resend invitations",
        button="Resend invitations",
        eligible=_not_accepted,
        run=_resend,
        order=10,
    )
)
register(
    BulkAction(
        key="announce",
        label="Send an announcement",
        button="Send the announcement",
        eligible=_enrolled,
        run=_announce,
        form_class=BulkAnnouncementForm,
        order=30,
    )
)
register(
    BulkAction(
        key="export",
        label="Export (CSV or Excel)",
        button="Download",
        eligible=_everyone,
        run=_export,
        form_class=BulkExportForm,
        order=40,
    )
)
register(
    BulkAction(
        key="withdraw",
        label="Withdraw from the cohort",
        button="Withdraw",
        eligible=_not_withdrawn,
        run=_withdraw,
        form_class=BulkWithdrawForm,
        danger=True,
        order=90,
    )
)
