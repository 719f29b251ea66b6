"""The measures' part of subject access (``governance/privacy.py`` runs it): the measures a
person created, the data points they entered and the PDSA cycles they started.

Erasure keeps these rows as they are — they are the team's improvement record, as its team
work is — so there is no erase hook here."""

from django.db.models import Q

from leadership.models import User
from leadership.privacy import SubjectAccessData, when

from .models import DataPoint, Measure, PdsaCycle


def export_measures(person: User, cohort_ids: set[int] | None) -> SubjectAccessData:
    """The measures they created, the data points they entered and the PDSA cycles they
    started, in ``cohort_ids`` (None: every cohort; a measure belongs to a team's or a
    pairing's cohort). Read-only, three queries."""
    data = SubjectAccessData()
    s = data.sections
    measures = Measure.objects.filter(created_by=person)
    points = DataPoint.objects.filter(recorded_by=person).select_related("measure")
    if cohort_ids is not None:
        measures = measures.filter(
            Q(team__cohort__in=cohort_ids) | Q(pairing__cohort__in=cohort_ids)
        )
        points = points.filter(
            Q(measure__team__cohort__in=cohort_ids) | Q(measure__pairing__cohort__in=cohort_ids)
        )
    s["measures_you_created"] = [
        {
            "measure": m.name,
            "kind": m.get_kind_display(),
            "unit": m.unit,
            "created_at": when(m.created_at),
        }
        for m in measures
    ]
    s["data_points_you_entered"] = [
        {
            "measure": p.measure.name,
            "period": when(p.period),
            "value": str(p.value.normalize()),
            "annotation": p.annotation,
            "recorded_at": when(p.recorded_at),
        }
        for p in points
    ]
    cycles = PdsaCycle.objects.filter(created_by=person).select_related("team", "pairing")
    if cohort_ids is not None:
        cycles = cycles.filter(Q(team__cohort__in=cohort_ids) | Q(pairing__cohort__in=cohort_ids))
    s["pdsa_cycles_you_started"] = [
        {
            "team": c.team.name if c.team else None,
            "pair_project": c.pairing.project_title if c.pairing else None,
            "decision": c.get_decision_display(),
            "change_idea": c.change_idea,
            "started_on": when(c.started_on),
            "ended_on": when(c.ended_on),
        }
        for c in cycles
    ]
    return data
