"""Uniform vectors with a fixed sum, sum of squares and threshold count, for rows of any length.

One entry point over two exact samplers of the same set: the lattice
(:mod:`~cnslbp_lib.stats.lattice`) when its tables fit under a memory limit,
the tilted sampler (:mod:`~cnslbp_lib.stats.tilted`) otherwise. Both draw
exactly uniformly; the lattice counts exactly, the tilted sampler estimates the
count with a standard error, and every result says which method ran.

Notes
-----
**Memory limit.** The lattice keeps a float64 table over (sum, sum of squares)
for every participant. :data:`MAX_LATTICE_CELLS` = :math:`10^7` cells is 80 MB of
tables (the lattice itself refuses more than :math:`10^8`, 800 MB); building costs
about :math:`|V|` additions a cell, about a second at the limit with 201 values.
The study's rows (n = 14) need at most 4.3 million cells; a row of 100 changes
on a 0–100 scale needs about :math:`6.7 \\times 10^8`. The cell count comes from the
lattice's plan, which builds no table and runs its cheap emptiness checks.

**Exactness of the count.** The lattice's count is the exact recurrence in
float64, within :math:`(\\sum_j |V_j| + |\\mathcal{Q}|)\\,2^{-53}` of the integer
(lattice Notes; :func:`~cnslbp_lib.stats.lattice.count_exact` gives the integer).

Examples
--------
>>> constraints = VectorConstraints(n=4, low=-3, high=4, total=2, sums_of_squares=(10, 14, 18))
>>> result = sample_vectors(constraints, 3, np.random.default_rng(0))
>>> result.method, result.count.count, result.vectors.shape
('lattice', 102.0, (3, 4))
>>> sample_vectors(constraints, 3, np.random.default_rng(0), max_cells=10).method
'tilted'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from ..exceptions import EmptyLatticeError
from .lattice import VectorConstraints, VectorLattice, _integer, _plan
from .tilted import TiltedSampler, VectorCount

__all__ = [
    "MAX_LATTICE_CELLS",
    "Method",
    "VectorCount",
    "VectorSample",
    "count_vectors",
    "lattice_cells",
    "sample_vectors",
    "vector_sampler",
]

MAX_LATTICE_CELLS = 10**7
Method = Literal["auto", "lattice", "tilted"]


@dataclass(frozen=True)
class VectorSample:
    """Uniform vectors and how they were drawn.

    ``vectors`` is a (size, n) int64 array; ``method`` is ``"lattice"`` or
    ``"tilted"``; ``count`` the size of the set (exact from the lattice, an
    estimate from the tilted draws); ``draws`` the tilted draws made (0 for the
    lattice) and ``keep_rate`` the share kept (1.0 for the lattice).
    """

    vectors: NDArray[np.int64]
    method: str
    count: VectorCount
    draws: int
    keep_rate: float


def lattice_cells(constraints: VectorConstraints) -> int | None:
    """Cells the lattice's tables would need, or None beyond the lattice's own limit of 10^8.

    Raises :class:`EmptyLatticeError` when the lattice's cheap checks already
    show the set is empty.

    Examples
    --------
    >>> lattice_cells(VectorConstraints(n=4, low=-3, high=4, total=2, sums_of_squares=(10, 14, 18)))
    231
    """
    try:
        plan = _plan(constraints)
    except EmptyLatticeError:
        raise
    except ValueError:  # the lattice's only other refusal: tables over its own limit
        return None
    return sum(box.rows * box.columns for box in plan.boxes)


def _method(constraints: VectorConstraints, method: str, max_cells: int) -> str:
    if method not in ("auto", "lattice", "tilted"):
        raise ValueError(f"method must be 'auto', 'lattice' or 'tilted'; got {method!r}")
    if isinstance(max_cells, bool) or not isinstance(max_cells, int) or max_cells < 0:
        raise ValueError(f"max_cells must be a non-negative integer; got {max_cells!r}")
    if method != "auto":
        return method
    cells = lattice_cells(constraints)
    return "lattice" if cells is not None and cells <= max_cells else "tilted"


def vector_sampler(
    constraints: VectorConstraints, *, method: Method = "auto", max_cells: int = MAX_LATTICE_CELLS
) -> VectorLattice | TiltedSampler:
    """The lattice when its tables fit in ``max_cells`` cells, else the tilted sampler; both have ``sample``."""
    if _method(constraints, method, max_cells) == "lattice":
        return VectorLattice(constraints)
    return TiltedSampler(constraints)


def _lattice_count(lattice: VectorLattice) -> VectorCount:
    count = lattice.count()
    return VectorCount(
        count, math.log10(count), 0.0, exact=True, method="lattice", draws=0, note="exact count from the lattice"
    )


def sample_vectors(
    constraints: VectorConstraints,
    size: int,
    rng: np.random.Generator,
    *,
    method: Method = "auto",
    max_cells: int = MAX_LATTICE_CELLS,
    max_draws: int | None = None,
) -> VectorSample:
    """Draw ``size`` >= 1 labelled vectors exactly uniformly from the set ``constraints`` allows.

    Parameters
    ----------
    constraints : VectorConstraints
        The set (see :class:`~cnslbp_lib.stats.lattice.VectorConstraints`).
    size : int
        How many vectors, at least 1.
    rng : numpy.random.Generator
        The only source of randomness: the same seed gives the same vectors.
    method : {"auto", "lattice", "tilted"}
        ``"auto"`` takes the lattice when its tables need at most ``max_cells`` cells.
    max_cells : int
        The lattice's memory limit in float64 cells (module Notes).
    max_draws : int, optional
        The tilted sampler's draw budget (default :math:`2 \\times 10^8 / n`).

    Returns
    -------
    VectorSample

    Raises
    ------
    EmptyLatticeError
        When no vector satisfies the constraints, naming the constraint when it can.
    SamplingBudgetError
        When the tilted sampler cannot find ``size`` vectors within ``max_draws`` draws.
    """
    if _integer("size", size) < 1:
        raise ValueError(f"size must be at least 1; got {size}")
    if _method(constraints, method, max_cells) == "lattice":
        lattice = VectorLattice(constraints)
        return VectorSample(lattice.sample(size, rng), "lattice", _lattice_count(lattice), 0, 1.0)
    drawn = TiltedSampler(constraints).draw(size, rng, max_draws=max_draws)
    return VectorSample(drawn.vectors, "tilted", drawn.count, drawn.draws, drawn.keep_rate)


def count_vectors(
    constraints: VectorConstraints,
    rng: np.random.Generator,
    *,
    method: Method = "auto",
    max_cells: int = MAX_LATTICE_CELLS,
    draws: int = 200_000,
) -> VectorCount:
    """Number of labelled vectors the constraints allow: exact from the lattice, else estimated from ``draws``.

    Raises :class:`EmptyLatticeError` when the set is empty (found exactly) and
    :class:`SamplingBudgetError` when no tilted draw lands in it.

    Examples
    --------
    >>> constraints = VectorConstraints(n=4, low=-3, high=4, total=2, sums_of_squares=(10, 14, 18))
    >>> count_vectors(constraints, np.random.default_rng(0)).note
    'exact count from the lattice'
    """
    if _method(constraints, method, max_cells) == "lattice":
        return _lattice_count(VectorLattice(constraints))
    return TiltedSampler(constraints).estimate_count(draws, rng)
