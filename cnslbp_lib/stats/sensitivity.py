"""Sensitivity analyses: multiplicity, influence, power and what dz means for individuals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.power import TTestPower

from ..data.instruments import BASELINE_STAGE, FOLLOW_UP_STAGE, get_instrument
from ..exceptions import NotEnoughDataError
from .batch import holm_batch
from .change import bootstrap_change, paired_change, stage_change, wilcoxon_change
from .core import dz_for_correlation

__all__ = [
    "EffectSizes",
    "dz_curve",
    "effect_size_summary",
    "holm",
    "least_favourable",
    "leave_one_out",
    "minimum_detectable_dz",
    "sensitivity_summary",
]


def holm(
    data: pd.DataFrame,
    instruments: tuple[str, ...],
    *,
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
) -> pd.DataFrame:
    """Holm-adjusted paired-t p-values across several outcomes.

    Returns
    -------
    pandas.DataFrame
        One row per instrument: ``instrument``, ``p_val`` (unadjusted),
        ``p_holm`` (adjusted) and ``rank`` (1 = smallest p). A p-value the
        data leave undefined stays NaN and still counts as one of the tests.

    Raises
    ------
    NotEnoughDataError
        When an outcome has fewer than 2 participants with both scores.

    Notes
    -----
    Holm's step-down method controls the family-wise error rate without
    assuming independence: the k-th smallest of m p-values is multiplied by
    m − k + 1, and adjusted values are made non-decreasing.

    References
    ----------
    Holm S. A simple sequentially rejective multiple test procedure.
    Scand J Stat 1979;6(2):65–70.
    """
    if len(instruments) < 2:
        raise ValueError(f"instruments must name at least two outcomes; got {instruments!r}")
    p_values = np.array(
        [paired_change(data, key, from_stage=from_stage, to_stage=to_stage).p_val for key in instruments]
    )
    # statsmodels' multipletests(method="holm") gives the same, but its gc.collect() costs a quarter of a
    # second per call in a large process
    adjusted = holm_batch(p_values[np.newaxis, :])[0]
    return pd.DataFrame(
        {
            "instrument": list(instruments),
            "p_val": p_values,
            "p_holm": adjusted,
            # an undefined p-value (every change equal) ranks last; it stays undefined after adjustment
            "rank": stats.rankdata(np.where(np.isnan(p_values), np.inf, p_values), method="ordinal").astype(int),
        }
    )


def leave_one_out(
    data: pd.DataFrame,
    instrument: str,
    *,
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The paired-t result with each participant left out in turn.

    Returns
    -------
    pandas.DataFrame
        One row per participant left out: ``participant``, ``change`` (theirs),
        ``mean_change``, ``ci_low``, ``ci_high``, ``p_val`` and ``dz`` of the
        remaining n − 1.

    Raises
    ------
    NotEnoughDataError
        With fewer than 3 participants who have both scores.

    Notes
    -----
    Computed for everyone at once from the totals: leaving out :math:`d_i`
    leaves sum :math:`S - d_i` and sum of squares :math:`Q - d_i^2` over
    n − 1 people, so no loop over participants is needed.
    """
    change = stage_change(data, instrument, from_stage=from_stage, to_stage=to_stage)
    if change.n < 3:
        raise NotEnoughDataError("Leaving one participant out", needed=3, available=change.n)
    values = change.change_values
    n = values.size - 1
    total = values.sum() - values
    squares = (values**2).sum() - values**2
    mean = total / n
    sd = np.sqrt(np.maximum(squares - n * mean**2, 0) / (n - 1))
    se = sd / np.sqrt(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_stat = mean / se
        dz = mean / sd
    critical = stats.t.ppf((1 + confidence) / 2, n - 1)
    return pd.DataFrame(
        {
            "participant": change.changes["participant"].to_numpy(),
            "change": values,
            "mean_change": mean,
            "ci_low": mean - critical * se,
            "ci_high": mean + critical * se,
            "p_val": 2 * stats.t.sf(np.abs(t_stat), n - 1),
            "dz": dz,
        }
    )


def minimum_detectable_dz(n: int, *, alpha: float = 0.05, power: float = 0.8) -> float:
    """Smallest |dz| a two-sided paired t-test detects with the given power.

    >>> round(minimum_detectable_dz(14), 3)
    0.81

    Raises
    ------
    NotEnoughDataError
        With fewer than 2 participants.
    """
    if n < 2:
        raise NotEnoughDataError("A power calculation", needed=2, available=n, unit="participants")
    return float(TTestPower().solve_power(effect_size=None, nobs=n, alpha=alpha, power=power, alternative="two-sided"))


@dataclass(frozen=True)
class EffectSizes:
    """dz beside quantities that say what it means for individual patients.

    ``mean_improvement`` (points, positive = better); ``sd_before`` and
    ``sd_after`` (the two stages' SDs); ``dz`` (signed so that positive =
    improvement); ``d_av`` (mean change over the average of the two stages'
    SDs, the scale of a between-group d); ``r_stages`` (correlation of the two
    stages' scores); ``share_improved`` (observed share whose score moved in
    the better direction); ``share_improved_normal`` (Φ(dz): the share expected
    to improve if changes were normal with this mean and SD); ``overlap``
    (2Φ(−|d_av|/2): how much the two stages' score distributions overlap,
    assuming normal distributions with equal SDs). A quantity the data leave
    undefined (dz when every change is equal) is NaN and ``note`` says why.
    """

    instrument: str
    mean_improvement: float
    sd_before: float
    sd_after: float
    dz: float
    d_av: float
    r_stages: float
    share_improved: float
    share_improved_normal: float
    overlap: float
    note: str = ""


def effect_size_summary(
    data: pd.DataFrame, instrument: str, *, from_stage: int = BASELINE_STAGE, to_stage: int = FOLLOW_UP_STAGE
) -> EffectSizes:
    """dz beside d_av, the stages' correlation and what dz means for individuals.

    Notes
    -----
    With stage SDs :math:`s_2, s_3` and their correlation r, the SD of the
    changes is :math:`\\sqrt{s_2^2 + s_3^2 - 2 r s_2 s_3}`, so for the same mean
    change dz grows as r grows (for equal SDs, :math:`d_z = d_{av}/\\sqrt{2(1-r)}`).
    dz therefore cannot be set beside a between-group d from a trial (Lakens 2013).

    Raises
    ------
    NotEnoughDataError
        With fewer than 2 participants who have both scores.
    """
    entry = get_instrument(instrument)
    change = stage_change(data, instrument, from_stage=from_stage, to_stage=to_stage).changes
    if len(change) < 2:
        raise NotEnoughDataError("Effect sizes", needed=2, available=len(change))
    before = change["before"].to_numpy(float)
    after = change["after"].to_numpy(float)
    improvement = (after - before) * entry.improvement_sign
    mean = float(improvement.mean())
    sd_change = float(improvement.std(ddof=1))
    sd_before, sd_after = float(before.std(ddof=1)), float(after.std(ddof=1))
    average_sd = (sd_before + sd_after) / 2
    notes = []
    dz = d_av = r_stages = float("nan")
    if sd_change > 0:
        dz = mean / sd_change
    else:
        notes.append(f"all {improvement.size} changes are equal, so their SD is 0 and dz is undefined")
    if average_sd > 0:
        d_av = mean / average_sd
    else:
        notes.append("nobody's score differs from anyone else's at either stage, so d_av and the overlap are undefined")
    if sd_before > 0 and sd_after > 0:
        r_stages = float(np.corrcoef(before, after)[0, 1])
    else:
        notes.append("the scores at one stage take a single value, so the stages cannot correlate")
    return EffectSizes(
        instrument=instrument,
        mean_improvement=mean,
        sd_before=sd_before,
        sd_after=sd_after,
        dz=dz,
        d_av=d_av,
        r_stages=r_stages,
        share_improved=float((improvement > 0).mean()),
        share_improved_normal=float(stats.norm.cdf(dz)),
        overlap=float(2 * stats.norm.cdf(-abs(d_av) / 2)),
        note="; ".join(notes),
    )


def dz_curve(sizes: EffectSizes, correlations: np.ndarray) -> pd.DataFrame:
    """dz and Φ(dz) for the same mean change and stage SDs over a grid of stage correlations.

    Returns
    -------
    pandas.DataFrame
        ``r``, ``dz`` and ``share`` (Φ(dz), in percent), one row per correlation.
    """
    dz = dz_for_correlation(sizes.mean_improvement, sizes.sd_before, sizes.sd_after, correlations)
    return pd.DataFrame({"r": np.asarray(correlations, dtype=float), "dz": dz, "share": 100 * stats.norm.cdf(dz)})


def sensitivity_summary(
    data: pd.DataFrame,
    instrument: str,
    *,
    others: tuple[str, ...] = (),
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
    bootstrap_method: Literal["percentile", "bca"] = "percentile",
) -> pd.DataFrame:
    """The paired-t result beside checks that relax its assumptions or its reading.

    The Wilcoxon test and the bootstrap drop the normality assumption; the
    leave-one-out row asks whether one person carries the result; the Holm
    row shares every assumption of the t-test and only adjusts for testing two
    primary outcomes. ``bootstrap_method`` chooses the bootstrap row's interval
    (percentile, the default, or BCa, which corrects for bias and skewness;
    see :func:`cnslbp_lib.stats.bootstrap.bootstrap_mean_change`).

    Every analysis gets its row even when the data cannot support it; its
    values are then NaN and ``reason`` says why.

    Returns
    -------
    pandas.DataFrame
        One row per analysis: ``kind`` (``t``, ``wilcoxon``, ``bootstrap``,
        ``holm``, ``leave_one_out``), ``analysis``; ``gives`` (which of
        ``estimate``, ``ci`` and ``p`` the analysis reports, space-separated);
        ``estimate`` (mean change), ``ci_low``, ``ci_high`` and ``p_val`` (NaN
        where the analysis gives none or could not give one); ``note`` (what the
        analysis assumes or how it was run) and ``reason`` (empty unless a value
        the analysis gives is missing: then why, in words).
    """
    stages = {"from_stage": from_stage, "to_stage": to_stage}
    nan = float("nan")
    rows: list[tuple[str, str, str, float, float, float, float, str, str]] = []
    note = "assumes roughly normal changes"
    try:
        t_row = paired_change(data, instrument, **stages)
    except NotEnoughDataError as error:
        rows.append(("t", "Paired t-test", "estimate ci p", nan, nan, nan, nan, note, error.reason))
    else:
        values = (t_row.mean_change, t_row.ci_low, t_row.ci_high, t_row.p_val)
        rows.append(("t", "Paired t-test", "estimate ci p", *values, note, t_row.note))
    try:
        ranked = wilcoxon_change(data, instrument, **stages)
    except NotEnoughDataError as error:
        rows.append(("wilcoxon", "Wilcoxon signed-rank test", "p", nan, nan, nan, nan, "ranks only", error.reason))
    else:
        method = f"{ranked.method} p-value; " if ranked.method != "none" else ""
        note = f"ranks only; {method}{ranked.n_zero} zero change(s) dropped"
        rows.append(("wilcoxon", "Wilcoxon signed-rank test", "p", nan, nan, nan, ranked.p_val, note, ranked.note))
    name = "Percentile bootstrap" if bootstrap_method == "percentile" else "BCa bootstrap"
    try:
        boot_row = bootstrap_change(data, instrument, **stages, method=bootstrap_method)
    except NotEnoughDataError as error:
        rows.append(("bootstrap", name, "estimate ci", nan, nan, nan, nan, "resampled participants", error.reason))
    else:
        note = f"{boot_row.n_resamples:,} resamples"
        values = (boot_row.mean_change, boot_row.ci_low, boot_row.ci_high, nan)
        rows.append(("bootstrap", name, "estimate ci", *values, note, boot_row.note))
    if instrument in others and len(set(others)) > 1:
        note = f"across {len(others)} primary outcomes"
        try:
            adjusted = float(holm(data, others, **stages).set_index("instrument").loc[instrument, "p_holm"])
        except NotEnoughDataError as error:
            rows.append(("holm", "Holm-adjusted t-test", "p", nan, nan, nan, nan, note, str(error)))
        else:
            reason = "" if np.isfinite(adjusted) else "the unadjusted p-value is not computable"
            rows.append(("holm", "Holm-adjusted t-test", "p", nan, nan, nan, adjusted, note, reason))
    name = "Leave one participant out (least favourable)"
    try:
        worst = least_favourable(data, instrument, **stages)
    except NotEnoughDataError as error:
        note = "without the one person whose removal leaves the mean closest to no change"
        rows.append(("leave_one_out", name, "estimate ci p", nan, nan, nan, nan, note, error.reason))
    else:
        note = f"without {worst['participant']}"
        values = (float(worst["mean_change"]), float(worst["ci_low"]), float(worst["ci_high"]), float(worst["p_val"]))
        reason = "" if np.isfinite(values[-1]) else "without that person, the other changes are all equal"
        rows.append(("leave_one_out", name, "estimate ci p", *values, note, reason))
    columns = ["kind", "analysis", "gives", "estimate", "ci_low", "ci_high", "p_val", "note", "reason"]
    return pd.DataFrame(rows, columns=columns)


def least_favourable(
    data: pd.DataFrame, instrument: str, *, from_stage: int = BASELINE_STAGE, to_stage: int = FOLLOW_UP_STAGE
) -> pd.Series:
    """The leave-one-out result that is least favourable to an improvement.

    The participant whose removal leaves the mean change closest to no effect
    (the smallest improvement, in the instrument's direction), and the paired
    t-test of everyone else: one row of :func:`leave_one_out`, so its mean,
    interval and p all come from the same n − 1 people. On a tie the first
    participant in sorted order is taken.

    Raises
    ------
    NotEnoughDataError
        With fewer than 3 participants who have both scores.
    """
    out = leave_one_out(data, instrument, from_stage=from_stage, to_stage=to_stage)
    improvement = out["mean_change"].to_numpy() * get_instrument(instrument).improvement_sign
    return out.iloc[int(np.argmin(improvement))]
