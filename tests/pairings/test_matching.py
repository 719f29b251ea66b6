"""The matcher on hand-built cases and, with hypothesis, against brute force on small ones."""

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from pairings.matching import Candidate, match, score_pair


def person(pid, **fields):
    return Candidate(id=pid, name=f"P{pid}", **fields)


def interested(pid, *interests, **fields):
    return person(pid, interests=frozenset(interests), **fields)


def pairs_of(result):
    return {(p.clinician_id, p.manager_id) for p in result.pairs}


def greedy_total(clinicians, managers):
    """Take the best remaining pair, again and again: what a spreadsheet would do."""
    scored = sorted(
        ((score_pair(c, m).score, c.id, m.id) for c in clinicians for m in managers),
        reverse=True,
    )
    used, total = set(), 0
    for score, c, m in scored:
        if c not in used and m not in used:
            used |= {c, m}
            total += score
    return total


def test_score_counts_shared_interests_wanted_departments_and_free_half_days():
    clinician = person(
        1,
        department="Emergency Department",
        interests=frozenset({"patient_flow", "digital", "finance"}),
        preferred_departments=frozenset({"operations"}),
        availability=frozenset({"mon_am", "tue_pm"}),
    )
    manager = person(
        2,
        department="Operations",
        interests=frozenset({"patient_flow", "digital"}),
        preferred_departments=frozenset({"Emergency  department"}),
        availability=frozenset({"mon_am", "tue_pm", "fri_am"}),
    )
    scored = score_pair(clinician, manager)
    # 2 shared interests × 3 + both departments wanted × 4 + 2 shared half-days × 1
    assert scored.score == 6 + 8 + 2
    assert scored.reasons[0] == "Shared interests: digital, patient_flow"
    assert "P2 asked for Emergency Department, where P1 works" in scored.reasons
    assert "P1 asked for Operations, where P2 works" in scored.reasons
    assert scored.reasons[-1] == "Both free: mon_am, tue_pm"


def test_reasons_use_labels_in_the_order_of_the_week():
    slots = {"mon_am": "Mon morning", "wed_pm": "Wed afternoon", "fri_am": "Fri morning"}
    both = frozenset({"fri_am", "mon_am", "wed_pm"})
    scored = score_pair(
        person(1, availability=both), person(2, availability=both), slot_labels=slots
    )
    assert scored.reasons == ("Both free: Mon morning, Wed afternoon, Fri morning",)


def test_fifty_by_fifty_pairs_everyone_and_never_a_line_manager():
    """A cohort-sized problem: everyone paired, nobody with their line manager. (How fast is
    measured in bench/pairing_match.py, as a figure beside its goal, not timed here.)"""
    rng = random.Random(50)
    topics = [f"t{n}" for n in range(14)]
    slots = [f"s{n}" for n in range(10)]

    def people(first):
        return [
            person(
                first + i,
                interests=frozenset(rng.sample(topics, 3)),
                availability=frozenset(rng.sample(slots, 4)),
            )
            for i in range(50)
        ]

    clinicians, managers = people(1), people(1000)
    line_management = [(1000 + i, 1 + i) for i in range(50)]
    result = match(clinicians, managers, line_management=line_management)
    assert len(result.pairs) == 50
    assert len({p.clinician_id for p in result.pairs}) == 50
    assert len({p.manager_id for p in result.pairs}) == 50
    assert not {(p.manager_id, p.clinician_id) for p in result.pairs} & set(line_management)


def test_free_half_days_count_for_at_most_four_points():
    week = frozenset(f"{d}_{h}" for d in ("mon", "tue", "wed", "thu", "fri") for h in "ap")
    assert score_pair(person(1, availability=week), person(2, availability=week)).score == 4


def test_it_finds_the_optimal_total_where_greedy_does_not():
    # Greedy takes c1–m1 (3 shared interests = 9) and is left with c2–m2 (none): total 9.
    # The optimum pairs c1–m2 and c2–m1 (2 shared each = 6 + 6 = 12).
    c1 = interested(1, "a", "b", "c", "d", "f")
    c2 = interested(2, "a", "b")
    m1 = interested(11, "a", "b", "c")
    m2 = interested(12, "d", "f")
    assert greedy_total([c1, c2], [m1, m2]) == 9
    result = match([c1, c2], [m1, m2])
    assert pairs_of(result) == {(1, 12), (2, 11)}
    assert result.total_score == 12


def test_it_never_pairs_someone_with_their_line_manager_either_way_round():
    c1, c2 = interested(1, "a"), interested(2, "b")
    m1, m2 = interested(11, "a"), interested(12, "b")
    # The best pairs are c1–m1 and c2–m2, but m1 manages c1 and c2 manages m2.
    result = match([c1, c2], [m1, m2], line_management=[(11, 1), (2, 12)])
    assert pairs_of(result) == {(1, 12), (2, 11)}
    assert {(e.clinician_id, e.manager_id) for e in result.exclusions} == {(1, 11), (2, 12)}
    assert result.exclusions[0].reason == "P11 line-manages P1"


def test_forbidden_pairs_stay_apart_even_if_it_leaves_people_unpaired():
    c1, c2 = interested(1, "a"), interested(2, "a")
    m1 = interested(11, "a")
    result = match([c1, c2], [m1], forbidden=[(11, 1), (2, 11)])
    assert result.pairs == ()
    assert {u.person_id for u in result.unpaired_clinicians} == {1, 2}
    assert [u.person_id for u in result.unpaired_managers] == [11]
    assert "No allowed partner" in result.unpaired_managers[0].reason


def test_it_pairs_as_many_people_as_the_rules_allow_before_chasing_score():
    # c1–m1 alone scores 9, but taking it leaves c2 with no allowed partner. Pairing everyone
    # (c1–m2, c2–m1) scores 0 and is preferred.
    c1, c2 = interested(1, "a", "b", "c"), interested(2)
    m1, m2 = interested(11, "a", "b", "c"), interested(12)
    result = match([c1, c2], [m1, m2], forbidden=[(2, 12)])
    assert pairs_of(result) == {(1, 12), (2, 11)}


def test_unequal_numbers_say_who_is_left_unpaired_and_why():
    clinicians = [interested(i, "a") for i in (1, 2, 3)]
    managers = [interested(11, "a"), interested(12)]
    result = match(clinicians, managers)
    assert len(result.pairs) == 2
    (left,) = result.unpaired_clinicians
    assert left.reason == "More clinicians than managers."
    assert result.unpaired_managers == ()


def test_nobody_to_match_gives_an_empty_result():
    result = match([], [person(11)])
    assert result.pairs == () and result.total_score == 0
    assert [u.person_id for u in result.unpaired_managers] == [11]


def test_the_same_people_in_any_order_get_the_same_suggestions():
    rng = random.Random(7)
    topics = list("abcdefgh")
    clinicians = [interested(i, *rng.sample(topics, 3)) for i in range(1, 13)]
    managers = [interested(100 + i, *rng.sample(topics, 3)) for i in range(1, 11)]
    first = match(clinicians, managers)
    for _ in range(5):
        rng.shuffle(clinicians)
        rng.shuffle(managers)
        assert match(clinicians, managers) == first


# --- property-based: compare with brute force on small instances --------------------------

TOPICS = ["a", "b", "c", "d"]
SLOTS = ["mon_am", "mon_pm", "tue_am"]
DEPTS = ["ED", "Ops", "Surgery"]


@st.composite
def instances(draw):
    n_c = draw(st.integers(0, 4))
    n_m = draw(st.integers(0, 4))

    def people(first_id, n):
        return [
            Candidate(
                id=first_id + i,
                name=f"P{first_id + i}",
                department=draw(st.sampled_from(DEPTS)),
                interests=frozenset(draw(st.sets(st.sampled_from(TOPICS)))),
                preferred_departments=frozenset(draw(st.sets(st.sampled_from(DEPTS)))),
                availability=frozenset(draw(st.sets(st.sampled_from(SLOTS)))),
            )
            for i in range(n)
        ]

    clinicians, managers = people(1, n_c), people(100, n_m)
    every = [(c.id, m.id) for c in clinicians for m in managers]
    banned = draw(st.lists(st.sampled_from(every), unique=True)) if every else []
    cut = draw(st.integers(0, len(banned)))
    bosses = [(m, c) for c, m in banned[:cut]]  # some as line management (boss first)
    forbidden = banned[cut:]
    return clinicians, managers, bosses, forbidden


def brute_force_best(clinicians, managers, banned):
    """The best (number of pairs, total score) over every possible set of allowed pairs."""
    best = (0, 0)
    small, large = (
        (clinicians, managers) if len(clinicians) <= len(managers) else (managers, clinicians)
    )
    for k in range(len(small) + 1):
        for chosen in itertools.combinations(small, k):
            for partners in itertools.permutations(large, k):
                pairs = list(zip(chosen, partners, strict=True))
                if any(frozenset((a.id, b.id)) in banned for a, b in pairs):
                    continue
                total = sum(
                    score_pair(*((a, b) if a in clinicians else (b, a))).score for a, b in pairs
                )
                best = max(best, (k, total))
    return best


@settings(max_examples=150, deadline=None)
@given(instances())
def test_it_matches_brute_force_and_never_breaks_a_hard_rule(instance):
    clinicians, managers, bosses, forbidden = instance
    banned = {frozenset(p) for p in [*bosses, *forbidden]}
    result = match(clinicians, managers, line_management=bosses, forbidden=forbidden)

    assert not any(frozenset((p.clinician_id, p.manager_id)) in banned for p in result.pairs)
    assert (len(result.pairs), result.total_score) == brute_force_best(clinicians, managers, banned)
    # Everyone is either paired exactly once or listed as unpaired.
    paired_c = [p.clinician_id for p in result.pairs]
    paired_m = [p.manager_id for p in result.pairs]
    assert len(set(paired_c)) == len(paired_c) and len(set(paired_m)) == len(paired_m)
    assert sorted(paired_c + [u.person_id for u in result.unpaired_clinicians]) == [
        c.id for c in clinicians
    ]
    assert sorted(paired_m + [u.person_id for u in result.unpaired_managers]) == [
        m.id for m in managers
    ]


@settings(max_examples=50, deadline=None)
@given(instances(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_input_order(instance, rng):
    clinicians, managers, bosses, forbidden = instance
    first = match(clinicians, managers, line_management=bosses, forbidden=forbidden)
    rng.shuffle(clinicians)
    rng.shuffle(managers)
    assert match(clinicians, managers, line_management=bosses, forbidden=forbidden) == first
