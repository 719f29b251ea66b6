"""Who gets what from each cohorts URL. Administrators (of the programme) manage; clinical
leaders read the cohort page; every member reads the people list; outsiders get 404."""

from django.utils import timezone

from cohorts.models import Enrolment
from leadership.models import Notification
from tests.permission_table import Expect, logged_in


def _cohort(world):
    return {"cohort_id": world.cohort.pk}


def _programme(world):
    return {"programme_id": world.cohort.programme_id}


def _participant_enrolment(world):
    return Enrolment.objects.get(cohort=world.cohort, person=world.personas["participant"])


# Administrators only; other members of the cohort are told no (403), outsiders 404.
ADMIN_OF_COHORT = logged_in(403, other_participant=404, administrator=200)
# The same, for a POST that succeeds and redirects.
ADMIN_OF_COHORT_POST = logged_in(403, other_participant=404, administrator=302)
# A POST-only view answers a GET with 405 once logged in.
POST_ONLY = logged_in(405)

ROWS = {
    "cohorts:cohort_list": Expect(get=logged_in(404, administrator=200)),
    "cohorts:cohort_detail": Expect(
        get=logged_in(403, other_participant=404, administrator=200, clinical_leader=200),
        kwargs=_cohort,
    ),
    "cohorts:cohort_edit": Expect(
        get=ADMIN_OF_COHORT,
        post=ADMIN_OF_COHORT_POST,
        kwargs=_cohort,
        data=lambda world: {
            "version": world.cohort.version,
            "name": world.cohort.name,
            "capacity": "40",
            "venue_name": "Level 2 seminar room",
            "venue_address": "",
        },
    ),
    "cohorts:cohort_status": Expect(
        get=POST_ONLY,
        post=ADMIN_OF_COHORT_POST,
        kwargs=_cohort,
        data=lambda world: {"status": "completed"},
    ),
    "cohorts:cohort_people": Expect(get=logged_in(200, other_participant=404), kwargs=_cohort),
    "cohorts:invitation_list": Expect(get=ADMIN_OF_COHORT, kwargs=_cohort),
    "cohorts:invitation_resend_all": Expect(
        get=POST_ONLY, post=ADMIN_OF_COHORT_POST, kwargs=_cohort
    ),
    "cohorts:invitation_resend": Expect(
        get=POST_ONLY,
        post=ADMIN_OF_COHORT_POST,
        kwargs=lambda world: {
            "cohort_id": world.cohort.pk,
            "person_id": world.personas["participant"].pk,
        },
    ),
    # With nothing selected the administrator is sent back to the list (302); the POST
    # exports the participant's row (200, a file).
    "cohorts:people_bulk": Expect(
        get=logged_in(403, other_participant=404, administrator=302),
        post=ADMIN_OF_COHORT,
        kwargs=_cohort,
        data=lambda world: {
            "action": "export",
            "format": "csv",
            "enrolment": [_participant_enrolment(world).pk],
        },
    ),
    "cohorts:people_export_csv": Expect(get=ADMIN_OF_COHORT, kwargs=_cohort),
    "cohorts:people_export_xlsx": Expect(get=ADMIN_OF_COHORT, kwargs=_cohort),
    "cohorts:enrolment_create": Expect(
        get=ADMIN_OF_COHORT,
        post=ADMIN_OF_COHORT_POST,
        kwargs=_cohort,
        data=lambda world: {
            "email": "new.person@example.org",
            "role": "participant",
            "first_name": "Ngaio",
            "profession": "nurse",
        },
    ),
    "cohorts:enrolment_withdraw": Expect(
        get=ADMIN_OF_COHORT,
        post=ADMIN_OF_COHORT_POST,
        kwargs=lambda world: {
            "cohort_id": world.cohort.pk,
            "enrolment_id": world.once("enrolment", lambda: _participant_enrolment(world)).pk,
        },
        data=lambda world: {
            "withdrawn_on": timezone.localdate().isoformat(),
            "reason": "Moved to another region",
        },
    ),
    # A POST without a file re-shows the form with its error.
    "cohorts:import_upload": Expect(get=ADMIN_OF_COHORT, post=ADMIN_OF_COHORT, kwargs=_cohort),
    # Without a preview in the session the confirm sends the administrator back to upload.
    "cohorts:import_confirm": Expect(get=POST_ONLY, post=ADMIN_OF_COHORT_POST, kwargs=_cohort),
    "cohorts:programme_list": Expect(get=logged_in(404, administrator=200)),
    "cohorts:programme_create": Expect(
        get=logged_in(404, administrator=200),
        post=logged_in(404, administrator=302),
        data=lambda world: {
            "name": "Leading Primary Care",
            "default_capacity": "30",
            "completion_min_attendance_percent": "80",
            "email_greeting": "Kia ora",
        },
    ),
    "cohorts:programme_detail": Expect(get=logged_in(404, administrator=200), kwargs=_programme),
}


# A cohort's e-mail log (/notifications/cohort/…): its administrators only.


def _failed_notification(world):
    return world.once(
        "failed_notification",
        lambda: Notification.objects.create(
            recipient=world.personas["participant"],
            kind=Notification.Kind.SESSION_REMINDER,
            dedup_key="permissions:failed",
            template="generic",
            cohort_id=world.cohort.pk,
            status=Notification.Status.FAILED,
        ),
    )


MEMBERS_403 = {"participant": 403, "faculty": 403, "clinical_leader": 403}

ROWS.update(
    {
        "notification_log": Expect(
            get=logged_in(404, administrator=200, **MEMBERS_403),
            kwargs=_cohort,
        ),
        "notification_retry": Expect(
            get=logged_in(405),
            post=logged_in(404, administrator=302, **MEMBERS_403),
            kwargs=lambda world: {"pk": _failed_notification(world).pk},
        ),
    }
)
