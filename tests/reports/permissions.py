"""Who gets what from each reports URL. Sponsors (administrators, clinical leaders) see every
report of the cohort; a participant only their own transcript and certificate (someone else's
report: 404); faculty are told no (403). The certificate check is public."""

from django.core.files.base import ContentFile
from django.utils import timezone

from reports.models import Certificate, ReportRequest
from tests.permission_table import Expect, logged_in, statuses


def _cohort(world):
    return {"cohort_id": world.cohort.pk}


# Administrators only; other members of the cohort are told no (403), outsiders 404.
ADMIN_OF_COHORT_POST = logged_in(403, other_participant=404, administrator=302)


def _report(world, status="ready"):
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

ROWS = {
    # The cohort page's cards: the cohort page's readers.
    "reports:cohort_card": Expect(
        get=logged_in(403, other_participant=404, administrator=200, clinical_leader=200),
        kwargs=lambda world: {"cohort_id": world.cohort.pk, "card": "attendance"},
    ),
    "reports:report_list": Expect(get=REPORT_PAGE, kwargs=_cohort),
    "reports:report_generate": Expect(
        get=logged_in(405),
        post=logged_in(403, other_participant=404, administrator=302, clinical_leader=302),
        kwargs=_cohort,
        data=lambda world: {"kind": "progress"},
    ),
    "reports:report_detail": Expect(
        get=REPORT_OF_SPONSORS,
        kwargs=lambda world: {"cohort_id": world.cohort.pk, "report_id": _report(world).pk},
    ),
    "reports:report_download": Expect(
        get=REPORT_OF_SPONSORS,
        kwargs=lambda world: {"cohort_id": world.cohort.pk, "report_id": _report(world).pk},
    ),
    "reports:report_retry": Expect(
        get=logged_in(405),
        post=logged_in(404, faculty=403, administrator=302, clinical_leader=302),
        kwargs=lambda world: {
            "cohort_id": world.cohort.pk,
            "report_id": _report(world, "failed").pk,
        },
    ),
    "reports:report_export_csv": Expect(
        get=SPONSOR_ONLY,
        kwargs=lambda world: {"cohort_id": world.cohort.pk, "figure": "attendance"},
    ),
    "reports:report_export_xlsx": Expect(get=SPONSOR_ONLY, kwargs=_cohort),
    "reports:certificate_revoke": Expect(
        get=logged_in(405),
        post=ADMIN_OF_COHORT_POST,
        kwargs=lambda world: {
            "cohort_id": world.cohort.pk,
            "certificate_id": _certificate(world).pk,
        },
        data=lambda world: {"reason": "Issued in error"},
    ),
    # Public: anyone may check a code, and learns only valid/revoked, name and programme.
    "reports:certificate_verify": Expect(get=statuses(200)),
    # Redirects a participant to their cohort's report page.
    "reports:my_documents": Expect(get=logged_in(404, participant=302, other_participant=302)),
    "reports:person_detail": Expect(
        get=logged_in(403, other_participant=404, administrator=200),
        kwargs=lambda world: {
            "cohort_id": world.cohort.pk,
            "person_id": world.personas["participant"].pk,
        },
    ),
}
