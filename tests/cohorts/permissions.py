"""Who gets what from each cohorts URL. Administrators (of the programme) manage; clinical
leaders read the cohort page; every member reads the people list; outsiders get 404."""

from django.utils import timezone

from cohorts.models import Enrolment
from tests.permission_table import Expect, logged_in, statuses


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
    "cohorts:leader_home": Expect(get=logged_in(404, clinical_leader=200)),
    "cohorts:faculty_home": Expect(get=logged_in(404, faculty=200)),
    "cohorts:participant_home": Expect(get=logged_in(404, participant=200, other_participant=200)),
    "cohorts:cohort_detail": Expect(
        get=logged_in(403, other_participant=404, administrator=200, clinical_leader=200),
        kwargs=_cohort,
    ),
    "cohorts:cohort_card": Expect(
        get=logged_in(403, other_participant=404, administrator=200, clinical_leader=200),
        kwargs=lambda world: {"cohort_id": world.cohort.pk, "card": "attendance"},
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
    "cohorts:people_export_csv": Expect(get=ADMIN_OF_COHORT, kwargs=_cohort),
    "cohorts:people_export_xlsx": Expect(get=ADMIN_OF_COHORT, kwargs=_cohort),
    "cohorts:person_detail": Expect(
        get=ADMIN_OF_COHORT,
        kwargs=lambda world: {
            "cohort_id": world.cohort.pk,
            "person_id": world.personas["participant"].pk,
        },
    ),
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
    "cohorts:programme_detail": Expect(get=logged_in(404, administrator=200), kwargs=_programme),
}


# Reports and certificates (issue 9) ------------------------------------------------------------
# Sponsors (administrators, clinical leaders) see every report of the cohort; a participant only
# their own transcript and certificate (someone else's report: 404); faculty are told no (403).


def _report(world, status="ready"):
    from django.core.files.base import ContentFile

    from cohorts.models import ReportRequest

    def make():
        report = ReportRequest(
            cohort=world.cohort,
            kind=ReportRequest.Kind.PROGRESS,
            requested_by=world.personas["clinical_leader"],
            status=status,
            error="Boom" if status == "failed" else "",
            finished_at=timezone.now(),
        )
        if status == "ready":
            report.file.save("r.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
        report.save()
        return report

    return world.once(f"report-{status}", make)


def _certificate(world):
    from cohorts.models import Certificate

    return world.once(
        "certificate",
        lambda: Certificate.objects.create(
            cohort=world.cohort,
            person=world.personas["participant"],
            name_on_certificate="Aroha Participant",
            programme_name=world.cohort.programme.name,
            issued_by=world.personas["administrator"],
        ),
    )


# Sponsors: 200; participants of the cohort may open the page (their own documents); faculty 403.
REPORT_PAGE = logged_in(200, faculty=403, other_participant=404)
SPONSOR_ONLY = logged_in(403, other_participant=404, administrator=200, clinical_leader=200)
REPORT_OF_SPONSORS = logged_in(
    404, faculty=403, administrator=200, clinical_leader=200, participant=404
)

ROWS.update(
    {
        "cohorts:report_list": Expect(get=REPORT_PAGE, kwargs=_cohort),
        "cohorts:report_generate": Expect(
            get=logged_in(405),
            post=logged_in(403, other_participant=404, administrator=302, clinical_leader=302),
            kwargs=_cohort,
            data=lambda world: {"kind": "progress"},
        ),
        "cohorts:report_detail": Expect(
            get=REPORT_OF_SPONSORS,
            kwargs=lambda world: {"cohort_id": world.cohort.pk, "report_id": _report(world).pk},
        ),
        "cohorts:report_download": Expect(
            get=REPORT_OF_SPONSORS,
            kwargs=lambda world: {"cohort_id": world.cohort.pk, "report_id": _report(world).pk},
        ),
        "cohorts:report_retry": Expect(
            get=logged_in(405),
            post=logged_in(404, faculty=403, administrator=302, clinical_leader=302),
            kwargs=lambda world: {
                "cohort_id": world.cohort.pk,
                "report_id": _report(world, "failed").pk,
            },
        ),
        "cohorts:report_export_csv": Expect(
            get=SPONSOR_ONLY,
            kwargs=lambda world: {"cohort_id": world.cohort.pk, "figure": "attendance"},
        ),
        "cohorts:report_export_xlsx": Expect(get=SPONSOR_ONLY, kwargs=_cohort),
        "cohorts:certificate_revoke": Expect(
            get=logged_in(405),
            post=ADMIN_OF_COHORT_POST,
            kwargs=lambda world: {
                "cohort_id": world.cohort.pk,
                "certificate_id": _certificate(world).pk,
            },
            data=lambda world: {"reason": "Issued in error"},
        ),
        # Public: anyone may check a code, and learns only valid/revoked, name and programme.
        "cohorts:certificate_verify": Expect(get=statuses(200)),
        # Redirects a participant to their cohort's report page.
        "cohorts:my_documents": Expect(get=logged_in(404, participant=302, other_participant=302)),
    }
)
