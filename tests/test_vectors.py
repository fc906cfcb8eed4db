import numpy as np
import pytest

from cnslbp_lib.exceptions import EmptyLatticeError
from cnslbp_lib.stats.lattice import VectorConstraints, VectorLattice, count_exact
from cnslbp_lib.stats.tilted import TiltedSampler
from cnslbp_lib.stats.vectors import (
    count_vectors,
    lattice_cells,
    sample_vectors,
    vector_sampler,
)

from .test_lattice import OUTCOMES, satisfies

SMALL = VectorConstraints(5, -4, 5, 4, range(30, 45), cut=2, count_at_least=2)  # 1,430 members (count_exact)
# mean change -8.30, SD 15.20 over n = 100 on a 0-100 scale, in improvement units; 45 improve by 10 or more
WIDE = VectorConstraints(100, -100, 100, 830, range(29748, 29777), cut=10, count_at_least=45)


def test_lattice_cells_are_the_cells_of_the_tables_the_lattice_builds():
    lattice = VectorLattice(OUTCOMES["piq"])
    assert lattice_cells(OUTCOMES["piq"]) == sum(table.size for table in lattice._tables)
    # a row of 100 on a 0-100 scale is past the lattice's own limit of 10^8 cells
    assert lattice_cells(WIDE) is None


def test_the_study_rows_fit_the_lattice_and_a_row_of_one_hundred_does_not():
    for constraints in OUTCOMES.values():
        assert isinstance(vector_sampler(constraints), VectorLattice)
    assert isinstance(vector_sampler(WIDE), TiltedSampler)
    assert isinstance(vector_sampler(OUTCOMES["psq"], max_cells=1_000), TiltedSampler)
    assert isinstance(vector_sampler(SMALL, method="tilted"), TiltedSampler)


def test_a_set_that_fits_is_drawn_by_the_lattice_and_counted_exactly():
    result = sample_vectors(SMALL, 50, np.random.default_rng(0))
    assert result.method == "lattice" and result.draws == 0 and result.keep_rate == 1.0
    assert satisfies(SMALL, result.vectors).all() and result.vectors.shape == (50, 5)
    assert result.count.exact and result.count.standard_error == 0.0
    assert result.count.count == count_exact(SMALL) == 1_430
    assert np.array_equal(result.vectors, VectorLattice(SMALL).sample(50, np.random.default_rng(0)))


def test_a_set_past_the_memory_limit_is_drawn_by_the_tilted_sampler_and_its_count_estimated():
    result = sample_vectors(SMALL, 500, np.random.default_rng(1), max_cells=10)
    assert result.method == "tilted" and result.draws > 500 and 0 < result.keep_rate < 1
    assert satisfies(SMALL, result.vectors).all()
    assert not result.count.exact and result.count.method == "tilted"
    assert abs(result.count.count - 1_430) < 4 * result.count.standard_error
    assert "estimate from" in result.count.note


def test_counts_are_exact_where_the_lattice_fits_and_estimated_within_their_error_elsewhere():
    exact = count_exact(OUTCOMES["psq"])
    counted = count_vectors(OUTCOMES["psq"], np.random.default_rng(2))
    assert counted.exact and counted.count == pytest.approx(exact, rel=1e-12)
    estimated = count_vectors(OUTCOMES["psq"], np.random.default_rng(2), method="tilted", draws=100_000)
    assert not estimated.exact and abs(estimated.count - exact) < 4 * estimated.standard_error


def test_an_empty_set_raises_the_same_error_naming_the_total_whichever_method_runs():
    constraints = VectorConstraints(3, -3, 4, 13, (50, 51))
    for method in ("auto", "lattice", "tilted"):
        with pytest.raises(EmptyLatticeError, match="total=13"):
            sample_vectors(constraints, 1, np.random.default_rng(0), method=method)
        with pytest.raises(EmptyLatticeError, match="total=13"):
            count_vectors(constraints, np.random.default_rng(0), method=method)


def test_invalid_arguments_raise_value_error_naming_the_argument():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="method must be"):
        sample_vectors(SMALL, 1, rng, method="exact")
    with pytest.raises(ValueError, match="max_cells must be"):
        sample_vectors(SMALL, 1, rng, max_cells=-1)
    with pytest.raises(ValueError, match="size must be at least 1"):
        sample_vectors(SMALL, 0, rng)
