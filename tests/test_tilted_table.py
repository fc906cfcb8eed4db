import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnslbp_lib.exceptions import EmptyLatticeError
from cnslbp_lib.stats.lattice import VectorConstraints
from cnslbp_lib.stats.tilted_table import reachable_squares, saddle_tilt, spans, sum_table, table_size


def box_vectors(c: VectorConstraints) -> list[tuple[int, ...]]:
    """Every vector in the box with the total and the cut count, ignoring the sums of squares (brute force)."""
    return [
        d
        for d in itertools.product(range(c.low, c.high + 1), repeat=c.n)
        if sum(d) == c.total and (c.cut is None or sum(x >= c.cut for x in d) == c.count_at_least)
    ]


@st.composite
def box_constraints(draw: st.DrawFn) -> VectorConstraints:
    n, low, width = draw(st.integers(1, 4)), draw(st.integers(-5, 2)), draw(st.integers(0, 6))
    total = draw(st.integers(n * low - 2, n * (low + width) + 2))
    cut = draw(st.one_of(st.none(), st.integers(low - 1, low + width + 1)))
    k = None if cut is None else draw(st.integers(0, n))
    return VectorConstraints(n, low, low + width, total, (0,), cut=cut, count_at_least=k)


@given(box_constraints())
def test_reachable_squares_are_the_least_and_largest_of_the_enumerated_vectors(c):
    vectors = box_vectors(c)
    if not vectors:
        with pytest.raises(EmptyLatticeError, match=r"cut|total"):
            reachable_squares(c)
    else:
        squares = [sum(x * x for x in d) for d in vectors]
        assert reachable_squares(c) == (min(squares), max(squares))


@pytest.mark.parametrize(
    ("constraints", "target"),
    [
        (VectorConstraints(14, -70, 70, 263, (9729,), cut=7, count_at_least=11), 9732.0),
        (VectorConstraints(14, -40, 40, -65, (1517,)), 1520.0),
        (VectorConstraints(100, -100, 100, 830, (29762,), cut=10, count_at_least=45), 29762.0),
        (VectorConstraints(3, -2, 2, 1, (3,)), 5.0),
    ],
)
def test_the_saddle_tilt_gives_independent_entries_the_total_and_the_target_on_average(constraints, target):
    runs = spans(constraints)
    a, b = saddle_tilt(runs, constraints.total, target)
    mean_sum = mean_square = 0.0
    for m, lo, hi in runs:
        values = np.arange(lo, hi + 1, dtype=float)
        weights = np.exp(a * values + b * values**2 - np.max(a * values + b * values**2))
        mean_sum += m * (weights @ values) / weights.sum()
        mean_square += m * (weights @ values**2) / weights.sum()
    assert mean_sum == pytest.approx(constraints.total, abs=1e-6)
    assert mean_square == pytest.approx(target, rel=1e-8)


@pytest.mark.parametrize(
    "constraints",
    [
        VectorConstraints(4, -3, 4, 2, (0,)),
        VectorConstraints(5, -2, 3, 4, (0,), cut=1, count_at_least=2),
        VectorConstraints(1, -3, 4, 2, (0,)),
    ],
)
def test_the_table_over_sums_holds_the_brute_force_sum_of_weights(constraints):
    runs = spans(constraints)
    rng = np.random.default_rng(0)
    log_weights = [np.log(rng.uniform(0.1, 1.0, hi - lo + 1)) for _, lo, hi in runs]
    layers, log_f = sum_table(runs, log_weights, constraints.total)
    # F_n(T): every sequence (V+ positions first) with the total, each weighted by its product of weights
    ranges = [range(lo, hi + 1) for m, lo, hi in runs for _ in range(m)]
    groups = [g for g, (m, _, _) in enumerate(runs) for _ in range(m)]
    reference = sum(
        math.prod(math.exp(log_weights[g][x - r.start]) for g, x, r in zip(groups, seq, ranges, strict=True))
        for seq in itertools.product(*ranges)
        if sum(seq) == constraints.total
    )
    assert log_f == pytest.approx(math.log(reference), rel=1e-12)
    assert len(layers) == constraints.n
    # the size the limits read is the size built
    stored = sum(layer.log_max.size + layer.padded.size for layer in layers)
    terms = sum(layer.log_max.size * len(r) for layer, r in zip(layers, ranges, strict=True))
    assert table_size(runs, constraints.total) == (stored, terms)
