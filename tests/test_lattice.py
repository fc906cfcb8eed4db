import itertools
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from cnslbp_lib.stats.lattice import EmptyLatticeError, VectorConstraints, VectorLattice, count_exact

# The study's constraints (n = 14) as the brief states them; PIQ is already negated so that larger is better.
OUTCOMES = {
    "piq": VectorConstraints(14, -70, 70, 263, tuple(range(9729, 9737)), cut=7, count_at_least=11),
    "pseq": VectorConstraints(14, -60, 60, 251, tuple(range(10019, 10026)), cut=11, count_at_least=9),
    "psq": VectorConstraints(14, -40, 40, -65, tuple(range(1516, 1525))),
}


def enumerate_vectors(c: VectorConstraints) -> list[tuple[int, ...]]:
    """Every vector in the set, by brute force over the whole box: the reference for these tests."""
    allowed = set(c.sums_of_squares)
    return [
        d
        for d in itertools.product(range(c.low, c.high + 1), repeat=c.n)
        if sum(d) == c.total
        and sum(x * x for x in d) in allowed
        and (c.cut is None or sum(x >= c.cut for x in d) == c.count_at_least)
    ]


def satisfies(c: VectorConstraints, vectors: np.ndarray) -> np.ndarray:
    ok = (vectors.min(axis=1) >= c.low) & (vectors.max(axis=1) <= c.high) & (vectors.sum(axis=1) == c.total)
    ok &= np.isin((vectors**2).sum(axis=1), c.sums_of_squares)
    if c.cut is not None:
        ok &= (vectors >= c.cut).sum(axis=1) == c.count_at_least
    return ok


SMALL = [
    # contiguous sums of squares, without and with the threshold count
    VectorConstraints(5, -3, 4, 3, tuple(range(10, 30))),
    VectorConstraints(5, -3, 4, 3, tuple(range(10, 30)), cut=1, count_at_least=3),
    # non-contiguous, and with values of the wrong parity mixed in
    VectorConstraints(5, -3, 4, 3, (11, 15, 21, 29), cut=1, count_at_least=3),
    VectorConstraints(5, -3, 4, -4, (6, 9, 12, 20, 31, 40)),
    # the cut at or beyond the box edges
    VectorConstraints(4, -3, 4, 2, tuple(range(50)), cut=-3, count_at_least=4),
    VectorConstraints(4, -3, 4, 2, tuple(range(50)), cut=5, count_at_least=0),
    VectorConstraints(5, -2, 5, 2, tuple(range(40)), cut=2, count_at_least=0),
    VectorConstraints(5, -2, 5, 16, tuple(range(40, 80)), cut=2, count_at_least=5),
    # n = 1 and n = 2
    VectorConstraints(1, -3, 4, 2, (4,)),
    VectorConstraints(1, -3, 4, 2, (0, 4, 100), cut=2, count_at_least=1),
    VectorConstraints(2, -3, 4, 1, (1, 5, 13, 25)),
    VectorConstraints(2, -3, 4, 1, (1, 5, 13, 25), cut=1, count_at_least=1),
]


@pytest.mark.parametrize("constraints", SMALL)
def test_count_matches_enumeration_on_small_boxes(constraints):
    reference = len(enumerate_vectors(constraints))
    assert reference > 0
    assert count_exact(constraints) == reference
    assert VectorLattice(constraints).count() == pytest.approx(reference, rel=1e-12)


@st.composite
def small_constraints(draw: st.DrawFn) -> VectorConstraints:
    """Constraints built around one random vector, so that most sets are non-empty but some are not."""
    n, low, width = draw(st.integers(1, 4)), draw(st.integers(-4, 1)), draw(st.integers(0, 6))
    d = draw(st.lists(st.integers(low, low + width), min_size=n, max_size=n))
    squares = draw(st.sets(st.integers(0, 60), max_size=8)) | draw(st.sampled_from([{sum(x * x for x in d)}, set()]))
    cut = draw(st.one_of(st.none(), st.integers(low - 1, low + width + 1)))
    k = None if cut is None else draw(st.sampled_from([sum(x >= cut for x in d), draw(st.integers(0, n))]))
    return VectorConstraints(n, low, low + width, sum(d), tuple(squares or {0}), cut=cut, count_at_least=k)


@given(small_constraints())
def test_count_matches_enumeration_on_random_small_constraints(c):
    reference = len(enumerate_vectors(c))
    assert count_exact(c) == reference
    if reference == 0:
        with pytest.raises(EmptyLatticeError):
            VectorLattice(c)
    else:
        assert VectorLattice(c).count() == pytest.approx(reference, rel=1e-12)


def test_counts_over_every_threshold_count_add_up_to_the_count_without_one():
    plain = VectorConstraints(6, -5, 6, 7, tuple(range(40, 70)))
    split = [
        count_exact(VectorConstraints(6, -5, 6, 7, tuple(range(40, 70)), cut=2, count_at_least=k)) for k in range(7)
    ]
    assert sum(split) == count_exact(plain)


def test_a_set_with_a_single_vector_is_counted_and_sampled():
    # only (4, 4, 4) has sum 12 in [-3, 4]
    c = VectorConstraints(3, -3, 4, 12, (48,))
    assert count_exact(c) == 1
    assert VectorLattice(c).count() == 1.0
    assert VectorLattice(c).sample(5, np.random.default_rng(0)).tolist() == [[4, 4, 4]] * 5


@pytest.mark.parametrize(
    ("constraints", "named"),
    [
        (VectorConstraints(3, -3, 4, 13, (50, 51)), "total"),
        (VectorConstraints(3, -3, 4, 2, (3, 5, 7)), "parity"),
        (VectorConstraints(3, -3, 4, 9, (3, 5, 7)), "least sum of squares"),
        (VectorConstraints(3, -3, 4, 2, (10,), cut=5, count_at_least=1), "cut"),
        (VectorConstraints(3, -3, 4, 2, (10,), cut=-3, count_at_least=2), "cut"),
        (VectorConstraints(3, -3, 4, 10, (34,), cut=4, count_at_least=0), "total"),
        (VectorConstraints(1, -3, 4, 2, (6,)), "jointly"),  # a lone entry 2 has square 4, not 6
        (VectorConstraints(3, -3, 4, 0, (4, 10, 12)), "jointly"),  # (a, b, -a-b) has 2(a² + ab + b²) ∉ {4, 10, 12}
    ],
)
def test_an_empty_set_raises_and_names_the_constraint(constraints, named):
    assert not enumerate_vectors(constraints)
    with pytest.raises(EmptyLatticeError, match=named):
        VectorLattice(constraints)
    assert count_exact(constraints) == 0


@pytest.mark.parametrize(
    "constraints",
    [
        VectorConstraints(5, -3, 4, 3, (11, 15, 21, 29), cut=1, count_at_least=3),  # 230 members
        VectorConstraints(4, -3, 4, 2, (10, 14, 18)),  # 120 members
    ],
)
def test_samples_are_uniform_over_the_enumerated_set(constraints):
    members = enumerate_vectors(constraints)
    draws = VectorLattice(constraints).sample(20_000, np.random.default_rng(20240611))
    hits = Counter(map(tuple, draws.tolist()))
    assert set(hits) == set(members)
    assert stats.chisquare([hits[m] for m in members]).pvalue > 0.001


@pytest.mark.parametrize("name", OUTCOMES)
def test_every_sample_on_the_study_constraints_satisfies_them_exactly(name):
    c = OUTCOMES[name]
    draws = VectorLattice(c).sample(5_000, np.random.default_rng(1))
    assert draws.shape == (5_000, 14) and draws.dtype == np.int64
    assert satisfies(c, draws).all()
    # entries >= cut must reach every participant, not only the first k positions
    if c.cut is not None:
        assert np.all(np.abs((draws >= c.cut).mean(axis=0) - c.count_at_least / c.n) < 0.03)


@pytest.mark.parametrize("name", OUTCOMES)
def test_float_count_agrees_with_the_exact_count_on_the_study_constraints(name):
    exact = count_exact(OUTCOMES[name])
    assert exact > 10**17
    assert VectorLattice(OUTCOMES[name]).count() == pytest.approx(exact, rel=1e-12)


def test_the_same_seed_gives_the_same_samples_and_another_seed_does_not():
    lattice = VectorLattice(OUTCOMES["piq"])
    first = lattice.sample(1_000, np.random.default_rng(7))
    assert np.array_equal(first, lattice.sample(1_000, np.random.default_rng(7)))
    assert not np.array_equal(first, lattice.sample(1_000, np.random.default_rng(8)))


def test_sampling_more_than_one_block_and_nothing_at_all_works():
    c = VectorConstraints(4, -3, 4, 2, (10, 14, 18))
    lattice = VectorLattice(c)
    assert satisfies(c, lattice.sample(40_000, np.random.default_rng(0))).all()
    assert lattice.sample(0, np.random.default_rng(0)).shape == (0, 4)


def test_sums_of_squares_are_normalised_to_a_sorted_unique_tuple():
    c = VectorConstraints(3, -3, 4, 2, [14, 6, 6, np.int64(10)])
    assert c.sums_of_squares == (6, 10, 14)
    assert VectorConstraints(3, -3, 4, 2, range(6, 15)).sums_of_squares == tuple(range(6, 15))


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"n": 0}, "n must be at least 1"),
        ({"n": 2.5}, "n must be an integer"),
        ({"total": True}, "total must be an integer"),
        ({"low": 5}, "low must not exceed high"),
        ({"sums_of_squares": ()}, "sums_of_squares must contain"),
        ({"sums_of_squares": (4, -1)}, "sums_of_squares must be non-negative"),
        ({"sums_of_squares": "10"}, "sums_of_squares must be an iterable"),
        ({"sums_of_squares": (4.0,)}, "sums_of_squares must be an integer"),
        ({"cut": 1}, "cut and count_at_least"),
        ({"count_at_least": 1}, "cut and count_at_least"),
        ({"cut": 1, "count_at_least": 4}, "count_at_least must lie in"),
        ({"cut": 1.5, "count_at_least": 1}, "cut must be an integer"),
    ],
)
def test_invalid_constraints_raise_value_error_naming_the_argument(arguments, named):
    given_arguments = {"n": 3, "low": -3, "high": 4, "total": 2, "sums_of_squares": (6,)} | arguments
    with pytest.raises(ValueError, match=named):
        VectorConstraints(**given_arguments)


def test_invalid_sampling_arguments_raise_value_error_naming_the_argument():
    lattice = VectorLattice(VectorConstraints(3, -3, 4, 2, (6,)))
    with pytest.raises(ValueError, match="size must be non-negative"):
        lattice.sample(-1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="size must be an integer"):
        lattice.sample(2.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"rng must be a numpy\.random\.Generator"):
        lattice.sample(2, np.random.RandomState(0))


def test_constraints_too_wide_for_the_memory_budget_are_refused():
    with pytest.raises(ValueError, match="too wide"):
        VectorLattice(VectorConstraints(14, -(10**4), 10**4, 0, (10**8,)))
