"""Regression to the mean under the study's selection rule, in closed form and by simulation.

Model (Barnett, van der Pols & Dobson 2005): each observed score is a stable
true score plus independent measurement error, and reliability is the share of
observed variance that is true-score variance. Working in improvement units
(positive = better), a participant enters the study when their stage 1 → 2
improvement is below the threshold, that is when they did *not* respond to
education. With no true change at all, people selected this way tend to have
had an unluckily poor stage 2 measurement, so their stage 3 score is expected
to improve by chance alone. This module says by how much.

This module holds the one-instrument model (selection on that instrument's own
change): :func:`expected_null_improvement`, :func:`simulate_null_improvement`,
:func:`rtm_figures` and the simulator's grids. :mod:`cnslbp_lib.stats.rtm_joint`
extends it to selection on both instruments and at a flare, and
:mod:`cnslbp_lib.stats.rtm_noise` bounds the measurement noise from a real
cohort's stage 1 → 2 changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..data.instruments import BASELINE_STAGE, get_instrument
from ..exceptions import NotEnoughDataError
from .change import paired_change
from .core import DEFAULT_SEED
from .flow import stage_summary

__all__ = [
    "DEFAULT_RELIABILITY",
    "MIN_SIMULATED_COHORTS",
    "RELIABILITY_60",
    "RtmFigures",
    "expected_null_curve",
    "expected_null_improvement",
    "null_improvement_grid",
    "reliability_explaining",
    "rtm_figures",
    "simulate_null_improvement",
    "simulator_grids",
]

# The low end of the PSEQ test–retest ICCs (0.75–0.93, weighted mean 0.86) in the systematic review
# by Dubé, Langevin and Roy (2021) over short intervals; the stages were further apart, so the true value may be lower.
# The book assumes the same for the other instruments.
DEFAULT_RELIABILITY = 0.75
# a lower reliability the book quotes for comparison (stages weeks or months apart may well be noisier)
RELIABILITY_60 = 0.60
# With fewer simulated cohorts than this, the 95% range of a cohort's mean comes from the normal
# approximation instead of the cohorts' quantiles: such cohorts have hundreds of members, where the
# normal approximation is excellent and a handful of simulated cohorts is not.
MIN_SIMULATED_COHORTS = 1000


def _error_sd(sd: float | np.ndarray, reliability: np.ndarray | float) -> np.ndarray:
    reliability = np.asarray(reliability, dtype=float)
    if np.any((reliability <= 0) | (reliability >= 1)):
        raise ValueError(f"reliability must lie strictly between 0 and 1; got {reliability!r}")
    if np.any(np.asarray(sd) <= 0):
        raise ValueError(f"sd must be positive; got {sd!r}")
    return np.asarray(sd * np.sqrt(1 - reliability))


def expected_null_improvement(
    reliability: float | np.ndarray, threshold: float | np.ndarray, sd: float | np.ndarray
) -> np.ndarray:
    """Expected stage 2 → 3 improvement with no effect, among education non-responders.

    Parameters
    ----------
    reliability : float or array
        Test–retest reliability of the instrument, in (0, 1).
    threshold : float or array
        Improvement (points) that counts as a response to education; people
        below it were selected.
    sd : float
        Between-person SD of observed scores (points).

    Returns
    -------
    numpy.ndarray
        Expected improvement in points (positive = better).

    Notes
    -----
    With error SD :math:`\\sigma_e = \\mathrm{sd}\\sqrt{1-\\rho}` and
    :math:`D = e_2 - e_1 \\sim N(0, 2\\sigma_e^2)`, selection is :math:`D < T`.
    Since :math:`E[e_2 \\mid D] = D/2`, the expected later improvement
    :math:`E[e_3 - e_2 \\mid D < T] = -E[D \\mid D < T]/2` is

    .. math:: \\frac{\\sigma_D}{2}\\,\\frac{\\varphi(T/\\sigma_D)}{\\Phi(T/\\sigma_D)},
              \\qquad \\sigma_D = \\sigma_e\\sqrt 2.

    References
    ----------
    Barnett AG, van der Pols JC, Dobson AJ. Regression to the mean: what it is
    and how to deal with it. Int J Epidemiol 2005;34(1):215–220.

    Examples
    --------
    >>> round(float(expected_null_improvement(0.73, 7, 8.0)), 3)
    0.654
    """
    sigma_d = _error_sd(sd, reliability) * np.sqrt(2)
    ratio = np.asarray(threshold, dtype=float) / sigma_d
    return np.asarray(sigma_d / 2 * stats.norm.pdf(ratio) / stats.norm.cdf(ratio))


def reliability_explaining(observed: float, threshold: float, sd: float) -> float:
    """The reliability at which regression to the mean alone would equal ``observed``.

    The expected improvement falls as reliability rises, so there is at most
    one such value. Returns NaN when even a reliability near 0 would not
    explain it (or when ``observed`` is not an improvement).

    >>> round(reliability_explaining(1.0, 7, 8.0), 3)
    0.619
    """
    low, high = 1e-6, 1 - 1e-6

    def gap(reliability: float) -> float:
        return float(expected_null_improvement(reliability, threshold, sd)) - observed

    if observed <= 0 or gap(low) < 0:
        return float("nan")
    if gap(high) > 0:
        return 1.0
    return float(optimize.brentq(gap, low, high))


def simulate_null_improvement(
    reliabilities: np.ndarray,
    thresholds: np.ndarray,
    sd: float,
    *,
    cohort_size: int,
    people: int = 400_000,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Simulate the study with no effect of the MRI, for every reliability × threshold.

    All combinations share one set of random draws (common random numbers),
    so differences between them are not noise. The same threshold defines
    non-response during education (selection) and response after the MRI.

    Returns
    -------
    pandas.DataFrame
        One row per combination: ``reliability``, ``threshold``,
        ``selected_pct`` (share of the population who would enter),
        ``mean_improvement`` (among them, stage 2 → 3), ``cohort_low`` and
        ``cohort_high`` (2.5th and 97.5th percentiles of the mean improvement
        of a cohort of ``cohort_size``; from the normal approximation when
        fewer than :data:`MIN_SIMULATED_COHORTS` cohorts fit in the
        simulation), ``responder_pct`` (share who would
        count as responders by chance) and ``expected`` (closed form).
    """
    rng = np.random.default_rng(seed)
    z1, z2, z3 = rng.standard_normal((3, people))
    later = z3 - z2
    rows = []
    for reliability in np.asarray(reliabilities, dtype=float):
        error_sd = float(_error_sd(sd, reliability))
        for threshold in np.asarray(thresholds, dtype=float):
            selected = later[(z2 - z1) * error_sd < threshold] * error_sd
            cohorts = selected.size // cohort_size
            if cohorts >= MIN_SIMULATED_COHORTS:
                means = selected[: cohorts * cohort_size].reshape(cohorts, cohort_size).mean(axis=1)
                low, high = np.quantile(means, [0.025, 0.975])
            else:
                half_width = stats.norm.ppf(0.975) * selected.std(ddof=1) / np.sqrt(cohort_size)
                low, high = selected.mean() - half_width, selected.mean() + half_width
            rows.append(
                {
                    "reliability": round(float(reliability), 4),
                    "threshold": float(threshold),
                    "selected_pct": 100 * selected.size / people,
                    "mean_improvement": float(selected.mean()),
                    "cohort_low": float(low),
                    "cohort_high": float(high),
                    "responder_pct": 100 * float((selected >= threshold).mean()),
                    "expected": float(expected_null_improvement(reliability, threshold, sd)),
                }
            )
    return pd.DataFrame(rows)


def null_improvement_grid(sd: float, threshold: float, *, cohort_size: int, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """The grid behind the interactive simulator: reliability 0.50–0.95, thresholds around the registry's.

    Thresholds run from a third of the registry threshold to twice it, so the
    slider explores stricter and looser definitions of non-response.
    """
    reliabilities = np.round(np.arange(0.50, 0.951, 0.05), 2)
    thresholds = np.arange(max(1, int(threshold // 3)), int(2 * threshold) + 1)
    return simulate_null_improvement(reliabilities, thresholds, sd, cohort_size=cohort_size, seed=seed)


@dataclass(frozen=True)
class RtmFigures:
    """Regression to the mean for one instrument of a cohort, at one reliability.

    ``sd`` is the between-person SD at baseline, ``observed`` the observed mean
    improvement (points, positive = better), ``expected`` the closed-form
    improvement with no effect, ``cohort_low``/``cohort_high`` the simulated
    95% range of a cohort's mean, ``responder_pct`` the share counted as
    responders by chance, ``expected_at_60`` the expectation at reliability
    0.60 and ``reliability_explaining`` the reliability at which regression to
    the mean alone would equal the observed improvement (NaN if none). When
    the stage 2 scores do not vary, the model has nothing to work with: every
    figure but ``sd`` and ``observed`` is NaN and ``note`` says why.
    """

    instrument: str
    reliability: float
    threshold: float
    cohort_size: int
    sd: float
    observed: float
    expected: float
    cohort_low: float
    cohort_high: float
    responder_pct: float
    expected_at_60: float
    reliability_explaining: float
    # keyword-only, so subclasses can add fields without defaults
    note: str = field(default="", kw_only=True)


def rtm_figures(
    data: pd.DataFrame, instrument: str, *, cohort_size: int, reliability: float = DEFAULT_RELIABILITY
) -> RtmFigures:
    """Regression to the mean under the registry threshold for one instrument of a cohort.

    Raises
    ------
    NotEnoughDataError
        With fewer than 2 stage 2 scores (no SD) or fewer than 2 participants
        with both stage 2 and stage 3 scores (no observed change).
    """
    entry = get_instrument(instrument)
    baseline = stage_summary(data, stage=BASELINE_STAGE).set_index("instrument").loc[instrument]
    if baseline["n"] < 2:
        raise NotEnoughDataError(
            "Regression to the mean", needed=2, available=int(baseline["n"]), unit="stage 2 scores"
        )
    sd = float(baseline["sd"])
    observed = paired_change(data, instrument).mean_change * entry.improvement_sign
    if sd == 0:
        nan = float("nan")
        return RtmFigures(
            instrument=instrument,
            reliability=reliability,
            threshold=entry.threshold,
            cohort_size=cohort_size,
            sd=sd,
            observed=observed,
            expected=nan,
            cohort_low=nan,
            cohort_high=nan,
            responder_pct=nan,
            expected_at_60=nan,
            reliability_explaining=nan,
            note=f"all {int(baseline['n'])} stage 2 scores are equal, so the model has no spread between people",
        )
    simulated = simulate_null_improvement(
        np.array([reliability]), np.array([entry.threshold]), sd, cohort_size=cohort_size
    ).iloc[0]
    return RtmFigures(
        instrument=instrument,
        reliability=reliability,
        threshold=entry.threshold,
        cohort_size=cohort_size,
        sd=sd,
        observed=observed,
        expected=float(expected_null_improvement(reliability, entry.threshold, sd)),
        cohort_low=float(simulated["cohort_low"]),
        cohort_high=float(simulated["cohort_high"]),
        responder_pct=float(simulated["responder_pct"]),
        expected_at_60=float(expected_null_improvement(RELIABILITY_60, entry.threshold, sd)),
        reliability_explaining=reliability_explaining(observed, entry.threshold, sd),
    )


def expected_null_curve(sd: float, thresholds: np.ndarray, *, step: float = 0.01) -> pd.DataFrame:
    """The closed form on a grid of reliabilities 0.50–0.95 and the given thresholds, for the simulator.

    Returns
    -------
    pandas.DataFrame
        ``reliability``, ``threshold`` and ``expected`` (points), one row per pair.
    """
    reliabilities = np.round(np.arange(0.50, 0.95 + step / 2, step), 2)
    grid_reliability, grid_threshold = np.meshgrid(reliabilities, np.asarray(thresholds, dtype=float), indexing="ij")
    expected = expected_null_improvement(grid_reliability.ravel(), grid_threshold.ravel(), sd)
    return pd.DataFrame(
        {"reliability": grid_reliability.ravel(), "threshold": grid_threshold.ravel(), "expected": expected}
    )


def simulator_grids(figures: RtmFigures) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the interactive simulator looks up: the simulated grid and the closed-form curve.

    Both span reliabilities 0.50–0.95 and thresholds from a third of the
    registry threshold to twice it (see :func:`null_improvement_grid`).
    """
    grid = null_improvement_grid(figures.sd, figures.threshold, cohort_size=figures.cohort_size)
    curve = expected_null_curve(figures.sd, np.sort(grid["threshold"].unique()))
    return grid, curve


# ----------------------------------------------------------------------------------------------------------------------
# Selection on both instruments, correlated errors, and selection at a flare
