"""Numbers the book shows that the abstract does not print, and what the abstract says about each.

Every such quantity is computed for every member of the ensemble
(:mod:`cnslbp_lib.paper.ensemble`), and its spread classifies it:

- **fixed by the abstract**: the same at printed precision in every member;
- **same verdict in every member**: the value varies, but the reading a
  reader takes from it (p below .05, an interval excluding zero, a sign,
  a threshold met) is the same everywhere;
- **depends on the reconstruction**: the abstract allows values that read
  differently, so this dataset's value is one arbitrary choice;
- **set by an assumption**: it varies because of a prior the abstract says
  nothing about (stage 1 and 2 levels, global ratings, a reliability).

The per-member values are stored once, in ``data/ensemble_summary.csv``, stamped
with a hash of everything they depend on (:func:`cnslbp_lib.paper.ensemble.ensemble_stamp`),
so a build reads them instead of re-sampling, and a stale file is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ..data.instruments import GLOBAL_CHANGE, INSTRUMENTS, NON_RESPONSE, get_instrument
from ..stats import batch, batch_ranks, batch_resampling
from ..stats.rtm import DEFAULT_RELIABILITY, expected_null_improvement
from ..stats.rtm_joint import expected_joint_null_improvement
from ..stats.rtm_joint_figures import ILLUSTRATIVE_ERROR_CORRELATION, ILLUSTRATIVE_FLARE_STRENGTH
from .ensemble import Ensemble
from .formatting import format_number, format_p

__all__ = [
    "DERIVED",
    "Derived",
    "DerivedClass",
    "classify",
    "get_derived",
    "member_summary",
    "responder_band",
]

DerivedClass = Literal["fixed", "same verdict", "depends", "assumption"]
CLASS_WORDS: dict[DerivedClass, str] = {
    "fixed": "fixed by the abstract",
    "same verdict": "same verdict in every dataset",
    "depends": "depends on the reconstruction",
    "assumption": "set by an assumption",
}


@dataclass(frozen=True)
class Derived:
    """One quantity the book shows that the abstract does not print.

    ``style`` says how it is printed (``number`` with ``decimals``, ``p``,
    ``percent``, ``count``); ``verdict`` (optional) maps values to the reading
    a reader takes from them; ``assumption`` names the prior it rests on when
    it varies only because of one.
    """

    key: str
    label: str
    style: Literal["number", "p", "percent", "count"]
    decimals: int = 2
    verdict: Callable[[np.ndarray], np.ndarray] | None = None
    verdict_words: tuple[str, str] = ("", "")
    assumption: str = ""

    def printed(self, value: float) -> str:
        """The value as the book prints it."""
        if not np.isfinite(value):
            return "not computable"
        match self.style:
            case "p":
                return format_p(value)
            case "percent":
                return f"{format_number(value, self.decimals)}%"
            case "count":
                return format_number(value, 0)
            case _:
                return format_number(value, self.decimals)


def _below_05(values: np.ndarray) -> np.ndarray:
    return np.asarray(values < 0.05)


def _negative(values: np.ndarray) -> np.ndarray:
    return np.asarray(values < 0)


def _positive(values: np.ndarray) -> np.ndarray:
    return np.asarray(values > 0)


P_WORDS = ("p below .05", "p of .05 or more")
STAGE_PRIOR = (
    "stage 2 scores drawn from the widest prior (any level the scale and the changes allow), stage 1 scores "
    "within a clinically unimportant change of them"
)
_ILLUSTRATION = (
    f"error correlation {format_number(ILLUSTRATIVE_ERROR_CORRELATION, 1)} and flare strength "
    f"{format_number(ILLUSTRATIVE_FLARE_STRENGTH, 1)}"
)
JOINT_SETTING = f"reliability {format_number(DEFAULT_RELIABILITY, 2)}, illustrative {_ILLUSTRATION}"
JOINT_ASSUMPTION = (
    f"{STAGE_PRIOR}; test–retest reliability {format_number(DEFAULT_RELIABILITY, 2)}; an illustrative {_ILLUSTRATION}"
)
RATING_PRIOR = "global ratings drawn uniformly and independently of the changes"


def _registry() -> tuple[Derived, ...]:
    items: list[Derived] = []
    for entry in INSTRUMENTS:
        name, key = entry.abbreviation, entry.key
        items += [
            Derived(f"{key}_wilcoxon_p", f"{name} Wilcoxon signed-rank p, stage 2 → 3", "p", 3, _below_05, P_WORDS),
            Derived(f"{key}_boot_low", f"{name} percentile bootstrap 95% interval, lower limit", "number"),
            Derived(f"{key}_boot_high", f"{name} percentile bootstrap 95% interval, upper limit", "number"),
            Derived(f"{key}_bca_low", f"{name} BCa bootstrap 95% interval, lower limit", "number"),
            Derived(f"{key}_bca_high", f"{name} BCa bootstrap 95% interval, upper limit", "number"),
            Derived(
                f"{key}_loo_mean",
                f"{name} mean change without the least favourable participant",
                "number",
                2,
                _negative if entry.improvement_sign < 0 else _positive,
                ("still an improvement", "no longer an improvement"),
            ),
            Derived(
                f"{key}_loo_p", f"{name} paired p without the least favourable participant", "p", 3, _below_05, P_WORDS
            ),
            Derived(
                f"{key}_d_av", f"{name} d_av (mean change over the average stage SD)", "number", assumption=STAGE_PRIOR
            ),
            Derived(
                f"{key}_r_stages",
                f"{name} correlation of stage 2 with stage 3 scores",
                "number",
                assumption=STAGE_PRIOR,
            ),
            Derived(f"{key}_mean_2", f"{name} mean score at stage 2", "number", 1, assumption=STAGE_PRIOR),
            Derived(f"{key}_sd_2", f"{name} SD of scores at stage 2", "number", 1, assumption=STAGE_PRIOR),
            Derived(f"{key}_12_mean", f"{name} mean change, stage 1 → 2", "number", assumption=STAGE_PRIOR),
            Derived(
                f"{key}_12_low",
                f"{name} mean change, stage 1 → 2, 95% CI lower limit",
                "number",
                assumption=STAGE_PRIOR,
            ),
            Derived(
                f"{key}_12_high",
                f"{name} mean change, stage 1 → 2, 95% CI upper limit",
                "number",
                assumption=STAGE_PRIOR,
            ),
            Derived(f"{key}_12_p", f"{name} paired p, stage 1 → 2", "p", 3, _below_05, P_WORDS, assumption=STAGE_PRIOR),
        ]
        if entry.responder_reported:
            for offset in (-2, 2):
                threshold = entry.threshold + offset
                items.append(
                    Derived(
                        f"{key}_resp_{'minus' if offset < 0 else 'plus'}{abs(offset)}",
                        f"{name} responders with {entry.rule(threshold)}",
                        "percent",
                        1,
                    )
                )
            items.append(
                Derived(
                    f"{key}_rtm_expected",
                    f"{name} improvement expected from regression to the mean alone (points, reliability "
                    f"{format_number(DEFAULT_RELIABILITY, 2)})",
                    "number",
                    2,
                    assumption=f"{STAGE_PRIOR}; test–retest reliability {format_number(DEFAULT_RELIABILITY, 2)}",
                )
            )
            items.append(
                Derived(
                    f"{key}_rtm_share",
                    f"{name} share of the improvement regression to the mean would explain (reliability "
                    f"{format_number(DEFAULT_RELIABILITY, 2)})",
                    "percent",
                    0,
                    assumption=f"{STAGE_PRIOR}; test–retest reliability {format_number(DEFAULT_RELIABILITY, 2)}",
                )
            )
            if key in NON_RESPONSE.instruments:
                items += [
                    Derived(
                        f"{key}_rtm_joint_expected",
                        f"{name} improvement expected from regression to the mean alone with selection on both "
                        f"questionnaires (points; {JOINT_SETTING})",
                        "number",
                        2,
                        assumption=JOINT_ASSUMPTION,
                    ),
                    Derived(
                        f"{key}_rtm_joint_share",
                        f"{name} share of the improvement regression to the mean would explain with selection on "
                        f"both questionnaires ({JOINT_SETTING})",
                        "percent",
                        0,
                        assumption=JOINT_ASSUMPTION,
                    ),
                ]
    items += [
        Derived(
            "assoc_r", "Pearson r between the PSEQ and PIQ changes", "number", 2, _negative, ("inverse", "not inverse")
        ),
        Derived("assoc_r_low", "Pearson r, 95% interval lower limit", "number"),
        Derived(
            "assoc_r_high", "Pearson r, 95% interval upper limit", "number", 2, _negative, ("excludes 0", "includes 0")
        ),
        Derived("assoc_r_p", "Pearson r, p", "p", 3, _below_05, P_WORDS),
        Derived(
            "assoc_rho",
            "Spearman rho between the PSEQ and PIQ changes",
            "number",
            2,
            _negative,
            ("inverse", "not inverse"),
        ),
        Derived("assoc_rho_low", "Spearman rho, 95% interval lower limit", "number"),
        Derived("assoc_rho_high", "Spearman rho, 95% interval upper limit", "number"),
        Derived("assoc_rho_p", "Spearman rho, p", "p", 3, _below_05, P_WORDS),
        Derived("psq_ci_low", "PSQ mean change, stage 2 → 3, 95% CI lower limit", "number"),
        Derived(
            "psq_ci_high",
            "PSQ mean change, stage 2 → 3, 95% CI upper limit",
            "number",
            2,
            _positive,
            ("includes 0", "excludes 0"),
        ),
        Derived("psq_dz", "PSQ Cohen's dz, stage 2 → 3 (size)", "number"),
        Derived(
            "global_improved_3",
            f"participants rating themselves {GLOBAL_CHANGE.label(GLOBAL_CHANGE.improved_from)} or better at stage 3",
            "count",
            assumption=RATING_PRIOR,
        ),
    ]
    pseq = get_instrument("pseq")
    for band, _, _ in pseq.bands:
        items.append(
            Derived(
                f"pseq_band_{band}",
                f"participants in the PSEQ '{band}' band at stage 2",
                "count",
                assumption=STAGE_PRIOR,
            )
        )
    return tuple(items)


DERIVED: tuple[Derived, ...] = _registry()
_BY_KEY = {item.key: item for item in DERIVED}


def get_derived(key: str) -> Derived:
    """The registry entry for ``key``, naming the known keys otherwise."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise ValueError(f"key must be one of {', '.join(_BY_KEY)}; got {key!r}") from None


def member_summary(ensemble: Ensemble) -> pd.DataFrame:
    """Every derived quantity for every member: one row per member, one column per :data:`DERIVED` key."""
    columns: dict[str, np.ndarray] = {}
    observed: dict[str, np.ndarray] = {}
    stage_of = {1: 0, 2: 1, 3: 2}
    for position, entry in enumerate(INSTRUMENTS):
        key = entry.key
        before = ensemble.scores[:, :, stage_of[2], position].astype(float)
        after = ensemble.scores[:, :, stage_of[3], position].astype(float)
        changes = after - before
        columns[f"{key}_wilcoxon_p"] = batch_ranks.signed_rank_p_batch(changes)
        boot = batch_resampling.bootstrap_ci_batch(changes)
        columns[f"{key}_boot_low"], columns[f"{key}_boot_high"] = boot.ci_low, boot.ci_high
        bca = batch_resampling.bootstrap_ci_batch(changes, method="bca")
        columns[f"{key}_bca_low"], columns[f"{key}_bca_high"] = bca.ci_low, bca.ci_high
        loo = batch_resampling.least_favourable_leave_one_out(changes, improvement_sign=entry.improvement_sign)
        columns[f"{key}_loo_mean"], columns[f"{key}_loo_p"] = loo.mean_change, loo.p_val
        columns[f"{key}_mean_2"] = before.mean(axis=1)
        columns[f"{key}_sd_2"] = before.std(axis=1, ddof=1)
        summary = batch.stage_summary_batch(before, after)
        columns[f"{key}_d_av"] = summary.d_av * entry.improvement_sign
        columns[f"{key}_r_stages"] = summary.r_stages
        education = batch.paired_t_batch(ensemble.scores[:, :, stage_of[1], position].astype(float), before)
        columns[f"{key}_12_mean"], columns[f"{key}_12_p"] = education.mean_change, education.p_val
        columns[f"{key}_12_low"], columns[f"{key}_12_high"] = education.ci_low, education.ci_high
        improvement = changes * entry.improvement_sign
        observed[key] = improvement.mean(axis=1)
        if entry.responder_reported:
            for offset in (-2, 2):
                name = f"{key}_resp_{'minus' if offset < 0 else 'plus'}{abs(offset)}"
                columns[name] = batch.responder_share_batch(improvement, entry.threshold + offset)
            columns[f"{key}_rtm_share"] = 100 * batch.rtm_share_batch(
                observed[key], before.std(axis=1, ddof=1), entry.threshold, DEFAULT_RELIABILITY
            )
            columns[f"{key}_rtm_expected"] = expected_null_improvement(
                DEFAULT_RELIABILITY, entry.threshold, before.std(axis=1, ddof=1)
            )
    columns |= _joint_rtm_columns({key: columns[f"{key}_sd_2"] for key in observed}, observed)
    pseq = ensemble.changes("pseq").astype(float)
    piq = ensemble.changes("piq").astype(float)
    pearson = batch.correlation_batch(pseq, piq, method="pearson")
    spearman = batch.correlation_batch(pseq, piq, method="spearman")
    columns["assoc_r"], columns["assoc_r_low"], columns["assoc_r_high"] = pearson.r, pearson.ci_low, pearson.ci_high
    columns["assoc_r_p"] = pearson.p_val
    columns["assoc_rho"], columns["assoc_rho_p"] = spearman.r, spearman.p_val
    columns["assoc_rho_low"], columns["assoc_rho_high"] = spearman.ci_low, spearman.ci_high
    psq = batch.paired_t_batch(
        np.zeros_like(ensemble.changes("psq"), dtype=float), ensemble.changes("psq").astype(float)
    )
    columns["psq_ci_low"], columns["psq_ci_high"], columns["psq_dz"] = psq.ci_low, psq.ci_high, np.abs(psq.dz)
    columns["global_improved_3"] = (ensemble.global_change[:, :, 1] >= GLOBAL_CHANGE.improved_from).sum(axis=1)
    pseq_position = [entry.key for entry in INSTRUMENTS].index("pseq")
    stage_two = ensemble.scores[:, :, stage_of[2], pseq_position]
    for band, low, high in get_instrument("pseq").bands:
        columns[f"pseq_band_{band}"] = ((stage_two >= low) & (stage_two <= high)).sum(axis=1)
    frame = pd.DataFrame({item.key: np.asarray(columns[item.key], dtype=float) for item in DERIVED})
    frame.insert(0, "member", np.arange(ensemble.members))
    return frame


def _joint_rtm_columns(sd: dict[str, np.ndarray], observed: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Regression to the mean with selection on both rule instruments, per member, at the illustrative setting.

    ``sd`` and ``observed`` hold each member's stage 2 SD and mean stage 2 → 3
    improvement (points, positive = better), per instrument key.
    """
    keys = NON_RESPONSE.instruments
    thresholds = tuple(float(get_instrument(key).threshold) for key in keys)
    sds = np.column_stack([sd[key] for key in keys])
    expected = np.full(sds.shape, np.nan)
    for member, pair in enumerate(sds):
        if np.all(pair > 0):
            expected[member] = expected_joint_null_improvement(
                DEFAULT_RELIABILITY,
                thresholds,
                (float(pair[0]), float(pair[1])),
                error_correlation=ILLUSTRATIVE_ERROR_CORRELATION,
                flare_strength=ILLUSTRATIVE_FLARE_STRENGTH,
            ).expected
    found: dict[str, np.ndarray] = {}
    for index, key in enumerate(keys):
        found[f"{key}_rtm_joint_expected"] = expected[:, index]
        with np.errstate(invalid="ignore", divide="ignore"):
            share = 100 * expected[:, index] / observed[key]
        found[f"{key}_rtm_joint_share"] = np.where(observed[key] > 0, share, np.nan)
    return found


@dataclass(frozen=True)
class Spread:
    """How one derived quantity varies across the ensemble, and its class."""

    key: str
    label: str
    derived_class: DerivedClass
    median: float
    low: float
    high: float
    minimum: float
    maximum: float
    verdict: str

    @property
    def class_words(self) -> str:
        return CLASS_WORDS[self.derived_class]


def classify(item: Derived, values: np.ndarray) -> Spread:
    """The class of one quantity from its values across the ensemble (NaN values are dropped)."""
    finite = values[np.isfinite(values)]
    printed = {item.printed(float(value)) for value in finite}
    verdict = ""
    if len(printed) <= 1:
        derived_class: DerivedClass = "fixed"
    elif item.assumption:
        derived_class = "assumption"
    elif item.verdict is not None and len(set(item.verdict(finite).tolist())) == 1:
        derived_class = "same verdict"
        verdict = item.verdict_words[0] if bool(item.verdict(finite[:1])[0]) else item.verdict_words[1]
    else:
        derived_class = "depends"
    low, median, high = np.quantile(finite, [0.05, 0.5, 0.95]) if finite.size else (np.nan,) * 3
    return Spread(
        key=item.key,
        label=item.label,
        derived_class=derived_class,
        median=float(median),
        low=float(low),
        high=float(high),
        minimum=float(finite.min()) if finite.size else np.nan,
        maximum=float(finite.max()) if finite.size else np.nan,
        verdict=verdict,
    )


def responder_band(ensemble: Ensemble, instrument: str, *, coverage: float = 0.9) -> pd.DataFrame:
    """The share of responders at every threshold, across members: median and central ``coverage`` band.

    Returns
    -------
    pandas.DataFrame
        ``threshold`` (0 to the scale's range), ``median``, ``low``, ``high``
        (percent of participants), one row per threshold.
    """
    entry = get_instrument(instrument)
    improvement = ensemble.changes(instrument) * entry.improvement_sign
    thresholds = np.arange(0, entry.maximum - entry.minimum + 1)
    shares = np.column_stack([batch.responder_share_batch(improvement, threshold) for threshold in thresholds])
    tail = (1 - coverage) / 2
    low, median, high = np.quantile(shares, [tail, 0.5, 1 - tail], axis=0)
    return pd.DataFrame({"threshold": thresholds, "median": median, "low": low, "high": high})
