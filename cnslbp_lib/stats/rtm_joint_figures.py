"""Regression to the mean with selection on both instruments, for a cohort: the figures and grid the book shows.

The model itself (closed form and simulation) is in :mod:`cnslbp_lib.stats.rtm_joint`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import optimize

from ..data.instruments import BASELINE_STAGE, NON_RESPONSE, Instrument, get_instrument
from ..exceptions import NotEnoughDataError
from .change import paired_change
from .core import DEFAULT_SEED
from .flow import stage_summary
from .rtm import DEFAULT_RELIABILITY, RtmFigures, expected_null_improvement
from .rtm_joint import (
    expected_joint_null_improvement,
    simulate_joint_null_improvement,
)

__all__ = [
    "ILLUSTRATIVE_ERROR_CORRELATION",
    "ILLUSTRATIVE_FLARE_STRENGTH",
    "JointRtmFigures",
    "joint_rtm_figures",
    "joint_rtm_grid",
]


@dataclass(frozen=True)
class JointRtmFigures(RtmFigures):
    """:class:`RtmFigures` under selection on both instruments, for one of them.

    Every inherited field means what it means there, computed with the joint
    model (``reliability_explaining`` solves for a reliability shared by both
    instruments). Added: ``error_correlation`` and ``flare_strength`` (the
    model's parameters), ``expected_single`` (the one-instrument closed form
    at the same reliability, for comparison), ``selected_pct`` (share who
    would enter) and ``flare_shift`` (mean stage 2 error among the referred,
    points).
    """

    error_correlation: float
    flare_strength: float
    expected_single: float
    selected_pct: float
    flare_shift: float


def _joint_inputs(data: pd.DataFrame) -> tuple[tuple[str, str], list[Instrument], dict[str, float], list[float], str]:
    """Keys, registry entries, stage 2 SDs and observed improvements of the rule's two instruments, and a note.

    Raises NotEnoughDataError as :func:`rtm_figures` does; the note is
    non-empty when an instrument's stage 2 scores do not vary.
    """
    keys = NON_RESPONSE.instruments
    if len(keys) != 2:
        raise ValueError(f"the joint model needs a non-response rule on two instruments; the registry names {keys}")
    entries = [get_instrument(key) for key in keys]
    summary = stage_summary(data, stage=BASELINE_STAGE).set_index("instrument")
    for key in keys:
        if summary.loc[key, "n"] < 2:
            raise NotEnoughDataError(
                "Regression to the mean", needed=2, available=int(summary.loc[key, "n"]), unit="stage 2 scores"
            )
    sds = {key: float(summary.loc[key, "sd"]) for key in keys}
    observed = [
        paired_change(data, key).mean_change * entry.improvement_sign for key, entry in zip(keys, entries, strict=True)
    ]
    flat = [entry.abbreviation for key, entry in zip(keys, entries, strict=True) if sds[key] == 0]
    note = (
        f"the {' and '.join(flat)} stage 2 scores are all equal, so the model has no spread between people"
        if flat
        else ""
    )
    return (keys[0], keys[1]), entries, sds, observed, note


def joint_rtm_figures(
    data: pd.DataFrame,
    *,
    cohort_size: int,
    reliability: float = DEFAULT_RELIABILITY,
    error_correlation: float = 0.0,
    flare_strength: float = 0.0,
    people: int = 400_000,
    seed: int = DEFAULT_SEED,
) -> dict[str, JointRtmFigures]:
    """Regression to the mean under the study's own rule (non-response on both instruments), for a cohort.

    The two instruments are those of the registry's non-response rule
    (``NON_RESPONSE.instruments``), with their registry thresholds; each
    one's between-person SD is its stage 2 SD in ``data`` and its observed
    improvement the mean stage 2 → 3 change in its better direction.

    Returns
    -------
    dict of str to JointRtmFigures
        One entry per instrument key (``"piq"``, ``"pseq"``). When either
        instrument's stage 2 scores do not vary, every figure of both but
        ``sd`` and ``observed`` is NaN and ``note`` says why.

    Raises
    ------
    NotEnoughDataError
        With fewer than 2 stage 2 scores on either instrument, or fewer than 2
        participants with both stage 2 and stage 3 scores.

    Examples
    --------
    >>> from cnslbp_lib import load_cohort
    >>> cohort = load_cohort("data/cohort.csv")
    >>> plain = joint_rtm_figures(cohort.data, cohort_size=14, people=20_000)
    >>> worse = joint_rtm_figures(cohort.data, cohort_size=14, error_correlation=0.5, flare_strength=0.5, people=20_000)
    >>> worse["piq"].expected > plain["piq"].expected > 0
    True
    """
    keys, entries, sd_of, observed, note = _joint_inputs(data)
    sds = (sd_of[keys[0]], sd_of[keys[1]])
    thresholds = (float(entries[0].threshold), float(entries[1].threshold))
    if note:
        nan = float("nan")
        return {
            key: JointRtmFigures(
                instrument=key,
                reliability=reliability,
                threshold=entry.threshold,
                cohort_size=cohort_size,
                sd=sds[index],
                observed=observed[index],
                expected=nan,
                cohort_low=nan,
                cohort_high=nan,
                responder_pct=nan,
                expected_at_60=nan,
                reliability_explaining=nan,
                error_correlation=error_correlation,
                flare_strength=flare_strength,
                expected_single=nan,
                selected_pct=nan,
                flare_shift=nan,
                note=note,
            )
            for index, (key, entry) in enumerate(zip(keys, entries, strict=True))
        }
    options = {"error_correlation": error_correlation, "flare_strength": flare_strength}
    closed = expected_joint_null_improvement(reliability, thresholds, sds, **options)
    at_60 = expected_joint_null_improvement(0.60, thresholds, sds, **options)
    simulated = simulate_joint_null_improvement(
        [reliability],
        thresholds,
        sds,
        error_correlations=[error_correlation],
        flare_strengths=[flare_strength],
        names=(keys[0], keys[1]),
        cohort_size=cohort_size,
        people=people,
        seed=seed,
    ).set_index("instrument")
    figures = {}
    for index, (key, entry) in enumerate(zip(keys, entries, strict=True)):

        def gap(value: float, index: int = index, target: float = observed[index]) -> float:
            return expected_joint_null_improvement(value, thresholds, sds, **options).expected[index] - target

        low, high = 1e-6, 1 - 1e-6
        if observed[index] <= 0 or gap(low) < 0:
            explaining = float("nan")
        elif gap(high) > 0:
            explaining = 1.0
        else:
            explaining = float(optimize.brentq(gap, low, high))
        figures[key] = JointRtmFigures(
            instrument=key,
            reliability=reliability,
            threshold=entry.threshold,
            cohort_size=cohort_size,
            sd=sds[index],
            observed=observed[index],
            expected=closed.expected[index],
            cohort_low=float(simulated.loc[key, "cohort_low"]),
            cohort_high=float(simulated.loc[key, "cohort_high"]),
            responder_pct=float(simulated.loc[key, "responder_pct"]),
            expected_at_60=at_60.expected[index],
            reliability_explaining=explaining,
            error_correlation=error_correlation,
            flare_strength=flare_strength,
            expected_single=float(expected_null_improvement(reliability, entry.threshold, sds[index])),
            selected_pct=100 * closed.selected_share,
            flare_shift=closed.flare_shift[index],
        )
    return figures


# Illustrative values, not estimates: neither the abstract nor the literature the book cites says how strongly a bad
# day shows on both questionnaires or how strongly referral follows a flare. Pages show a grid around them
# (joint_rtm_grid) and say that they are illustrations.
ILLUSTRATIVE_ERROR_CORRELATION = 0.5
ILLUSTRATIVE_FLARE_STRENGTH = 0.5


def joint_rtm_grid(
    data: pd.DataFrame,
    *,
    reliability: float = DEFAULT_RELIABILITY,
    error_correlations: ArrayLike = (0.0, ILLUSTRATIVE_ERROR_CORRELATION, 0.8),
    flare_strengths: ArrayLike = (0.0, ILLUSTRATIVE_FLARE_STRENGTH, 1.0),
) -> pd.DataFrame:
    """The closed-form joint regression to the mean of a cohort over a grid of error correlations and flare strengths.

    Each instrument of the registry's non-response rule, with its stage 2 SD
    and observed improvement from ``data`` (as in :func:`joint_rtm_figures`,
    without the simulation).

    Returns
    -------
    pandas.DataFrame
        One row per ``error_correlation`` × ``flare_strength`` × ``instrument``:
        those three, ``expected`` (points, positive = better), ``observed``
        (points), ``share`` (expected / observed, NaN when nothing improved)
        and ``selected_pct``. When an instrument's stage 2 scores do not
        vary, ``expected``, ``share`` and ``selected_pct`` are NaN.

    Raises
    ------
    NotEnoughDataError
        As :func:`joint_rtm_figures`.

    Examples
    --------
    >>> from cnslbp_lib import load_cohort
    >>> grid = joint_rtm_grid(load_cohort("data/cohort.csv").data)
    >>> len(grid), bool((grid.groupby("instrument")["expected"].min() > 0).all())
    (18, True)
    """
    keys, entries, sd_of, observed, note = _joint_inputs(data)
    sds = (sd_of[keys[0]], sd_of[keys[1]])
    thresholds = (float(entries[0].threshold), float(entries[1].threshold))
    rows = []
    for r in np.asarray(error_correlations, dtype=float).ravel():
        for strength in np.asarray(flare_strengths, dtype=float).ravel():
            if note:
                expected, selected = (np.nan, np.nan), np.nan
            else:
                closed = expected_joint_null_improvement(
                    reliability, thresholds, sds, error_correlation=float(r), flare_strength=float(strength)
                )
                expected, selected = closed.expected, 100 * closed.selected_share
            for index, key in enumerate(keys):
                rows.append(
                    {
                        "error_correlation": float(r),
                        "flare_strength": float(strength),
                        "instrument": key,
                        "expected": expected[index],
                        "observed": observed[index],
                        "share": expected[index] / observed[index] if observed[index] > 0 else np.nan,
                        "selected_pct": selected,
                    }
                )
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------------------------------------
# What the observed education changes say about measurement noise
