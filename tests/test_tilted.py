from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from scipy import stats

from cnslbp_lib.exceptions import EmptyLatticeError, SamplingBudgetError
from cnslbp_lib.stats.lattice import VectorConstraints, VectorLattice, count_exact
from cnslbp_lib.stats.tilted import TiltedSampler

# the brute-force enumeration over the whole box is the reference, as for the lattice
from .test_lattice import OUTCOMES, enumerate_vectors, satisfies, small_constraints

UNIFORM = [
    # a few hundred to a few thousand members: without and with the threshold count, contiguous or not
    VectorConstraints(5, -4, 5, 4, range(30, 45), cut=2, count_at_least=2),  # 1,430 members
    VectorConstraints(5, -4, 5, 4, (30, 36, 40, 50)),  # 1,070 members
    VectorConstraints(5, -3, 4, 3, (11, 15, 21, 29), cut=1, count_at_least=3),  # 230 members
    VectorConstraints(4, -3, 4, 2, (10, 14, 18)),  # 102 members
    # values of the wrong parity mixed in; every entry at or above the cut; none
    VectorConstraints(5, -3, 4, -4, (6, 9, 12, 20, 31, 40)),
    VectorConstraints(4, -3, 4, 2, tuple(range(50)), cut=-3, count_at_least=4),
    VectorConstraints(5, -2, 5, 2, tuple(range(40)), cut=2, count_at_least=0),
    # n = 1 and n = 2
    VectorConstraints(1, -3, 4, 2, (0, 4, 100), cut=2, count_at_least=1),
    VectorConstraints(2, -3, 4, 1, (1, 5, 13, 25), cut=1, count_at_least=1),
]


@pytest.mark.parametrize("constraints", UNIFORM)
def test_draws_cover_exactly_the_enumerated_set_and_are_uniform_over_it(constraints):
    members = enumerate_vectors(constraints)
    draws = TiltedSampler(constraints).sample(max(2_000, 20 * len(members)), np.random.default_rng(20240611))
    hits = Counter(map(tuple, draws.tolist()))
    assert set(hits) == set(members)
    if len(members) > 1:
        assert stats.chisquare([hits[m] for m in members]).pvalue > 0.001


def test_draws_follow_the_lattice_on_a_study_sized_set_too_large_to_enumerate():
    # PSQ's constraints (n = 14, about 10^17 members): the lattice draws exactly, by another route
    constraints = OUTCOMES["psq"]
    tilted = TiltedSampler(constraints).sample(3_000, np.random.default_rng(3))
    exact = VectorLattice(constraints).sample(3_000, np.random.default_rng(4))
    assert satisfies(constraints, tilted).all()
    # each entry's value, pooled over positions, and each vector's largest entry, in coarse bins
    for statistic, edges in (
        (lambda d: d.ravel(), np.arange(-40, 45, 5)),
        (lambda d: d.max(axis=1), [0, 8, 12, 16, 20, 41]),
    ):
        table = [np.histogram(statistic(d), bins=edges)[0] for d in (tilted, exact)]
        table = np.array(table)[:, np.array(table).sum(axis=0) > 0]
        assert stats.chi2_contingency(table).pvalue > 0.001


@pytest.mark.parametrize("constraints", UNIFORM[:4])
def test_the_count_estimate_lies_within_four_standard_errors_of_the_exact_count(constraints):
    exact = len(enumerate_vectors(constraints))
    estimate = TiltedSampler(constraints).estimate_count(20_000, np.random.default_rng(5))
    assert not estimate.exact and estimate.method == "tilted" and estimate.draws == 20_000
    assert 0 < estimate.standard_error < 0.05 * exact
    assert abs(estimate.count - exact) < 4 * estimate.standard_error
    assert estimate.log10_count == pytest.approx(np.log10(estimate.count))


@pytest.mark.parametrize("name", OUTCOMES)
def test_the_count_estimate_of_each_study_outcome_agrees_with_the_exact_integer_count(name):
    exact = count_exact(OUTCOMES[name])
    estimate = TiltedSampler(OUTCOMES[name]).estimate_count(200_000, np.random.default_rng(6))
    assert estimate.standard_error < 0.1 * exact
    assert abs(estimate.count - exact) < 4 * estimate.standard_error


def test_standard_errors_describe_the_spread_of_repeated_estimates():
    constraints = UNIFORM[3]
    exact = len(enumerate_vectors(constraints))
    sampler = TiltedSampler(constraints)
    estimates = [sampler.estimate_count(2_000, np.random.default_rng(seed)) for seed in range(60)]
    z = np.array([(e.count - exact) / e.standard_error for e in estimates])
    # 60 standardised errors: centred near 0 with spread near 1 if the estimate is unbiased and its SE right
    assert abs(z.mean()) < 0.5
    assert 0.7 < z.std() < 1.3


def test_draws_report_the_draws_they_took_and_keep_what_they_say():
    constraints = UNIFORM[0]
    drawn = TiltedSampler(constraints).draw(500, np.random.default_rng(7))
    assert drawn.vectors.shape == (500, 5) and drawn.vectors.dtype == np.int64
    assert satisfies(constraints, drawn.vectors).all()
    assert drawn.kept >= 500 and drawn.draws > drawn.kept
    assert drawn.keep_rate == drawn.kept / drawn.draws
    assert abs(drawn.count.count - 1_430) < 4 * drawn.count.standard_error


def test_a_row_of_one_hundred_on_a_wide_scale_draws_vectors_meeting_every_constraint():
    # mean change -8.30, SD 15.20 over n = 100 (in improvement units: total 830); 45 improve by 10 or more
    constraints = VectorConstraints(100, -100, 100, 830, range(29748, 29777), cut=10, count_at_least=45)
    draws = TiltedSampler(constraints).sample(200, np.random.default_rng(8))
    assert satisfies(constraints, draws).all()
    # the permutation spreads the entries at or above the cut over every position
    assert (draws >= 10).any(axis=0).all() and (draws < 10).any(axis=0).all()


def test_a_set_with_a_single_vector_is_drawn():
    # only (4, 4, 4) has sum 12 in [-3, 4]
    sampler = TiltedSampler(VectorConstraints(3, -3, 4, 12, (48,)))
    assert sampler.sample(5, np.random.default_rng(0)).tolist() == [[4, 4, 4]] * 5
    assert sampler.estimate_count(100, np.random.default_rng(0)).count == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("constraints", "named"),
    [
        (VectorConstraints(3, -3, 4, 13, (50, 51)), "total=13 lies outside"),
        (VectorConstraints(3, -3, 4, 2, (3, 5, 7)), "parity"),
        (
            VectorConstraints(3, -3, 4, 9, (3, 5, 7)),
            r"sums_of_squares: every allowed value \(3 to 7\) lies outside \[27, ",
        ),
        (VectorConstraints(3, -3, 4, 2, (50, 52)), r"lies outside \[2, 26\]"),  # (1, 1, 0) and (4, 1, -3)
        (VectorConstraints(1, -3, 4, 2, (6,)), r"lies outside \[4, 4\]"),
        (VectorConstraints(3, -3, 4, 2, (10,), cut=5, count_at_least=1), "cut"),
        (VectorConstraints(3, -3, 4, 2, (10,), cut=-3, count_at_least=2), "cut"),
        (VectorConstraints(3, -3, 4, 10, (34,), cut=4, count_at_least=0), "total=10 lies outside"),
    ],
)
def test_an_exactly_empty_set_raises_and_names_the_constraint(constraints, named):
    assert not enumerate_vectors(constraints)
    with pytest.raises(EmptyLatticeError, match=named):
        TiltedSampler(constraints)


def test_a_set_empty_inside_the_reachable_range_ends_at_the_budget_naming_the_sums_of_squares():
    # (a, b, -a-b) has sum of squares 2(a² + ab + b²), never 4, 10 or 12, though 0 to 26 are reachable
    constraints = VectorConstraints(3, -3, 4, 0, (4, 10, 12))
    assert not enumerate_vectors(constraints)
    with pytest.raises(SamplingBudgetError, match=r"sums_of_squares: none of [\d,]+ tilted draws .* \(4 to 12\)"):
        TiltedSampler(constraints).sample(10, np.random.default_rng(0), max_draws=100_000)
    with pytest.raises(SamplingBudgetError, match="the count cannot be estimated"):
        TiltedSampler(constraints).estimate_count(10_000, np.random.default_rng(0))


def test_a_budget_too_small_for_the_request_gives_up_early_and_says_how_many_draws_it_needs():
    sampler = TiltedSampler(UNIFORM[0])
    with pytest.raises(SamplingBudgetError, match=r"only [\d,]+ of 4,096 .* more draws, beyond 5,000"):
        sampler.sample(2_000, np.random.default_rng(0), max_draws=5_000)


def test_a_table_over_sums_beyond_its_limit_is_refused_before_it_is_built():
    with pytest.raises(SamplingBudgetError, match="would need"):
        TiltedSampler(VectorConstraints(5_000, -100, 100, 0, (10**7,)))
    with pytest.raises(SamplingBudgetError, match=r"n, low, high: .* would need [\d,]+ cells"):
        TiltedSampler(VectorConstraints(10**5, -1, 1, 0, (10**4,)))


def test_the_same_seed_gives_the_same_draws_and_another_seed_does_not():
    sampler = TiltedSampler(UNIFORM[0])
    first = sampler.sample(300, np.random.default_rng(7))
    assert np.array_equal(first, TiltedSampler(UNIFORM[0]).sample(300, np.random.default_rng(7)))
    assert not np.array_equal(first, sampler.sample(300, np.random.default_rng(8)))


def test_invalid_arguments_raise_value_error_naming_the_argument():
    sampler = TiltedSampler(UNIFORM[3])
    assert sampler.sample(0, np.random.default_rng(0)).shape == (0, 4)
    with pytest.raises(ValueError, match="size must be at least 0"):
        sampler.sample(-1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="size must be at least 1"):
        sampler.draw(0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="size must be an integer"):
        sampler.sample(2.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"rng must be a numpy\.random\.Generator"):
        sampler.sample(2, np.random.RandomState(0))
    with pytest.raises(ValueError, match="max_draws must be at least 1"):
        sampler.sample(2, np.random.default_rng(0), max_draws=0)
    with pytest.raises(ValueError, match="draws must be at least 2"):
        sampler.estimate_count(1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="overflow int64"):
        TiltedSampler(VectorConstraints(4, -(2**31), 2**31, 0, (0,)))


def test_long_rows_on_a_narrow_scale_draw_in_blocks_that_fit_in_memory():
    # 2,000 entries in [-1, 1]: blocks of 2,097 rows keep 2^22 entries
    constraints = VectorConstraints(2_000, -1, 1, 20, range(650, 700))
    draws = TiltedSampler(constraints).sample(20, np.random.default_rng(0))
    assert satisfies(constraints, draws).all()


@given(small_constraints())
def test_on_random_small_constraints_draws_meet_them_or_the_error_says_the_set_is_empty_or_thin(c):
    members = set(enumerate_vectors(c))
    try:
        draws = TiltedSampler(c).sample(30, np.random.default_rng(0), max_draws=20_000)
    except EmptyLatticeError:
        assert not members
    except SamplingBudgetError as error:
        # only a set the exact checks cannot rule out ends at the budget: empty here, or very thin
        assert str(error).startswith("sums_of_squares: ")
        assert len(members) < 5
    else:
        assert {tuple(d) for d in draws.tolist()} <= members
