"""Changes made in Django's admin site go into the same audit trail as changes made in the
product: roles (programme administrators, staff and superuser status) and enrolments can be
changed there, and the services that audit them are not involved."""

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from .services import audit_record

# Never copied into the trail: a hash is a secret, and ``last_login`` changes on every login.
UNRECORDED_FIELDS = frozenset({"password", "last_login"})


class AuditedModelAdmin(admin.ModelAdmin):
    """Records ``<audit_name>.admin_add`` / ``.admin_change`` with the fields that changed
    (old → new), and ``<audit_name>.<m2m field>`` for many-to-many changes (added and removed
    ids), naming the administrator who made them."""

    audit_name: str = ""

    def audit_cohort_id(self, obj: models.Model) -> int | None:
        return getattr(obj, "cohort_id", None)

    def audit_person_id(self, obj: models.Model) -> int | None:
        return getattr(obj, "person_id", None)

    def save_model(self, request, obj, form, change):
        before = {}
        if change:
            before = {
                name: form.initial.get(name)
                for name in form.changed_data
                if name not in UNRECORDED_FIELDS and name in form.initial
            }
        super().save_model(request, obj, form, change)
        changed = {
            name: [_plain(before.get(name)), _plain(form.cleaned_data.get(name))]
            for name in form.changed_data
            if name not in UNRECORDED_FIELDS and not _is_many_to_many(obj, name)
        }
        audit_record(
            actor=request.user,
            action=f"{self.audit_name}.admin_{'change' if change else 'add'}",
            target=obj,
            changes=changed,
            cohort_id=self.audit_cohort_id(obj),
            person_id=self.audit_person_id(obj),
        )

    def save_related(self, request, form, formsets, change):
        names = [n for n in form.changed_data if _is_many_to_many(form.instance, n)]
        before = {n: set(getattr(form.instance, n).values_list("pk", flat=True)) for n in names}
        super().save_related(request, form, formsets, change)
        for name in names:
            after = set(getattr(form.instance, name).values_list("pk", flat=True))
            if after != before[name]:
                audit_record(
                    actor=request.user,
                    action=f"{self.audit_name}.{name}",
                    target=form.instance,
                    changes={
                        "added": sorted(after - before[name]),
                        "removed": sorted(before[name] - after),
                    },
                )


def _is_many_to_many(obj: models.Model, name: str) -> bool:
    try:
        return bool(obj._meta.get_field(name).many_to_many)
    except FieldDoesNotExist:  # a form-only field
        return False


def _plain(value) -> str | bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)
