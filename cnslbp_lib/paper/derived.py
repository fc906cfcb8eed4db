"""Numbers the book shows that the abstract does not print, and what the abstract says about each.

Every number the book shows has a class, decided by one function, :func:`classify`:

- **fixed by the abstract**: the same at printed precision (to within one unit
  of its last printed digit) in every dataset consistent with the abstract;
- **same verdict**: the value varies, but the reading a reader takes from it
  (p below .05, an interval excluding zero, a threshold met) does not;
- **depends on the reconstruction**: the abstract allows values that read
  differently, so this dataset's value is one arbitrary choice;
- **set by an assumption**: it varies because of a prior or a constant the
  abstract says nothing about (stage 1 and 2 levels, global ratings, a reliability).

What the class rests on is its **basis**: ``printed`` (the abstract prints it),
``abstract`` (arithmetic on printed numbers alone), ``assumed`` (a constant this
book assumes, such as a threshold or a reliability), ``inputs`` (a function of
other registry quantities, whose weakest class it takes), or ``drawn`` (computed
for every member of the ensemble, :mod:`cnslbp_lib.paper.ensemble`, and classed by
its spread). A drawn class is a statement about the drawn members; where
:mod:`cnslbp_lib.paper.bounds` computes a quantity's exact bounds over everything
the abstract allows, those bounds decide instead (basis ``exact``).

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
from scipy import stats

from ..data.instruments import Instrument
from ..stats import batch, batch_ranks, batch_resampling
from ..stats.core import proportion
from ..stats.rtm import DEFAULT_RELIABILITY, expected_null_improvement
from ..stats.rtm_joint import expected_joint_null_improvement
from ..stats.rtm_joint_figures import ILLUSTRATIVE_ERROR_CORRELATION, ILLUSTRATIVE_FLARE_STRENGTH
from .ensemble import Ensemble
from .formatting import format_number, format_p
from .reported import STUDY, Paper

__all__ = [
    "BASIS_WORDS",
    "CLASS_ORDER",
    "CLASS_WORDS",
    "DERIVED",
    "DRAWN",
    "Bounds",
    "Derived",
    "DerivedClass",
    "Spread",
    "classify",
    "get_derived",
    "member_summary",
    "responder_band",
]

DerivedClass = Literal["fixed", "same verdict", "depends", "assumption"]
Basis = Literal["drawn", "exact", "printed", "abstract", "assumed", "inputs"]
CLASS_WORDS: dict[DerivedClass, str] = {
    "fixed": "fixed by the abstract",
    "same verdict": "same verdict",
    "depends": "depends on the reconstruction",
    "assumption": "set by an assumption",
}
# weakest last: a quantity computed from others is no firmer than the weakest of them
CLASS_ORDER: tuple[DerivedClass, ...] = ("fixed", "same verdict", "depends", "assumption")
BASIS_WORDS: dict[Basis, str] = {
    "drawn": "in every one of the datasets drawn from what the abstract allows",
    "exact": "over everything the abstract allows (exact bounds)",
    "printed": "printed in the abstract",
    "abstract": "computed from the abstract's printed numbers alone",
    "assumed": "an assumption of this book",
    "inputs": "computed from quantities whose classes are given",
}


@dataclass(frozen=True)
class Derived:
    """One quantity the book shows that the abstract does not print.

    ``style`` says how it is printed (``number`` with ``decimals``, ``p``,
    ``percent``, ``count``); ``verdict`` (optional) maps values to the reading
    a reader takes from them; ``assumption`` names the prior it rests on when
    it varies only because of one; ``given`` a condition it holds under (the
    book's assumed threshold, say), named wherever it is shown. ``basis`` says
    what its class rests on (see the module docstring); ``inputs`` are the
    registry keys a quantity of basis ``inputs`` is computed from.
    ``selects_worked`` marks the quantities the worked member is chosen on
    (:func:`cnslbp_lib.paper.reconstruction.worked_member`): the registry as it
    stood when the worked dataset was chosen, so adding a quantity does not
    move the dataset the book shows.
    """

    key: str
    label: str
    style: Literal["number", "p", "percent", "count"]
    decimals: int = 2
    verdict: Callable[[np.ndarray], np.ndarray] | None = None
    verdict_words: tuple[str, str] = ("", "")
    assumption: str = ""
    given: str = ""
    basis: Basis = "drawn"
    inputs: tuple[str, ...] = ()
    selects_worked: bool = True

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


def stage_prior(paper: Paper = STUDY) -> str:
    """The prior on stage levels, in words (the assumption behind every level-based quantity)."""
    base, _, selection = _stage_words(paper)
    words = f"stage {base} scores drawn from the widest prior (any level the scale and the changes allow)"
    if selection is not None:
        words += f", stage {selection} scores within a clinically unimportant change of them"
    return words


def _stage_words(paper: Paper) -> tuple[int, int, int | None]:
    """The analysed comparison's stages and the selection stage before it (None without an inclusion rule)."""
    rule = paper.design.non_response
    selection = rule.from_stage if rule is not None and rule.to_stage == paper.design.baseline else None
    return paper.design.baseline, paper.design.follow_up, selection


_ILLUSTRATION = (
    f"error correlation {format_number(ILLUSTRATIVE_ERROR_CORRELATION, 1)} and flare strength "
    f"{format_number(ILLUSTRATIVE_FLARE_STRENGTH, 1)}"
)
JOINT_SETTING = f"reliability {format_number(DEFAULT_RELIABILITY, 2)}, illustrative {_ILLUSTRATION}"


def joint_assumption(paper: Paper = STUDY) -> str:
    """What the joint regression-to-the-mean figures rest on, in words."""
    reliability = format_number(DEFAULT_RELIABILITY, 2)
    return f"{stage_prior(paper)}; test–retest reliability {reliability}; an illustrative {_ILLUSTRATION}"


RATING_PRIOR = "global ratings drawn uniformly and independently of the changes"


def _outcome_registry(paper: Paper, entry: Instrument) -> list[Derived]:
    """The registry's quantities of one outcome, named after its key and the design's stage numbers."""
    name, key = entry.abbreviation, entry.key
    base, follow, selection = _stage_words(paper)
    comparison = f"stage {base} → {follow}"
    prior = stage_prior(paper)
    items = [
        Derived(f"{key}_wilcoxon_p", f"{name} Wilcoxon signed-rank p, {comparison}", "p", 3, _below_05, P_WORDS),
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
            f"{key}_d_av",
            f"{name} d_av (mean change over the average stage SD)",
            "number",
            assumption=prior,
        ),
        Derived(
            f"{key}_r_stages",
            f"{name} correlation of stage {base} with stage {follow} scores",
            "number",
            assumption=prior,
        ),
        Derived(f"{key}_mean_{base}", f"{name} mean score at stage {base}", "number", 1, assumption=prior),
        Derived(f"{key}_sd_{base}", f"{name} SD of scores at stage {base}", "number", 1, assumption=prior),
    ]
    if selection is not None:
        early = f"{key}_{selection}{base}"
        span = f"stage {selection} → {base}"
        items += [
            Derived(f"{early}_mean", f"{name} mean change, {span}", "number", assumption=prior),
            Derived(
                f"{early}_low",
                f"{name} mean change, {span}, 95% CI lower limit",
                "number",
                assumption=prior,
            ),
            Derived(
                f"{early}_high",
                f"{name} mean change, {span}, 95% CI upper limit",
                "number",
                assumption=prior,
            ),
            Derived(f"{early}_p", f"{name} paired p, {span}", "p", 3, _below_05, P_WORDS, assumption=prior),
        ]
    if entry.responder_reported:
        for offset in (-2, 2):
            items.append(
                Derived(
                    f"{key}_resp_{'minus' if offset < 0 else 'plus'}{abs(offset)}",
                    f"{name} responders with {entry.rule(entry.threshold + offset)}",
                    "percent",
                    1,
                )
            )
        reliability = format_number(DEFAULT_RELIABILITY, 2)
        items += [
            Derived(
                f"{key}_rtm_expected",
                f"{name} improvement expected from regression to the mean alone (points, reliability {reliability})",
                "number",
                2,
                assumption=f"{prior}; test–retest reliability {reliability}",
            ),
            Derived(
                f"{key}_rtm_share",
                f"{name} share of the improvement regression to the mean would explain (reliability {reliability})",
                "percent",
                0,
                assumption=f"{prior}; test–retest reliability {reliability}",
            ),
        ]
        if paper.design.non_response is not None and key in paper.design.non_response.instruments:
            items += [
                Derived(
                    f"{key}_rtm_joint_expected",
                    f"{name} improvement expected from regression to the mean alone with selection on both "
                    f"questionnaires (points; {JOINT_SETTING})",
                    "number",
                    2,
                    assumption=joint_assumption(paper),
                ),
                Derived(
                    f"{key}_rtm_joint_share",
                    f"{name} share of the improvement regression to the mean would explain with selection on "
                    f"both questionnaires ({JOINT_SETTING})",
                    "percent",
                    0,
                    assumption=joint_assumption(paper),
                ),
            ]
    return items


def _unprinted_interval(paper: Paper, entry: Instrument) -> list[Derived]:
    """An outcome's analysed CI and dz when the paper prints a mean change but no interval for it."""
    mean = paper.find("mean_change", entry.key)
    if mean is None or paper.find("ci_low", entry.key) is not None or mean.value is None:
        return []
    base, follow, _ = _stage_words(paper)
    label = f"{entry.abbreviation} mean change, stage {base} → {follow}, 95% CI"
    # the limit nearer zero decides whether the interval includes it
    falls = mean.value < 0
    return [
        Derived(
            f"{entry.key}_ci_low",
            f"{label} lower limit",
            "number",
            2,
            *(() if falls else (_negative, ("includes 0", "excludes 0"))),
        ),
        Derived(
            f"{entry.key}_ci_high",
            f"{label} upper limit",
            "number",
            2,
            *((_positive, ("includes 0", "excludes 0")) if falls else ()),
        ),
        Derived(f"{entry.key}_dz", f"{entry.abbreviation} Cohen's dz, stage {base} → {follow} (size)", "number"),
    ]


def registry(paper: Paper = STUDY) -> tuple[Derived, ...]:
    """Every quantity the book shows that ``paper`` does not print, for its instruments, stages and claims."""
    items: list[Derived] = []
    for entry in paper.design.instruments:
        items += _outcome_registry(paper, entry)
    for claim in paper.associations[:1]:
        x, y = (paper.instrument(key).abbreviation for key in claim.pair or ("", ""))
        items += [
            # no verdict: its sign is the reading the ensemble imposes (see paper/ensemble.py), not something it finds
            Derived("assoc_r", f"Pearson r between the {x} and {y} changes", "number", 2),
            Derived("assoc_r_low", "Pearson r, 95% interval lower limit", "number"),
            Derived(
                "assoc_r_high",
                "Pearson r, 95% interval upper limit",
                "number",
                2,
                _negative if claim.direction == "negative" else _positive,
                ("excludes 0", "includes 0"),
            ),
            Derived("assoc_r_p", "Pearson r, p", "p", 3, _below_05, P_WORDS),
            Derived("assoc_rho", f"Spearman rho between the {x} and {y} changes", "number", 2),
            Derived("assoc_rho_low", "Spearman rho, 95% interval lower limit", "number"),
            Derived("assoc_rho_high", "Spearman rho, 95% interval upper limit", "number"),
            Derived("assoc_rho_p", "Spearman rho, p", "p", 3, _below_05, P_WORDS),
        ]
    for entry in paper.design.instruments:
        items += _unprinted_interval(paper, entry)
    rating = paper.design.global_change
    follow = paper.design.follow_up
    if rating is not None:
        items.append(
            Derived(
                f"global_improved_{follow}",
                f"participants rating themselves {rating.label(rating.improved_from)} or better at stage {follow}",
                "count",
                assumption=RATING_PRIOR,
            )
        )
    base = paper.design.baseline
    for entry in paper.design.instruments:
        for band, _, _ in entry.bands:
            items.append(
                Derived(
                    f"{entry.key}_band_{band}",
                    f"participants in the {entry.abbreviation} '{band}' band at stage {base}",
                    "count",
                    assumption=stage_prior(paper),
                )
            )
    return tuple(items) + _later_registry(paper)


def _threshold_words(entry: Instrument) -> str:
    return f"at the book's assumed {entry.abbreviation} threshold ({entry.improvement_rule})"


def _later_registry(paper: Paper) -> tuple[Derived, ...]:
    """Quantities added after the worked dataset was chosen (``selects_worked=False``), and the assumed constants."""
    items: list[Derived] = [
        Derived(
            "rtm_reliability",
            "test–retest reliability assumed by the regression-to-the-mean model",
            "number",
            basis="assumed",
            assumption="the low end of the PSEQ reliabilities in a systematic review, assumed for every questionnaire",
        ),
        Derived(
            "rtm_reliability_60",
            "a lower test–retest reliability, for comparison",
            "number",
            basis="assumed",
            assumption="an illustrative lower reliability",
        ),
        Derived(
            "rtm_error_correlation",
            "correlation of the two questionnaires' errors at one sitting",
            "number",
            1,
            basis="assumed",
            assumption="an illustrative value of how far a bad day shows on both questionnaires; nobody has "
            "measured it",
        ),
        Derived(
            "rtm_flare_strength",
            "flare strength λ",
            "number",
            1,
            basis="assumed",
            assumption="an illustrative value of how strongly referral follows a bad spell; nobody has measured it",
        ),
        Derived(
            "rtm_flare_ratio",
            "how many times likelier referral is for each SD worse than usual",
            "number",
            basis="assumed",
            assumption="follows from the illustrative flare strength",
        ),
        Derived(
            "power_dz",
            "the smallest dz a paired t-test on the abstract's n detects with 80% power",
            "number",
            basis="abstract",
        ),
    ]
    base, follow = paper.design.baseline, paper.design.follow_up
    for entry in paper.design.instruments:
        name, key = entry.abbreviation, entry.key
        items.append(
            Derived(
                f"{key}_threshold",
                f"{name} threshold for a clinically important change (points)",
                "count",
                basis="assumed",
                assumption=entry.threshold_source,
            )
        )
        items += [
            Derived(
                f"{key}_min_{base}",
                f"{name} lowest score at stage {base}",
                "count",
                assumption=stage_prior(paper),
                selects_worked=False,
            ),
            Derived(
                f"{key}_max_{base}",
                f"{name} highest score at stage {base}",
                "count",
                assumption=stage_prior(paper),
                selects_worked=False,
            ),
            Derived(
                f"{key}_loo_low",
                f"{name} 95% CI lower limit without the least favourable participant",
                "number",
                selects_worked=False,
            ),
            Derived(
                f"{key}_loo_high",
                f"{name} 95% CI upper limit without the least favourable participant",
                "number",
                selects_worked=False,
            ),
            Derived(
                f"{key}_dz_improvement",
                f"{name} dz, stage {base} → {follow} (positive = improvement)",
                "number",
                selects_worked=False,
            ),
            Derived(
                f"{key}_improvement",
                f"{name} mean improvement, stage {base} → {follow} (points, positive = better)",
                "number",
                selects_worked=False,
            ),
            Derived(
                f"{key}_improved_share",
                f"{name} share of participants whose score improved at all",
                "percent",
                0,
                selects_worked=False,
            ),
            Derived(
                f"{key}_improved_normal",
                f"{name} share expected to improve if changes were normal, Φ(dz)",
                "percent",
                0,
                selects_worked=False,
            ),
            Derived(
                f"{key}_overlap",
                f"{name} overlap of the stage {base} and stage {follow} score distributions (if normal)",
                "percent",
                0,
                assumption=stage_prior(paper),
                selects_worked=False,
            ),
        ]
        if entry.responder_reported:
            given = _threshold_words(entry)
            items += [
                Derived(
                    f"{key}_resp_low",
                    f"{name} responders, Wilson 95% interval lower limit",
                    "percent",
                    1,
                    given=given,
                    selects_worked=False,
                ),
                Derived(
                    f"{key}_resp_high",
                    f"{name} responders, Wilson 95% interval upper limit",
                    "percent",
                    1,
                    given=given,
                    selects_worked=False,
                ),
            ]
            rtm_inputs = (f"{key}_sd_{base}", "rtm_reliability", f"{key}_threshold")
            items += [
                Derived(
                    f"{key}_rtm_low",
                    f"{name} regression to the mean alone: lower end of a 14-person cohort's "
                    "95% range of mean improvement",
                    "number",
                    1,
                    basis="inputs",
                    inputs=rtm_inputs,
                ),
                Derived(
                    f"{key}_rtm_high",
                    f"{name} regression to the mean alone: upper end of that range",
                    "number",
                    1,
                    basis="inputs",
                    inputs=rtm_inputs,
                ),
                Derived(
                    f"{key}_rtm_chance",
                    f"{name} responders expected by chance alone",
                    "percent",
                    0,
                    basis="inputs",
                    inputs=rtm_inputs,
                ),
                Derived(
                    f"{key}_rtm_expected_60",
                    f"{name} improvement expected from regression to the mean alone at reliability 0.60 (points)",
                    "number",
                    basis="inputs",
                    inputs=(f"{key}_sd_{base}", "rtm_reliability_60", f"{key}_threshold"),
                ),
                Derived(
                    f"{key}_rtm_reliability_explaining",
                    f"{name} reliability at which regression to the mean alone would explain the whole improvement",
                    "number",
                    basis="inputs",
                    inputs=(f"{key}_sd_{base}", f"{key}_threshold"),
                ),
            ]
        if entry.role == "primary":
            items.append(
                Derived(
                    f"{key}_holm_p",
                    f"{name} paired p, Holm-adjusted for the two primary outcomes",
                    "p",
                    3,
                    _below_05,
                    P_WORDS,
                    selects_worked=False,
                )
            )
    return tuple(items)


DERIVED: tuple[Derived, ...] = registry()
DRAWN: tuple[Derived, ...] = tuple(item for item in DERIVED if item.basis == "drawn")
"""The quantities computed for every member (the stored summary's columns)."""
_BY_KEY = {item.key: item for item in DERIVED}


def get_derived(key: str) -> Derived:
    """The registry entry for ``key``, naming the known keys otherwise."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise ValueError(f"key must be one of {', '.join(_BY_KEY)}; got {key!r}") from None


def _outcome_columns(ensemble: Ensemble, entry: Instrument) -> dict[str, np.ndarray]:
    """One outcome's drawn quantities for every member, in points."""
    key, paper = entry.key, ensemble.paper
    base, follow, selection = _stage_words(paper)
    before = ensemble.stage_scores(key, base).astype(float) / entry.items
    after = ensemble.stage_scores(key, follow).astype(float) / entry.items
    changes = after - before
    columns: dict[str, np.ndarray] = {f"{key}_wilcoxon_p": batch_ranks.signed_rank_p_batch(changes)}
    boot = batch_resampling.bootstrap_ci_batch(changes)
    columns[f"{key}_boot_low"], columns[f"{key}_boot_high"] = boot.ci_low, boot.ci_high
    bca = batch_resampling.bootstrap_ci_batch(changes, method="bca")
    columns[f"{key}_bca_low"], columns[f"{key}_bca_high"] = bca.ci_low, bca.ci_high
    loo = batch_resampling.least_favourable_leave_one_out(changes, improvement_sign=entry.improvement_sign)
    columns[f"{key}_loo_mean"], columns[f"{key}_loo_p"] = loo.mean_change, loo.p_val
    columns[f"{key}_loo_low"], columns[f"{key}_loo_high"] = loo.ci_low, loo.ci_high
    columns[f"{key}_mean_{base}"] = before.mean(axis=1)
    columns[f"{key}_sd_{base}"] = before.std(axis=1, ddof=1)
    columns[f"{key}_min_{base}"], columns[f"{key}_max_{base}"] = before.min(axis=1), before.max(axis=1)
    summary = batch.stage_summary_batch(before, after)
    columns[f"{key}_d_av"] = summary.d_av * entry.improvement_sign
    columns[f"{key}_r_stages"] = summary.r_stages
    # the same formula as stats.sensitivity.effect_size_summary, one row per member
    columns[f"{key}_overlap"] = 100 * 2 * stats.norm.cdf(-np.abs(summary.d_av) / 2)
    change_t = batch.paired_t_batch(before, after)
    columns[f"{key}_dz_improvement"] = change_t.dz * entry.improvement_sign
    columns[f"{key}_improved_normal"] = 100 * stats.norm.cdf(change_t.dz * entry.improvement_sign)
    columns[f"{key}_p"] = change_t.p_val  # not a registry key: the Holm adjustment reads it
    columns[f"{key}_ci_low"], columns[f"{key}_ci_high"] = change_t.ci_low, change_t.ci_high
    columns[f"{key}_dz"] = np.abs(change_t.dz)
    if selection is not None:
        early = batch.paired_t_batch(ensemble.stage_scores(key, selection).astype(float) / entry.items, before)
        prefix = f"{key}_{selection}{base}"
        columns[f"{prefix}_mean"], columns[f"{prefix}_p"] = early.mean_change, early.p_val
        columns[f"{prefix}_low"], columns[f"{prefix}_high"] = early.ci_low, early.ci_high
    improvement = changes * entry.improvement_sign
    columns[f"{key}_improvement"] = improvement.mean(axis=1)
    columns[f"{key}_improved_share"] = 100 * (improvement > 0).mean(axis=1)
    if entry.responder_reported:
        share = batch.responder_share_batch(improvement, entry.threshold)
        columns[f"{key}_resp_low"], columns[f"{key}_resp_high"] = _wilson_limits(share, improvement.shape[1])
        for offset in (-2, 2):
            name = f"{key}_resp_{'minus' if offset < 0 else 'plus'}{abs(offset)}"
            columns[name] = batch.responder_share_batch(improvement, entry.threshold + offset)
        columns[f"{key}_rtm_share"] = 100 * batch.rtm_share_batch(
            columns[f"{key}_improvement"], columns[f"{key}_sd_{base}"], entry.threshold, DEFAULT_RELIABILITY
        )
        columns[f"{key}_rtm_expected"] = expected_null_improvement(
            DEFAULT_RELIABILITY, entry.threshold, columns[f"{key}_sd_{base}"]
        )
    for band, low, high in entry.bands:
        columns[f"{key}_band_{band}"] = ((before >= low) & (before <= high)).sum(axis=1)
    return columns


def member_summary(ensemble: Ensemble) -> pd.DataFrame:
    """Every drawn quantity of the ensemble's paper for every member: one row per member, one column per key."""
    paper = ensemble.paper
    design = paper.design
    columns: dict[str, np.ndarray] = {}
    for entry in design.instruments:
        columns |= _outcome_columns(ensemble, entry)
    if design.non_response is not None:
        rule = [design.instrument(key) for key in design.non_response.instruments]
        columns |= _joint_rtm_columns(
            rule,
            {entry.key: columns[f"{entry.key}_sd_{design.baseline}"] for entry in rule},
            {entry.key: columns[f"{entry.key}_improvement"] for entry in rule},
        )
    primary = [entry.key for entry in design.instruments if entry.role == "primary"]
    if len(primary) > 1:
        adjusted = batch.holm_batch(np.column_stack([columns[f"{key}_p"] for key in primary]))
        columns |= {f"{key}_holm_p": adjusted[:, position] for position, key in enumerate(primary)}
    for claim in paper.associations[:1]:
        x, y = claim.pair or ("", "")
        first, second = ensemble.changes(x).astype(float), ensemble.changes(y).astype(float)
        pearson = batch.correlation_batch(first, second, method="pearson")
        spearman = batch.correlation_batch(first, second, method="spearman")
        columns["assoc_r"], columns["assoc_r_low"] = pearson.r, pearson.ci_low
        columns["assoc_r_high"], columns["assoc_r_p"] = pearson.ci_high, pearson.p_val
        columns["assoc_rho"], columns["assoc_rho_p"] = spearman.r, spearman.p_val
        columns["assoc_rho_low"], columns["assoc_rho_high"] = spearman.ci_low, spearman.ci_high
    rating = design.global_change
    rated = paper.file.global_rating
    if rating is not None and rated is not None and design.follow_up in rated.stages:
        at_follow_up = ensemble.ratings[:, :, rated.stages.index(design.follow_up)]
        columns[f"global_improved_{design.follow_up}"] = (at_follow_up >= rating.improved_from).sum(axis=1)
    drawn = [item for item in registry(paper) if item.basis == "drawn"]
    frame = pd.DataFrame({item.key: np.asarray(columns[item.key], dtype=float) for item in drawn})
    frame.insert(0, "member", np.arange(ensemble.members))
    return frame


def _wilson_limits(share: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Each member's Wilson 95% interval (percent) for a responder share (percent) of n, by :func:`proportion`."""
    counts = np.rint(np.asarray(share) * n / 100).astype(int)
    limits = {int(k): proportion(int(k), n) for k in np.unique(counts)}
    low = np.array([limits[int(k)].ci_low for k in counts])
    high = np.array([limits[int(k)].ci_high for k in counts])
    return low, high


def _joint_rtm_columns(
    rule: list[Instrument], sd: dict[str, np.ndarray], observed: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Regression to the mean with selection on both rule instruments, per member, at the illustrative setting.

    ``sd`` and ``observed`` hold each member's baseline SD and mean improvement
    (points, positive = better), per instrument key.
    """
    keys = tuple(entry.key for entry in rule)
    thresholds = tuple(float(entry.threshold) for entry in rule)
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
class Bounds:
    """A quantity's bounds over everything the abstract allows, computed rather than sampled.

    ``low`` is an interval known to contain the smallest value the abstract
    allows, ``high`` one known to contain the largest: both ends equal when the
    bound is exact. ``method`` says how they were found; ``note`` anything a
    reader needs to read them (a bound that is approached but not reached, say).
    """

    low: tuple[float, float]
    high: tuple[float, float]
    method: str
    note: str = ""

    @property
    def exact(self) -> bool:
        return self.low[0] == self.low[1] and self.high[0] == self.high[1]

    def ends(self) -> tuple[float, ...]:
        """Every finite end of both intervals."""
        return tuple(value for value in (*self.low, *self.high) if np.isfinite(value))


@dataclass(frozen=True)
class Spread:
    """One quantity's class, what it rests on, and (when drawn) how it varies across the drawn datasets.

    ``median``, ``low`` and ``high`` (the middle 90%), ``minimum`` and
    ``maximum`` describe the ``members`` drawn datasets (NaN when the quantity
    is not drawn); ``bounds`` are its exact bounds where they were computed.
    ``within_last_digit`` says that a fixed number prints as one of two
    neighbouring values (−10.24 or −10.23): fixed to within one unit of its last digit.
    """

    key: str
    label: str
    derived_class: DerivedClass
    basis: Basis
    median: float
    low: float
    high: float
    minimum: float
    maximum: float
    verdict: str
    members: int = 0
    bounds: Bounds | None = None
    within_last_digit: bool = False
    assumption: str = ""
    given: str = ""

    @property
    def class_words(self) -> str:
        return CLASS_WORDS[self.derived_class]

    @property
    def basis_words(self) -> str:
        return BASIS_WORDS[self.basis]


def _one_unit(item: Derived) -> float:
    """One unit of the last digit the book prints for ``item``."""
    return 10.0 ** -(3 if item.style == "p" else 0 if item.style == "count" else item.decimals)


def _class_of_values(item: Derived, values: np.ndarray) -> tuple[DerivedClass, str, bool]:
    """The class, verdict words and last-digit tolerance for a set of values the quantity can take."""
    printed = {item.printed(float(value)) for value in values}
    if len(printed) <= 1:
        return "fixed", "", False
    if item.style != "count" and len(printed) == 2:
        # two neighbouring printed values (−10.24 and −10.23): a rounding boundary falls inside the range
        unit = _one_unit(item)
        steps = abs(round(float(np.max(values)) / unit) - round(float(np.min(values)) / unit))
        if steps <= 1:
            return "fixed", "", True
    if item.assumption:
        return "assumption", "", False
    if item.verdict is not None:
        verdicts = set(item.verdict(values).tolist())
        if len(verdicts) == 1:
            return "same verdict", item.verdict_words[0] if verdicts.pop() else item.verdict_words[1], False
    return "depends", "", False


def classify(
    item: Derived, values: np.ndarray | None = None, *, bounds: Bounds | None = None, inputs: tuple[Spread, ...] = ()
) -> Spread:
    """The class of one quantity: the one rule behind every mark, table row, caption and exercise.

    Parameters
    ----------
    item : Derived
        The quantity.
    values : numpy.ndarray, optional
        Its value in every drawn dataset (basis ``drawn``; NaN values are dropped).
    bounds : Bounds, optional
        Its bounds over everything the abstract allows; when given they, not
        the drawn values, decide the class (basis ``exact``). A verdict is
        read at the bounds' ends, so it must be monotone in the value (every
        verdict in the registry is a threshold).
    inputs : tuple of Spread
        For basis ``inputs``: the classes of what it is computed from.

    Returns
    -------
    Spread
        Its class and basis, and the drawn spread when there is one.

    Notes
    -----
    A printed number, and arithmetic on printed numbers alone, are fixed; a
    constant the book assumes is an assumption; a quantity computed from others
    takes the weakest of their classes (:data:`CLASS_ORDER`). A drawn or bounded
    quantity is fixed when every value prints alike, or as one of two
    neighbouring values (a rounding boundary falls inside its range); otherwise it is an assumption if it
    varies only through a prior, the same verdict if its verdict never changes,
    and depends on the reconstruction if it does.
    """
    nan = float("nan")

    def without_values(derived_class: DerivedClass, basis: Basis) -> Spread:
        return Spread(
            key=item.key,
            label=item.label,
            derived_class=derived_class,
            basis=basis,
            median=nan,
            low=nan,
            high=nan,
            minimum=nan,
            maximum=nan,
            verdict="",
            assumption=item.assumption,
            given=item.given,
        )

    if item.basis in ("printed", "abstract"):
        return without_values("fixed", item.basis)
    if item.basis == "assumed":
        return without_values("assumption", "assumed")
    if item.basis == "inputs":
        classes = [spread.derived_class for spread in inputs]
        return without_values(max(classes, key=CLASS_ORDER.index, default="fixed"), "inputs")
    finite = np.asarray(values if values is not None else [], dtype=float)
    finite = finite[np.isfinite(finite)]
    basis: Basis = "drawn"
    if bounds is not None:
        derived_class, verdict, within = _class_of_values(item, np.asarray(bounds.ends()))
        basis = "exact"
    else:
        derived_class, verdict, within = _class_of_values(item, finite)
    low, median, high = np.quantile(finite, [0.05, 0.5, 0.95]) if finite.size else (nan,) * 3
    return Spread(
        key=item.key,
        label=item.label,
        assumption=item.assumption,
        given=item.given,
        derived_class=derived_class,
        basis=basis,
        median=float(median),
        low=float(low),
        high=float(high),
        minimum=float(finite.min()) if finite.size else nan,
        maximum=float(finite.max()) if finite.size else nan,
        verdict=verdict,
        members=int(finite.size),
        bounds=bounds,
        within_last_digit=within,
    )


def responder_band(ensemble: Ensemble, instrument: str, *, coverage: float = 0.9) -> pd.DataFrame:
    """The share of responders at every threshold, across members: median and central ``coverage`` band.

    Returns
    -------
    pandas.DataFrame
        ``threshold`` (0 to the scale's range), ``median``, ``low``, ``high``
        (percent of participants), one row per threshold.
    """
    entry = ensemble.paper.instrument(instrument)
    improvement = ensemble.changes(instrument) * entry.improvement_sign
    thresholds = np.arange(0, entry.maximum - entry.minimum + 1)
    shares = np.column_stack([batch.responder_share_batch(improvement, threshold) for threshold in thresholds])
    tail = (1 - coverage) / 2
    low, median, high = np.quantile(shares, [tail, 0.5, 1 - tail], axis=0)
    return pd.DataFrame({"threshold": thresholds, "median": median, "low": low, "high": high})
