"""The effect size against every standardised mean change it could be, and the implied pre–post correlation.

A paper's "effect size" for a pre–post change may be dz (or the SRM, the
same quantity), d_av, d_rm, a classic d on the baseline or the pooled SD, or
Hedges' g of any of them. The check computes each one the other printed
numbers allow, as an interval, and says which the printed value matches.
"""

from __future__ import annotations

import math

from .paired_intervals import (
    Outcome,
    Reading,
    Unavailable,
    change_sd_estimate,
    change_size,
    describe,
    dz_estimate,
    ratio,
    scaled,
    spread,
    value,
)
from .paired_result import ParsedResult
from .printed import Interval
from .t_test_checks import CheckSpec

__all__ = [
    "EFFECT_SIZE_CHECKS",
    "correlation_range",
    "d_rm_range",
    "effect_size_candidates",
    "effect_size_holds",
    "hedges_correction",
]

_LABELS = {
    "dz": "dz (mean change / SD of the changes)",
    "srm": "the SRM (mean change / SD of the changes)",
    "d_av": "d_av (mean change / mean of the pre and post SDs)",
    "d_rm": "d_rm (dz·√(2(1 − r)))",
    "d_baseline": "d on the baseline SD",
    "d_pooled": "d on the pooled SD of the two stages",
    "g_z": "Hedges' g of dz",
    "g_av": "Hedges' g of d_av",
    "g_rm": "Hedges' g of d_rm",
    "g_baseline": "Hedges' g of d on the baseline SD",
    "g_pooled": "Hedges' g of d on the pooled SD",
}
_DECLARED = {
    "dz": ("dz",),
    "srm": ("srm",),
    "d_av": ("d_av",),
    "d_rm": ("d_rm",),
    "d": ("d_baseline", "d_pooled", "d_av"),
    "g": ("g_z", "g_av", "g_rm", "g_baseline", "g_pooled"),
}
_NEEDS = {
    "dz": "the change SD, the CI, t or p, with n",
    "srm": "the change SD, the CI, t or p, with n",
    "d_av": "pre_sd and post_sd",
    "d_pooled": "pre_sd and post_sd",
    "d_baseline": "pre_sd",
    "d_rm": "pre_sd, post_sd and the change SD (printed, or from the CI, t or p)",
}


def hedges_correction(df: int) -> float:
    """Hedges' small-sample factor J = 1 − 3/(4·df − 1).

    >>> round(hedges_correction(13), 6)  # 1 − 3/51
    0.941176
    """
    return 1 - 3 / (4 * df - 1)


def _product(first: Interval, second: Interval) -> Interval:
    """a·b for a, b ≥ 0 (0·∞ taken as 0)."""

    def times(a: float, b: float) -> float:
        return 0.0 if a == 0 or b == 0 else a * b

    return Interval(times(first.low, second.low), times(first.high, second.high))


def d_rm_range(size: Interval, pre: Interval, post: Interval, change: Interval) -> Interval | None:
    """The range of d_rm over the intervals (None when the SDs cannot hold together: r > 1).

    Notes
    -----
    :math:`d_{rm} = d_z\\sqrt{2(1-r)}` with :math:`2(1-r) = (s_d^2 - (s_1 - s_2)^2)/(s_1 s_2)`, so

    .. math:: d_{rm} = \\frac{|\\bar d|}{\\sqrt{s_1 s_2}}\\sqrt{1 - \\left(\\frac{s_1 - s_2}{s_d}\\right)^2}.

    Not monotone in :math:`s_1` and :math:`s_2`, so each operation is done on
    intervals (|s₁ − s₂| from the difference's range, then the ratio, the
    square root, the product): every step's range holds every value the step
    can take, so the result holds every d_rm (an outer bound, sometimes wider
    than the exact range).
    """
    gap = Interval(pre.low - post.high, pre.high - post.low).magnitude()
    share = ratio(gap, change)
    if share.low > 1:
        return None
    inside = Interval(max(0.0, 1 - min(share.high, 1.0) ** 2), 1 - share.low**2)
    root = Interval(math.sqrt(inside.low), math.sqrt(inside.high))
    scale = Interval(math.sqrt(pre.low * post.low), math.sqrt(pre.high * post.high))
    return _product(ratio(size, scale), root)


def effect_size_candidates(row: ParsedResult, reading: Reading) -> dict[str, Interval]:
    """Every standardised mean change (in size) that the row's other printed numbers allow, by name.

    Notes
    -----
    With :math:`\\bar d` the mean change, :math:`s_d` the SD of the changes and
    :math:`s_1, s_2` the pre and post SDs: :math:`d_z = \\bar d/s_d` (= SRM),
    :math:`d_{av} = \\bar d/((s_1+s_2)/2)`, d on the baseline SD
    :math:`\\bar d/s_1`, d on the pooled SD :math:`\\bar d/\\sqrt{(s_1^2+s_2^2)/2}`,
    d_rm as in :func:`d_rm_range`, and g = J·d with J from
    :func:`hedges_correction` on n − 1 df (2n − 2 for the pooled SD). Each is
    monotone in :math:`|\\bar d|` and in each SD, except d_rm.

    References
    ----------
    Lakens D. Calculating and reporting effect sizes to facilitate cumulative
    science. Front Psychol 2013;4:863.
    """
    found: dict[str, Interval] = {}
    dz = dz_estimate(row, reading)
    if dz is not None:
        found["dz"] = found["srm"] = dz.interval
    size = change_size(row, reading)
    pre, post = spread(row, "pre_sd", reading), spread(row, "post_sd", reading)
    if size is not None and pre is not None:
        found["d_baseline"] = ratio(size.interval, pre)
    if size is not None and pre is not None and post is not None:
        found["d_av"] = ratio(size.interval, Interval((pre.low + post.low) / 2, (pre.high + post.high) / 2))
        pooled_sd = Interval(
            math.hypot(pre.low, post.low) / math.sqrt(2), math.hypot(pre.high, post.high) / math.sqrt(2)
        )
        found["d_pooled"] = ratio(size.interval, pooled_sd)
        change = change_sd_estimate(row, reading)
        d_rm = None if change is None else d_rm_range(size.interval, pre, post, change.interval)
        if d_rm is not None:
            found["d_rm"] = d_rm
    if row.n is not None and row.n >= 3:
        for base, corrected in (("dz", "g_z"), ("d_av", "g_av"), ("d_rm", "g_rm"), ("d_baseline", "g_baseline")):
            if base in found:
                found[corrected] = scaled(found[base], hedges_correction(row.n - 1))
        if "d_pooled" in found:
            found["g_pooled"] = scaled(found["d_pooled"], hedges_correction(2 * row.n - 2))
    return found


def effect_size_holds(row: ParsedResult, reading: Reading, name: str) -> bool:
    """Whether the printed effect size can be the standardised change ``name`` (``dz``, ``d_av``, ``g_z``, …).

    True when the row prints no effect size or cannot compute ``name`` (nothing contradicts it).
    """
    printed = value(row, "effect_size", reading)
    if printed is None:
        return True
    candidate = effect_size_candidates(row, reading).get(name)
    return candidate is None or candidate.intersects(printed.magnitude())


def _sign_note(row: ParsedResult) -> str:
    effect, change = row.values.get("effect_size"), row.values.get("mean_change")
    if effect is None or change is None or effect.value == 0 or change.value == 0:
        return ""
    if (effect.value < 0) != (change.value < 0):
        return "the effect size is printed without the sign of the mean change (as a size)"
    return ""


def effect_size(row: ParsedResult, reading: Reading) -> Outcome | Unavailable:
    """The printed effect size against its declared type, or against every type when none is declared."""
    printed = value(row, "effect_size", reading)
    if printed is None:
        return Unavailable("needs effect_size")
    size = printed.magnitude()
    candidates = effect_size_candidates(row, reading)
    declared = row.effect_size_type
    wanted = _DECLARED[declared] if declared else tuple(name for name in _LABELS if name != "srm")
    considered = {name: interval for name, interval in candidates.items() if name != "srm" or declared == "srm"}
    matches = [name for name, interval in considered.items() if interval.intersects(size)]
    places = row.values["effect_size"].decimals + 2
    text = row.values["effect_size"].text

    def listing(names: list[str]) -> str:
        return "; ".join(f"{name} = {describe(considered[name], places)}" for name in names)

    computable = [name for name in wanted if name in considered]
    missing = [name for name in wanted if name not in considered]
    good = [name for name in matches if name in wanted]
    others = [name for name in matches if name not in wanted]
    head = f"The printed effect size {text} stands for {describe(size, places)} in size. "
    if good:
        detail = head + f"It matches {', '.join(_LABELS[name] for name in good)}. Computed: {listing(computable)}."
        return Outcome(True, detail, considered[good[0]], note=_sign_note(row))
    also = f" It matches {listing(others)}." if others else ""
    if missing:
        # a type that cannot be computed might be the one printed: no verdict
        needs = sorted({_NEEDS[name.replace("g_z", "dz").replace("g_", "d_")] for name in missing})
        computed = f"It matches none of {listing(computable)}; " if computable else ""
        return Unavailable(
            f"needs {'; '.join(needs)} to compute {', '.join(missing)}",
            head + computed + f"{', '.join(missing)} cannot be computed, and may be what is printed." + also,
        )
    kind = f"the declared {declared}" if declared else "any effect size"
    detail = head + f"It matches none of {kind} computed from the other numbers: {listing(computable)}." + also
    return Outcome(
        False,
        detail,
        considered[computable[0]],
        explained_by=tuple(f"effect_size_{name}" for name in others),
        explanation=", or ".join(f"the effect size is {_LABELS[name]}" for name in others),
        note=_sign_note(row),
    )


def correlation_range(pre: Interval, post: Interval, change: Interval) -> Interval:
    """The exact range of r = (s₁² + s₂² − s_d²)/(2·s₁·s₂) over the three SD intervals.

    Notes
    -----
    r falls as :math:`s_d` grows, so its least value has :math:`s_d` at its
    top and its greatest at its bottom. For a fixed :math:`s_d = c > 0`, r has
    no stationary point inside the box of :math:`(s_1, s_2)`; along an edge
    with :math:`s_2 = b` fixed, :math:`r = x/(2b) + (b^2 - c^2)/(2bx)` has one
    stationary point, a minimum at :math:`x = \\sqrt{b^2 - c^2}` (likewise with
    the roles swapped). The extremes are therefore among the four corners and
    those edge points, which are all evaluated. A zero SD makes r unbounded.

    Examples
    --------
    >>> r = correlation_range(Interval(10, 10), Interval(10, 10), Interval(10, 10))
    >>> r.low, r.high
    (0.5, 0.5)
    """
    if pre.low * post.low <= 0:  # a zero SD (or one so small that its product underflows)
        return Interval(-math.inf, math.inf)

    def r(a: float, b: float, c: float) -> float:
        return (a * a + b * b - c * c) / (2 * a * b)

    corners = [(a, b) for a in (pre.low, pre.high) for b in (post.low, post.high)]
    highest = max(r(a, b, change.low) for a, b in corners)
    c = change.high
    points = list(corners)
    if math.isfinite(c):
        points += [(math.sqrt(b * b - c * c), b) for b in (post.low, post.high) if b > c]
        points += [(a, math.sqrt(a * a - c * c)) for a in (pre.low, pre.high) if a > c]
    inside = [(a, b) for a, b in points if pre.low <= a <= pre.high and post.low <= b <= post.high]
    lowest = min(r(a, b, c) for a, b in inside) if math.isfinite(c) else -math.inf
    return Interval(lowest, highest)


def correlation(row: ParsedResult, reading: Reading) -> Outcome | Unavailable:
    """The pre–post correlation the three SDs imply, which must meet [−1, 1]."""
    pre, post = spread(row, "pre_sd", reading), spread(row, "post_sd", reading)
    change = change_sd_estimate(row, reading)
    if pre is None or post is None or change is None:
        return Unavailable("needs pre_sd, post_sd and the change SD (printed, or from the CI, t or p with n)")
    r = correlation_range(pre, post, change.interval)
    words = {"change_sd": "as printed", "ci": "from the CI", "t": "from t", "p": "from p"}
    sources = " and ".join(words[source] for source in change.sources)
    head = (
        f"The SD of the changes satisfies s_change² = s_pre² + s_post² − 2r·s_pre·s_post. The pre and post SDs "
        f"with the change SD {describe(change.interval, 3)} ({sources}) imply r = {describe(r, 3)}"
    )
    possible = r.intersection(Interval(-1.0, 1.0))
    if possible is not None:
        return Outcome(True, head + f"; the pre–post correlation lies in {describe(possible, 3)}.", r)
    side = (
        "the change SD is smaller than the gap between the pre and post SDs"
        if r.low > 1
        else "the change SD is larger than the pre and post SDs added together"
    )
    return Outcome(False, head + f", outside [−1, 1]: {side}, which no data can give.", r)


EFFECT_SIZE_CHECKS = (
    CheckSpec("effect_size", "effect_size", effect_size, ("rounding", "dispersion", "ci_dist")),
    CheckSpec("correlation", "change_sd", correlation, ("rounding", "dispersion")),
)
"""The effect-size check and the implied-correlation check."""
