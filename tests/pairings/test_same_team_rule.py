"""When the programme says so, the matcher never pairs two members of one redesign team."""

import pytest

from pairings.models import Pairing, PairingPreference
from pairings.selectors import forbidden_pairs, suggest_pairs
from redesign_projects import services as team_services
from tests.pairings.helpers import enrol, manager_in


@pytest.fixture
def people(cohort):
    clinician = enrol(cohort, department="Respiratory")
    same_team_manager = manager_in(cohort, department="Operations")
    other_manager = manager_in(cohort, department="Finance")
    # The clinician would rather work with Operations: the best-scoring pair is in-team.
    PairingPreference.objects.create(
        cohort=cohort, person=clinician, preferred_departments=["Operations"]
    )
    team_services.team_create(
        cohort=cohort,
        name="Flow team",
        clinical_lead=clinician,
        members=[same_team_manager],
        acting_user=None,
    )
    return clinician, same_team_manager, other_manager


def _suggested(cohort):
    result = suggest_pairs(cohort, Pairing.Kind.PARTNERSHIP).result
    return {(s.clinician_id, s.manager_id) for s in result.pairs}


def test_without_the_rule_the_best_pair_may_share_a_team(cohort, people):
    clinician, same_team_manager, _other = people
    assert forbidden_pairs(cohort) == frozenset()
    assert _suggested(cohort) == {(clinician.pk, same_team_manager.pk)}


def test_with_the_rule_team_mates_are_never_suggested(cohort, people):
    clinician, same_team_manager, other_manager = people
    cohort.programme.pairs_avoid_same_team = True
    cohort.programme.save()
    pair = tuple(sorted((clinician.pk, same_team_manager.pk)))
    assert forbidden_pairs(cohort) == {pair}
    assert _suggested(cohort) == {(clinician.pk, other_manager.pk)}
