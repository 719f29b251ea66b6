"""The "enrol in a short course" bulk action of the people list (``cohorts.bulk`` says how bulk
actions work). It lives here because short courses are sessions, and ``cohorts`` may not import
``modules``: ``ModulesConfig.ready`` registers it."""

from django import forms
from django.utils import timezone

from cohorts.bulk import BulkAction, BulkDone, one_per_person, people_text
from cohorts.models import Cohort, Enrolment

from . import selectors, services
from .models import Session, ShortCourseSignup


class ShortCourseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        start = timezone.localtime(obj.starts_at, obj.module.cohort.tzinfo)
        left = obj.seat_limit - obj.signup_count
        return f"{obj.title or obj.module.title}, {start:%a %-d %b %Y %H:%M} ({left} seats left)"


class BulkShortCourseForm(forms.Form):
    session = ShortCourseChoiceField(
        label="Short course",
        queryset=Session.objects.none(),
        empty_label=None,
        help_text="Courses of this cohort that take sign-ups and have not started.",
    )

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["session"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = selectors.short_courses_open(cohort)


def _participants(enrolments: list[Enrolment]) -> tuple[list[Enrolment], str]:
    chosen = [
        e
        for e in one_per_person(enrolments)
        if e.role == Enrolment.Role.PARTICIPANT and e.status in Enrolment.ACTIVE_STATUSES
    ]
    return chosen, "are not current participants (only participants take short courses)"


def _enrol(*, cohort, enrolments, data, acting_user) -> BulkDone:
    """A seat each through ``services.short_course_signup`` (seat limit checked under the
    session's lock, audited per person); those already signed up are skipped, so the same
    preview sent twice signs nobody up twice. Not enough seats for everyone: the caller's
    transaction is rolled back and nobody is signed up."""
    session = data["session"]
    already = set(
        ShortCourseSignup.objects.filter(session=session).values_list("person_id", flat=True)
    )
    new = [e.person for e in enrolments if e.person_id not in already]
    for person in new:
        services.short_course_signup(session=session, person=person, acting_user=acting_user)
    title = session.title or session.module.title
    message = f"Signed up {people_text(len(new))} for {title}."
    if len(new) < len(enrolments):
        message += f" {people_text(len(enrolments) - len(new))} had a seat already."
    return BulkDone(message)


SHORT_COURSE = BulkAction(
    key="short_course",
    label="Enrol in a short course",
    button="Enrol",
    eligible=_participants,
    run=_enrol,
    form_class=BulkShortCourseForm,
    order=20,
)
