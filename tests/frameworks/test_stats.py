"""The paired statistics against values worked out by hand and the printed t table."""

import pytest

from frameworks.stats import paired_change, t_quantile, t_two_sided_probability

# Student's t, 0.975 quantile, from the printed table (three decimals).
TABLE = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 9: 2.262, 10: 2.228, 19: 2.093}
TABLE |= {29: 2.045, 30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980}


@pytest.mark.parametrize(("df", "expected"), sorted(TABLE.items()))
def test_the_t_quantile_matches_the_printed_table(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=5e-4)


def test_the_t_distribution_of_one_degree_is_cauchy():
    # P(|T| ≤ 1) for Cauchy is 2·atan(1)/π = 0.5.
    assert t_two_sided_probability(1.0, 1) == pytest.approx(0.5)


def test_it_rejects_impossible_quantiles():
    with pytest.raises(ValueError):
        t_quantile(0.4, 5)


def test_the_mean_change_and_its_interval_match_a_hand_calculation():
    # Changes 1, 2, 3, 0.5: mean 1.625; squared deviations 0.390625 + 0.140625 + 1.890625 +
    # 1.265625 = 3.6875; variance 3.6875 / 3 = 1.229167; standard error √(1.229167 / 4) =
    # 0.554339; t(0.975, 3) = 3.182446; half-width 1.764153.
    result = paired_change([1, 2, 3, 0.5])
    assert result.pairs == 4
    assert result.mean == pytest.approx(1.625)
    assert result.low == pytest.approx(1.625 - 1.764153, abs=1e-5)
    assert result.high == pytest.approx(1.625 + 1.764153, abs=1e-5)


def test_identical_changes_have_no_spread():
    result = paired_change([0.5, 0.5, 0.5])
    assert (result.low, result.mean, result.high) == pytest.approx((0.5, 0.5, 0.5))


def test_one_pair_has_a_mean_but_no_interval_and_none_has_neither():
    assert paired_change([0.7]) == paired_change([0.7]).__class__(1, 0.7, None, None)
    assert paired_change([]).mean is None
