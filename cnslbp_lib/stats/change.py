"""Paired change between two stages: the t-based result and its sensitivity versions.

All functions take the tidy cohort frame (``data``), an ``instrument`` key from
the registry and the two stages. Participants without both scores are
excluded and named in :attr:`StageChange.excluded`; results report ``n`` and
``n_excluded`` so no exclusion is silent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..data.instruments import BASELINE_STAGE, FOLLOW_UP_STAGE, STAGES, get_instrument

__all__ = [
    "StageChange",
    "bootstrap_change",
    "paired_change",
    "stage_change",
    "wilcoxon_change",
]

DEFAULT_SEED = 20240611
_STAGE_NUMBERS = tuple(stage.number for stage in STAGES)


@dataclass(frozen=True, eq=False)
class StageChange:
    """Per-participant scores at two stages and their difference.

    Attributes
    ----------
    changes : pandas.DataFrame
        ``participant``, ``before``, ``after`` and ``change`` (after − before)
        for every participant with both scores, sorted by participant.
    excluded : pandas.DataFrame
        ``participant`` and ``reason`` for everyone else in the file.
    """

    instrument: str
    from_stage: int
    to_stage: int
    changes: pd.DataFrame
    excluded: pd.DataFrame

    @property
    def n(self) -> int:
        return len(self.changes)

    @property
    def change_values(self) -> np.ndarray:
        """The changes as a float array."""
        return np.asarray(self.changes["change"], dtype=float)


def _check_stages(from_stage: int, to_stage: int) -> None:
    for name, stage in (("from_stage", from_stage), ("to_stage", to_stage)):
        if stage not in _STAGE_NUMBERS:
            raise ValueError(f"{name} must be one of {_STAGE_NUMBERS}; got {stage!r}")
    if from_stage == to_stage:
        raise ValueError(f"from_stage and to_stage must differ; both are {from_stage}")


def _participant_codes(data: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    participant = data["participant"]
    if isinstance(participant.dtype, pd.CategoricalDtype):
        return participant.cat.codes.to_numpy(), participant.cat.categories
    codes, labels = pd.factorize(participant.astype("str"), sort=True)
    return codes, pd.Index(labels)


def participants_of(data: pd.DataFrame) -> pd.Categorical:
    """Every participant in ``data`` once, in sorted order, as a categorical."""
    codes, labels = _participant_codes(data)
    used = np.flatnonzero(np.bincount(codes, minlength=len(labels)) > 0)
    return pd.Categorical.from_codes(used, categories=labels)


def stage_scores(
    data: pd.DataFrame, column: str, stages: tuple[int, ...]
) -> tuple[pd.Categorical, np.ndarray, np.ndarray]:
    """Scores of one column as a participants × stages array.

    Returns the participants (a categorical, one entry per participant in
    ``data``), the float scores (NaN where blank or absent) and a boolean
    array saying which stage rows exist. Vectorised: the cost is linear in
    the number of rows.
    """
    codes, labels = _participant_codes(data)
    width = len(_STAGE_NUMBERS)
    # stages are consecutive numbers, so stage − first stage is the slot within a participant
    offset = np.asarray(data["stage"], dtype=float) - _STAGE_NUMBERS[0]
    known = (offset >= 0) & (offset < width)
    slot = codes * width + offset.astype(np.int64, copy=False)
    values = data[column].to_numpy(dtype=float, na_value=np.nan)
    if not known.all():
        slot, values = slot[known], values[known]
    flat_scores = np.full(len(labels) * width, np.nan)
    flat_scores[slot] = values
    flat_present = np.zeros(flat_scores.size, dtype=bool)
    flat_present[slot] = True
    columns = [number - _STAGE_NUMBERS[0] for number in stages]
    participants = participants_of(data)
    scores = flat_scores.reshape(-1, width)[:, columns]
    present = flat_present.reshape(-1, width)[:, columns]
    if len(participants) < len(labels):
        scores, present = scores[participants.codes], present[participants.codes]
    return participants, scores, present


def stage_change(
    data: pd.DataFrame,
    instrument: str,
    *,
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
) -> StageChange:
    """Per-participant change in ``instrument`` from ``from_stage`` to ``to_stage``.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy cohort frame (``Cohort.data``).
    instrument : str
        Registry key, e.g. ``"piq"``.
    from_stage, to_stage : int
        Stages to compare; the change is ``to_stage − from_stage``.

    Returns
    -------
    StageChange
    """
    abbreviation = get_instrument(instrument).abbreviation
    _check_stages(from_stage, to_stage)
    participants, scores, present = stage_scores(data, instrument, (from_stage, to_stage))
    complete = ~np.isnan(scores).any(axis=1)
    changes = pd.DataFrame(
        {
            "participant": participants[complete],
            "before": scores[complete, 0],
            "after": scores[complete, 1],
            "change": scores[complete, 1] - scores[complete, 0],
        }
    )
    # reasons are written only for the excluded, usually few, participants
    reasons = []
    for row in np.flatnonzero(~complete):
        parts = []
        for position, stage in enumerate((from_stage, to_stage)):
            if not present[row, position]:
                parts.append(f"no stage {stage} row")
            elif np.isnan(scores[row, position]):
                parts.append(f"{abbreviation} blank at stage {stage}")
        reasons.append("; ".join(parts))
    excluded = pd.DataFrame({"participant": participants[~complete], "reason": pd.Series(reasons, dtype="str")})
    return StageChange(instrument, from_stage, to_stage, changes, excluded)


def _require_pairs(change: StageChange, minimum: int, analysis: str) -> None:
    if change.n < minimum:
        raise ValueError(
            f"{analysis} of {change.instrument} from stage {change.from_stage} to "
            f"{change.to_stage} needs at least {minimum} participants with both scores; "
            f"this cohort has {change.n}"
        )


def paired_change(
    data: pd.DataFrame,
    instrument: str,
    *,
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Paired t-based summary of the change in one instrument between two stages.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy cohort frame (``Cohort.data``).
    instrument : str
        Registry key, e.g. ``"piq"``.
    from_stage, to_stage : int
        Stages compared; the change is ``to_stage − from_stage``.
    confidence : float
        Confidence level of the interval.

    Returns
    -------
    pandas.DataFrame
        One row:

        - ``instrument``, ``from_stage``, ``to_stage``
        - ``n``: participants with both scores; ``n_excluded``: everyone else
        - ``mean_change``, ``sd_change``: mean and SD (n − 1) of the changes
        - ``ci_low``, ``ci_high``: t-based confidence interval of the mean change
        - ``t``, ``dof``, ``p_val``: paired t statistic, n − 1, two-sided p
        - ``dz``: Cohen's dz, signed (mean change / SD of changes)

    Notes
    -----
    With changes :math:`d_i`, :math:`\\bar d` their mean and :math:`s_d` their SD,

    .. math:: t = \\bar d / (s_d/\\sqrt{n}), \\qquad d_z = \\bar d / s_d = t/\\sqrt{n}.

    dz is the standardised mean *change*, not a between-group effect size:
    it grows as the two stages correlate more (Lakens 2013). When every change
    is identical, ``sd_change`` is 0 and ``t``, ``p_val`` and ``dz`` are NaN.

    References
    ----------
    Lakens D. Calculating and reporting effect sizes to facilitate cumulative
    science. Front Psychol 2013;4:863.

    Examples
    --------
    >>> from cnslbp_lib import format_ci, format_number, load_cohort
    >>> data = load_cohort("data/cohort.csv").data
    >>> row = paired_change(data, "piq").iloc[0]
    >>> int(row.n), format_number(row.mean_change, 2), format_ci(row.ci_low, row.ci_high, 2)
    (14, '−18.79', '−29.87 to −7.70')
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1; got {confidence!r}")
    change = stage_change(data, instrument, from_stage=from_stage, to_stage=to_stage)
    _require_pairs(change, 2, "A paired t-test")
    values = change.change_values
    mean = float(values.mean())
    sd = float(values.std(ddof=1))
    if sd == 0:
        t_stat = p_val = dz = np.nan
        ci_low = ci_high = mean
    else:
        result = stats.ttest_1samp(values, 0.0)
        interval = result.confidence_interval(confidence_level=confidence)
        t_stat, p_val = float(result.statistic), float(result.pvalue)
        ci_low, ci_high = float(interval.low), float(interval.high)
        dz = mean / sd
    return pd.DataFrame(
        [
            {
                "instrument": instrument,
                "from_stage": from_stage,
                "to_stage": to_stage,
                "n": change.n,
                "n_excluded": len(change.excluded),
                "mean_change": mean,
                "sd_change": sd,
                "ci_low": ci_low,
                "ci_high": ci_high,
                "t": t_stat,
                "dof": change.n - 1,
                "p_val": p_val,
                "dz": dz,
            }
        ]
    )


def wilcoxon_change(
    data: pd.DataFrame,
    instrument: str,
    *,
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
) -> pd.DataFrame:
    """Wilcoxon signed-rank test of the change: a check that needs no normality.

    Returns
    -------
    pandas.DataFrame
        One row: ``instrument``, ``from_stage``, ``to_stage``, ``n``,
        ``n_zero`` (changes of 0, dropped by the test), ``w_val`` (the smaller
        rank sum), ``p_val`` (two-sided) and ``method`` (``exact`` or
        ``approx``, as chosen by scipy for the data).

    Notes
    -----
    Zero changes are dropped (Wilcoxon's convention). scipy uses the exact
    null distribution when there are at most 50 non-zero changes and no ties,
    and the normal approximation with tie correction otherwise.

    References
    ----------
    Wilcoxon F. Individual comparisons by ranking methods. Biometrics Bulletin
    1945;1(6):80–83.
    """
    change = stage_change(data, instrument, from_stage=from_stage, to_stage=to_stage)
    _require_pairs(change, 1, "A Wilcoxon signed-rank test")
    values = change.change_values
    nonzero = values[values != 0]
    if nonzero.size == 0:
        w_val, p_val, method = np.nan, np.nan, "none"
    else:
        has_ties = np.unique(np.abs(nonzero)).size < nonzero.size
        method = "exact" if nonzero.size <= 50 and not has_ties else "approx"
        result = stats.wilcoxon(nonzero, method=method)
        w_val, p_val = float(result.statistic), float(result.pvalue)
    return pd.DataFrame(
        [
            {
                "instrument": instrument,
                "from_stage": from_stage,
                "to_stage": to_stage,
                "n": change.n,
                "n_zero": int(values.size - nonzero.size),
                "w_val": w_val,
                "p_val": p_val,
                "method": method,
            }
        ]
    )


def bootstrap_change(
    data: pd.DataFrame,
    instrument: str,
    *,
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
    confidence: float = 0.95,
    n_resamples: int = 10_000,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Percentile bootstrap confidence interval of the mean change, seeded.

    Returns
    -------
    pandas.DataFrame
        One row: ``instrument``, ``from_stage``, ``to_stage``, ``n``,
        ``mean_change``, ``ci_low``, ``ci_high``, ``n_resamples`` and ``seed``.

    Notes
    -----
    Resampling n participants with replacement only changes how many times
    each distinct change value is drawn, and those counts follow a multinomial
    distribution with the observed frequencies. Drawing the counts directly
    gives exactly the ordinary bootstrap distribution of the mean at a cost
    that depends on the number of distinct values, not on n, so the interval
    is as cheap for a million participants as for fourteen.

    References
    ----------
    Efron B, Tibshirani RJ. An Introduction to the Bootstrap. Chapman & Hall; 1993.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1; got {confidence!r}")
    if n_resamples < 100:
        raise ValueError(f"n_resamples must be at least 100; got {n_resamples!r}")
    change = stage_change(data, instrument, from_stage=from_stage, to_stage=to_stage)
    _require_pairs(change, 2, "A bootstrap interval")
    distinct, counts = np.unique(change.change_values, return_counts=True)
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(change.n, counts / change.n, size=n_resamples)
    means = draws @ distinct / change.n
    tail = (1 - confidence) / 2
    ci_low, ci_high = np.quantile(means, [tail, 1 - tail])
    return pd.DataFrame(
        [
            {
                "instrument": instrument,
                "from_stage": from_stage,
                "to_stage": to_stage,
                "n": change.n,
                "mean_change": float(change.change_values.mean()),
                "ci_low": float(ci_low),
                "ci_high": float(ci_high),
                "n_resamples": n_resamples,
                "seed": seed,
            }
        ]
    )
