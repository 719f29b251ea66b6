"""Certificates of completion: issuing them (a certificates report's build does, before it
renders) and revoking them. Each is audited."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cohorts.models import Cohort
from leadership.models import User
from leadership.services import audit_record

from .cpd import cpd_record
from .models import Certificate
from .selectors import completing_participants


def certificates_issue(
    *, cohort: Cohort, acting_user: User, people: list[User] | None = None
) -> list[Certificate]:
    """The certificates of ``people`` (every completing participant when None), issuing the
    missing ones with a fresh verification code; existing ones keep their code. Only
    participants marked completed get one; a new one records the CPD evidence it prints (cohort,
    dates, hours attended: ``reports.cpd``). Each newly issued certificate is audited as
    ``certificate.issue``. Returns them by name."""
    completing = completing_participants(cohort)
    if people is not None:
        wanted = {p.pk for p in people}
        completing = [p for p in completing if p.pk in wanted]
    if not completing:
        raise ValidationError("Nobody in this request has completed the programme.")
    with transaction.atomic():
        existing = {
            c.person_id: c
            for c in Certificate.objects.select_for_update().filter(
                cohort=cohort, person__in=completing
            )
        }
        result = []
        for person in completing:
            certificate = existing.get(person.pk)
            if certificate is None:
                cpd = cpd_record(cohort, person)
                certificate = Certificate(
                    cohort=cohort,
                    person=person,
                    name_on_certificate=person.get_full_name() or person.email,
                    programme_name=cohort.programme.name,
                    cohort_name=cohort.name,
                    first_day=cpd.first_day,
                    last_day=cpd.last_day,
                    hours_attended=cpd.attended_hours,
                    issued_by=acting_user,
                )
                certificate.full_clean()
                certificate.save()
                audit_record(
                    actor=acting_user,
                    action="certificate.issue",
                    target=certificate,
                    changes={"code": certificate.code, "hours": str(certificate.hours_attended)},
                    cohort_id=cohort.pk,
                    person_id=person.pk,
                )
            result.append(certificate)
    return result


def certificate_revoke(*, certificate: Certificate, reason: str, acting_user: User) -> Certificate:
    """Revoke a certificate: the verification page says "revoked" from now on. The row stays.
    Audited as ``certificate.revoke`` with the reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the certificate is revoked."})
    if not certificate.is_valid:
        raise ValidationError("This certificate is already revoked.")
    with transaction.atomic():
        certificate.revoked_at = timezone.now()
        certificate.revoked_by = acting_user
        certificate.revocation_reason = reason
        certificate.full_clean()
        certificate.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        audit_record(
            actor=acting_user,
            action="certificate.revoke",
            target=certificate,
            changes={"reason": reason},
            cohort_id=certificate.cohort_id,
            person_id=certificate.person_id,
        )
    return certificate
