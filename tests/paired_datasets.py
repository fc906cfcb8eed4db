"""Random paired datasets and what a paper would print for them, computed independently of the check engine.

Statistics come from the integer scores directly: means, SDs and the
pre–post correlation as exact fractions (SDs as 60-digit square roots), t, p
and the CI from scipy. Each is printed the way papers print: a chosen number
of decimals, rounded half up or half to even, with either sign convention.
Used by the property tests (tests/test_paired_checks.py) and by
benchmarks/check_rates.py and benchmarks/check_table.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import numpy as np
from scipy import stats

NUMERIC = (
    "pre_mean", "pre_sd", "post_mean", "post_sd", "mean_change", "change_sd",
    "ci_low", "ci_high", "p", "t", "effect_size", "responder_pct",
)  # fmt: skip
OPTIONAL = (*NUMERIC, "df", "responder_k", "score_step", "scale_min", "scale_max", "effect_size_type")
SCALES = ((0, 4), (1, 5), (1, 7), (0, 10), (0, 40), (0, 60), (0, 70), (0, 100))
STEPS = (1, 1, 1, 2, 3, 7)  # items per score: a step of 1/k


@dataclass(frozen=True)
class Dataset:
    """Paired scores in units of 1/k point on the scale [low, high]."""

    pre: np.ndarray
    post: np.ndarray
    k: int
    low: int
    high: int

    @property
    def n(self) -> int:
        return int(self.pre.size)


def random_dataset(rng: np.random.Generator, n: int | None = None) -> Dataset:
    """A dataset with a nonzero spread at each stage and in the changes (n from 3 to 300 unless given)."""
    while True:
        size = n if n is not None else int(rng.choice([3, 4, 5, 8, 10, 14, 20, 30, 50, 100, 300]))
        low, high = SCALES[int(rng.integers(len(SCALES)))]
        k = int(rng.choice(STEPS))
        lowest, highest = low * k, high * k
        centre = rng.uniform(lowest, highest)
        spread = rng.uniform(0.05, 0.4) * (highest - lowest)
        pre = np.clip(np.rint(rng.normal(centre, spread, size)), lowest, highest).astype(np.int64)
        shift = rng.normal(0, 0.3) * (highest - lowest)
        noise = rng.uniform(0.02, 0.3) * (highest - lowest)
        post = np.clip(np.rint(pre + shift + rng.normal(0, noise, size)), lowest, highest).astype(np.int64)
        change = post - pre
        if np.ptp(pre) > 0 and np.ptp(post) > 0 and np.ptp(change) > 0 and change.sum() != 0:
            return Dataset(pre, post, k, low, high)


def _mean(values: np.ndarray, k: int) -> Fraction:
    return Fraction(int(values.sum()), values.size * k)


def _variance(values: np.ndarray, k: int) -> Fraction:
    n, total, squares = values.size, int(values.sum()), int((values.astype(object) ** 2).sum())
    return Fraction(n * squares - total * total, n * (n - 1) * k * k)


def _root(value: Fraction) -> Decimal:
    with localcontext() as context:
        context.prec = 60
        return (Decimal(value.numerator) / Decimal(value.denominator)).sqrt()


def exact_statistics(data: Dataset, *, threshold: Fraction) -> dict[str, Decimal | float | int]:
    """Every statistic a paper prints, as an exact decimal (60 digits) or a double from scipy."""
    n, k = data.n, data.k
    change = data.post - data.pre
    with localcontext() as context:
        context.prec = 60
        stages = (("pre", data.pre), ("post", data.post), ("change", change))
        means = {name: _mean(values, k) for name, values in stages}
        sds = {name: _root(_variance(values, k)) for name, values in stages}
        as_decimal = {name: Decimal(f.numerator) / Decimal(f.denominator) for name, f in means.items()}
    mean, sd = float(as_decimal["change"]), float(sds["change"])
    t = mean / (sd / math.sqrt(n))
    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    r = float(np.corrcoef(data.pre, data.post)[0, 1])
    dz = mean / sd
    responders = int((change >= threshold * k).sum())
    return {
        "n": n,
        "pre_mean": as_decimal["pre"],
        "post_mean": as_decimal["post"],
        "mean_change": as_decimal["change"],
        "pre_sd": sds["pre"],
        "post_sd": sds["post"],
        "change_sd": sds["change"],
        "ci_low": mean - half,
        "ci_high": mean + half,
        "t": t,
        "df": n - 1,
        "p": float(2 * stats.t.sf(abs(t), n - 1)),
        "dz": dz,
        "d_av": mean / ((float(sds["pre"]) + float(sds["post"])) / 2),
        "d_rm": dz * math.sqrt(2 * (1 - r)),
        "g": dz * (1 - 3 / (4 * (n - 1) - 1)),
        "responder_k": responders,
        "responder_pct": Decimal(100 * responders) / Decimal(n),
    }


def printed(value: Decimal | float, decimals: int, rounding: str, *, minus: str = "\u2212") -> str:
    """``value`` rounded to ``decimals`` (half up or half even, on its exact decimal expansion)."""
    exact = value if isinstance(value, Decimal) else Decimal(value)  # Decimal(float) is the double's exact value
    mode = ROUND_HALF_UP if rounding == "half_up" else ROUND_HALF_EVEN
    text = str(exact.quantize(Decimal(1).scaleb(-decimals), rounding=mode))
    return text.replace("-", minus)


def printed_p(p: float, decimals: int, rounding: str) -> str:
    text = printed(p, decimals, rounding)
    return f"<{Decimal(1).scaleb(-decimals)}" if Decimal(text) == 0 else text


def printed_row(
    data: Dataset,
    rng: np.random.Generator,
    *,
    rounding: str,
    orientation: int,
    blank_share: float = 0.3,
    identifier: str = "row",
) -> dict[str, str]:
    """One results-table row for ``data``: random decimals, the given rounding and sign convention, some blanks.

    ``orientation`` +1 prints post − pre, −1 prints pre − post, 0 prints the
    change unsigned (as a size, with its CI and t in the same direction).
    The effect size is sometimes printed as a size whatever the convention.
    """
    threshold = Fraction(int(rng.integers(1, 4)) * (data.high - data.low), 10)
    values = exact_statistics(data, threshold=threshold)
    change = float(values["mean_change"])
    direction = orientation or (1 if change > 0 else -1)
    decimals = int(rng.integers(1, 4))
    minus = "\u2212" if rng.random() < 0.5 else "-"

    def show(value: Decimal | float, places: int = decimals) -> str:
        return printed(value, places, rounding, minus=minus)

    low, high = sorted((direction * float(values["ci_low"]), direction * float(values["ci_high"])))
    kind = str(rng.choice(["dz", "d_av", "d_rm", "g", "srm"]))
    effect = float(values["dz" if kind == "srm" else kind]) * direction
    if rng.random() < 0.5:
        effect = abs(effect)
    row = {
        "id": identifier,
        "n": str(values["n"]),
        "scale_min": str(data.low),
        "scale_max": str(data.high),
        "score_step": "1" if data.k == 1 else f"1/{data.k}",
        "pre_mean": show(values["pre_mean"]),
        "pre_sd": show(values["pre_sd"]),
        "post_mean": show(values["post_mean"]),
        "post_sd": show(values["post_sd"]),
        "mean_change": show(direction * values["mean_change"]),
        "change_sd": show(values["change_sd"]),
        "ci_low": show(low),
        "ci_high": show(high),
        "p": printed_p(float(values["p"]), int(rng.integers(2, 5)), rounding),
        "t": show(direction * float(values["t"]), 2),
        "df": str(values["df"]),
        "effect_size": show(effect, 2),
        "effect_size_type": kind if rng.random() < 0.7 else "",
        "responder_k": str(values["responder_k"]),
        "responder_pct": show(values["responder_pct"], 1),
    }
    for column in OPTIONAL:
        if rng.random() < blank_share:
            row[column] = ""
    return row
