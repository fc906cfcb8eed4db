"""Whole sentences whose shape depends on the data: what a chapter says when a number is missing.

A sentence like "the mean PIQ score changed by −18.79 points (95% CI …)" has no
sensible form with its numbers taken out, so when the cohort cannot give them
the library writes another sentence, with the reason. Sentences are MyST
Markdown, pasted with ``{glue:md}`key:myst```: the numbers in them are
``{glue}`` roles of their own, so a reported number stays an in-place check
and a ranged number keeps its spread, exactly as in the chapter's prose.
:func:`quoted_keys` lists the keys a sentence quotes; the chapter glues them.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..data.instruments import get_instrument
from ..exceptions import NotEnoughDataError
from ..paper.consistency import consistency_checks, explanations
from ..paper.formatting import count_in_words, format_number, format_p
from ..paper.reported import get_reported, reported_n
from ..stats.change import paired_change
from ..stats.core import Proportion
from ..stats.sensitivity import holm, minimum_detectable_dz
from .myst import REPORTED_KEYS, quoted_keys
from .myst import md as _md
from .myst import role as _role
from .provenance import Displayable, Marks, Phrase
from .study import PRIMARY, Study
from .words import DERIVED_KEYS, AssociationWords, ChangeWords, ResponderWords, participants

__all__ = [
    "REPORTED_KEYS",
    "association_recomputed",
    "association_relation",
    "association_summary",
    "audit_summary",
    "change_reading",
    "change_result",
    "changes_in_words",
    "education_changes",
    "example_check",
    "flow_figure",
    "holm_result",
    "interval_reading",
    "interval_sentence",
    "power_sentence",
    "quoted_keys",
    "responder_rates",
    "responder_result",
]


def example_check(study: Study) -> str:
    """The first reported number this cohort can recompute, quoted as an in-place check."""
    for key in ("piq_mean_change", "pseq_mean_change", "psq_mean_change", "piq_responders"):
        if study.checked(key).computable:
            return _role(key)
    return _role("participants_completed")


def change_result(study: Study, instrument: str, *, capital: bool = False) -> str:
    """``the mean PIQ score changed by −18.79 points (95% CI …; p = …; dz = …)``, or why it could not be computed.

    ``capital`` starts it with "The", for the start of a sentence.
    """
    abbreviation = get_instrument(instrument).abbreviation
    article = "The" if capital else "the"
    mean = study.checked(f"{instrument}_mean_change")
    if not mean.computable:
        return _md(f"{article} mean change in {abbreviation} could not be computed ({mean.reason})")
    parts = []
    if f"{instrument}_ci_low" in REPORTED_KEYS:
        parts.append(f"95% CI {_role(f'{instrument}_ci_low')} to {_role(f'{instrument}_ci_high')}")
    for name, quantity in (("p", "p_val"), ("dz", "dz")):
        if f"{instrument}_{quantity}" in REPORTED_KEYS:
            parts.append(f"{name} = {_role(f'{instrument}_{quantity}')}")
    return f"{article} mean {abbreviation} score changed by {_role(mean.key)} points ({'; '.join(parts)})"


def responder_result(
    study: Study, words: ResponderWords, instrument: str, share: Proportion | None, *, long: bool
) -> str:
    """The responder share, count and Wilson interval in one or two sentences, or why there are none.

    ``long`` adds a sentence on the width of the interval.
    """
    key = f"{instrument}_responders"
    rule = _md(f"({words.rule})")
    if share is None or not study.checked(key).computable:
        return f"The share of participants who reached the book's assumed threshold {rule} is {_role(key)}."
    counted = f"{_role(key)} of participants reached the book's assumed threshold {rule}: {words.k} of {words.n}"
    interval = _role(f"{words.prefix}_ci")
    if not long:
        return f"{counted} (Wilson 95% interval {interval}%)."
    sentence = f"{counted}, with a Wilson 95% interval of {interval}%."
    if share.ci_high - share.ci_low < 20:
        return f"{sentence} With {share.n:,} people the interval is narrow."
    few = "it rests on one person" if share.n == 1 else f"{share.n} people are few"
    return f"{sentence} The interval is wide because {few}."


def responder_rates(study: Study, words: dict[str, ResponderWords]) -> str:
    """``the responder rates of a% and b% come with Wilson intervals of …``, or what can be said."""
    computable = {key: study.checked(f"{key}_responders").computable for key in ("piq", "pseq")}
    if all(computable.values()):
        return (
            f"the responder rates of {_role('piq_responders')} and {_role('pseq_responders')} come with Wilson "
            f"intervals of {_role(words['piq'].prefix + '_ci')}% and {_role(words['pseq'].prefix + '_ci')}%"
        )
    parts = []
    for key in ("piq", "pseq"):
        name, role = get_instrument(key).abbreviation, _role(f"{key}_responders")
        if computable[key]:
            parts.append(
                f"the {name} responder rate of {role} comes with a Wilson interval of "
                f"{_role(words[key].prefix + '_ci')}%"
            )
        else:
            parts.append(f"the {name} responder rate is {role}")
    return "; ".join(parts)


def association_relation(study: Study, words: AssociationWords) -> str:
    """``were related in the inverse direction: …``, or why they could not be related."""
    direction = study.checked("association_direction")
    if not direction.computable:
        return _md(f"could not be related: {direction.reason}")
    return f"were related in the {_role(direction.key)} direction: {_md(words.sentence)}"


def association_recomputed(study: Study, words: AssociationWords) -> str:
    """The recomputed direction of the association and what it means, or why there is none."""
    direction = study.checked("association_direction")
    if not direction.computable:
        return _md(f"The association cannot be recomputed from this cohort: {direction.reason}.")
    return f"The association recomputed here is {_role(direction.key)}; {_md(words.sentence)}."


def association_summary(words: AssociationWords) -> str:
    """What the correlations beside it say, in words, or why there is no correlation.

    The numbers themselves are in the chapter's table; this quotes ``assoc_sentence``.
    """
    if words.note:
        n = int(words.n)
        if n < 3:
            return _md(f"No correlation can be computed from these data: it {words.note}.")
        return _md(f"Across the {participants(n)} with both changes, no correlation can be computed: {words.note}.")
    return f"In words, {_role('assoc_sentence')}."


def interval_sentence(words: ChangeWords) -> str:
    """``Recomputed from the data it is a to b (dz d), which includes zero.``, or why it cannot be."""
    if words.interval == "cannot be computed":
        return _md(f"It cannot be recomputed from these data either: {words.note}.")
    prefix = words.prefix
    return (
        f"Recomputed from the data it is {_role(f'{prefix}_ci')} (dz {_role(f'{prefix}_dz')}), "
        f"which {_role(f'{prefix}_interval')}."
    )


def education_changes(words: dict[str, ChangeWords], *, inference: bool = True) -> str:
    """The three stage 1 → 2 changes, each or why it could not be computed.

    With ``inference`` the primary outcomes carry their 95% CI and p; without it only the means are
    quoted (on the reconstruction stage 1 comes from a prior, and a test of it would test the prior).
    """

    def part(key: str, name: str, *, verb: str = "changed ", detail: bool = True) -> str:
        said = words[key]
        if said.note and said.interval == "cannot be computed":
            return _md(f"{name} could not be compared ({said.note})")
        prefix = said.prefix
        numbers = f" (95% CI {_role(f'{prefix}_ci')}, {_role(f'{prefix}_p')})" if detail else ""
        return f"{name} {verb}by {_role(f'{prefix}_mean')} points{numbers}"

    interference = part("piq", "pain interference", detail=inference)
    compared = not interference.startswith("pain interference could not")
    efficacy = part("pseq", "self-efficacy", verb="" if compared else "changed ", detail=inference)
    return f"{interference} and {efficacy}; {part('psq', 'pain severity', detail=False)}"


def power_sentence(n: int, *, brief: bool, marks: Marks | None = None) -> Phrase | str:
    """What a paired t-test on ``n`` people can detect with 80% power, in one or two sentences.

    With ``marks`` the detectable dz carries its mark (a function of n alone).
    """
    try:
        detectable = minimum_detectable_dz(n)
    except NotEnoughDataError as error:
        return f"With {participants(n)}{'' if brief else ','} a paired t-test cannot be run at all: it {error.reason}."
    size: str | Displayable = format_number(detectable, 2)
    if marks is not None:
        size = marks.number("power_dz", detectable)
    if brief:
        return Phrase(
            (
                f"With {n} participants a paired t-test has 80% power only for standardised effects of dz = ",
                size,
                " or more.",
            )
        )
    sentence = (
        f"With {n} participants, a two-sided paired t-test at the 5% level has 80% power only for effects of dz = ",
        size,
        " or larger.",
    )
    if detectable >= 0.8:
        reach = "large standardised changes and little else"
    elif detectable >= 0.5:
        reach = "large and moderate standardised changes, but not small ones"
    elif detectable >= 0.2:
        reach = "standardised changes down to small ones"
    else:
        reach = "even standardised changes smaller than small ones"
    return Phrase((*sentence, f" A study this size can detect {reach}."))


def holm_result(data: pd.DataFrame, marks: Marks | None = None) -> Phrase | str:
    """``gives p = 0.006 for the PIQ and p = 0.012 for the PSEQ``, or why (part of) it cannot be computed."""
    try:
        table = holm(data, PRIMARY).set_index("instrument")
    except NotEnoughDataError as error:
        return f"cannot be computed: a paired t-test {error.reason}"
    given: list[Phrase] = []
    missing = []
    for instrument, row in table.iterrows():
        name = get_instrument(str(instrument)).abbreviation
        if np.isfinite(row["p_holm"]):
            printed: str | Displayable = format_p(row["p_holm"])
            if marks is not None:
                printed = marks.number(f"{instrument}_holm_p", float(row["p_holm"]))
            given.append(Phrase(("p = ", printed, f" for the {name}")))
        else:
            missing.append(f"the {name} p-value is not computable ({paired_change(data, str(instrument)).note})")
    if not given:
        return "cannot be computed: " + "; ".join(missing)
    joined: list[str | Displayable] = ["gives "]
    for position, part in enumerate(given):
        joined += [" and " if position else "", part]
    return Phrase((*joined, "; " + "; ".join(missing) if missing else ""))


Quote = Callable[[float], "str | Displayable"]
"""Prints one end of an interval (in points of improvement, one decimal), with its mark if it has one."""


def _plain(size: float) -> str:
    return format_number(size, 1)


def _points(size: float, quote: Quote) -> Phrase | str:
    """``10.2 points``, ``1.0 point``, ``less than 0.1 points`` (a size that prints as 0.0)."""
    printed = format_number(size, 1)
    if printed == format_number(0, 1):
        return f"less than {format_number(0.1, 1)} points"
    return Phrase((quote(size), f" point{'' if printed == format_number(1, 1) else 's'}"))


def _up_to(size: float, quote: Quote) -> Phrase | str:
    """``up to 10.2 points``, or ``less than 0.1 points`` when that is all there is."""
    points = _points(size, quote)
    return points if isinstance(points, str) else Phrase(("up to ", points))


def _span(smaller: float, larger: float, quote: Quote) -> Phrase:
    """``7.7 to 29.9 points``."""
    return Phrase((quote(smaller), " to ", _points(larger, quote)))


def _series(parts: list[str]) -> str:
    """``a and b``, ``a, b, and c``; with a comma inside a part, ``a, and b`` so the parts stay apart."""
    if len(parts) <= 1:
        return "".join(parts)
    serial = len(parts) > 2 or any("," in part for part in parts)
    return f"{', '.join(parts[:-1])}{',' if serial else ''} and {parts[-1]}"


def _phrase_series(parts: list[Phrase | str]) -> Phrase:
    """:func:`_series` of phrases that carry marked numbers."""
    if len(parts) <= 1:
        return Phrase(tuple(parts))
    serial = len(parts) > 2 or any("," in str(part) for part in parts)
    joined: list[str | Displayable] = []
    for position, part in enumerate(parts[:-1]):
        joined += [part, ", " if position < len(parts) - 2 else ("," if serial else "")]
    return Phrase((*joined, " and ", parts[-1]))


def _reading(least: float, most: float, threshold: float, quote: Quote) -> Phrase:
    """:func:`interval_reading` of a finite interval of positive width, in improvement units."""
    line = f"the book's assumed {threshold}-point threshold"
    if most < 0:
        return Phrase(
            (
                "is compatible with worsening, of ",
                _span(-most, -least, quote),
                ", and excludes no change and any improvement",
            )
        )
    if least >= threshold:
        # outside a 95% interval means less compatible with the data, not impossible
        return Phrase(
            (
                f"lies wholly above {line}: it fits mean improvements of ",
                _span(least, most, quote),
                ", and smaller ones fit the data less well (a threshold for one person's change is only a "
                "yardstick for a group's mean)",
            )
        )
    if least > 0 and most < threshold:
        return Phrase(
            (
                f"is compatible with improvements smaller than {line}, of ",
                _span(least, most, quote),
                ", and excludes no change",
            )
        )
    if least > 0:
        return Phrase(
            (
                "is compatible with improvements from ",
                _points(least, quote),
                f", short of {line}, to ",
                _points(most, quote),
                ", beyond it; it excludes no change and worsening",
            )
        )
    parts: list[Phrase | str] = []
    if most > 0:
        side = "beyond" if most > threshold else "reaching" if most == threshold else "short of"
        parts.append(Phrase(("with improvements of ", _up_to(most, quote), f", {side} {line}")))
    parts.append("with no change")
    if least < 0:
        parts.append(Phrase(("with a worsening of ", _up_to(-least, quote))))
    return Phrase(("is compatible ", _phrase_series(parts)))


def interval_reading(
    instrument: str,
    low: float,
    high: float,
    *,
    n: int | None = None,
    reason: str = "",
    quote: Quote | None = None,
) -> Phrase | str:
    """How a change's 95% interval reads against the instrument's clinically important threshold.

    The one rule the book uses wherever it reads an interval: which of
    improvements beyond the registry threshold, improvements short of it, no
    change and worsening the interval includes, each with its size in points
    (one decimal), in the instrument's own direction. The result follows "the
    interval", e.g. "is compatible with improvements of up to 10.2 points,
    beyond the book's 8-point threshold, with no change, and with a worsening
    of up to 1.0 point". An interval of zero width (``n`` equal changes) or
    one that cannot be computed (``reason`` says why) is said to be so.
    ``quote`` prints each end with its mark (plain by default). Values outside
    the interval are called less compatible with the data, never impossible.
    """
    entry = get_instrument(instrument)
    if not (np.isfinite(low) and np.isfinite(high)):
        return f"cannot be computed: {reason}" if reason else "cannot be computed"
    if low == high:
        every = f"all {n} changes" if n is not None else "all the changes"
        return f"has no width, because {every} are equal"
    least, most = sorted((low * entry.improvement_sign, high * entry.improvement_sign))
    return _reading(least, most, entry.threshold, quote or _plain)


def _interval_quote(marks: Marks | None, instrument: str, low: float, high: float) -> Quote:
    """How a reading marks the ends of an instrument's stage 2 → 3 interval ``low`` to ``high``.

    On the reconstruction a printed limit is marked as printed, a limit the
    abstract does not print by its registry class; on own data they are results, shown plainly.
    """
    if marks is None or marks.summary is None:
        return _plain

    def quote(size: float) -> str | Displayable:
        text = format_number(size, 1)
        end = "low" if math.isclose(abs(size), abs(low)) else "high"
        key = f"{instrument}_ci_{end}"
        if key in REPORTED_KEYS:
            return marks.printed(key, shown=text, note="in points of improvement, to one decimal")
        if key in DERIVED_KEYS:
            return marks.number(key, low if end == "low" else high, shown=text)
        return text

    return quote


def change_reading(data: pd.DataFrame, instrument: str, marks: Marks | None = None) -> Phrase | str:
    """:func:`interval_reading` of a cohort's stage 2 → 3 change, or why its interval cannot be read."""
    try:
        result = paired_change(data, instrument)
    except NotEnoughDataError as error:
        return f"cannot be computed: {error.reason}"
    quote = _interval_quote(marks, instrument, result.ci_low, result.ci_high)
    return interval_reading(instrument, result.ci_low, result.ci_high, n=result.n, reason=result.note, quote=quote)


def flow_figure(flow: pd.DataFrame) -> tuple[str, str]:
    """The sentence that introduces the participant-flow figure, and what to show instead when it would say nothing.

    ``flow`` is :func:`cnslbp_lib.stats.flow.participant_flow`. When every step
    keeps everyone, a chart would be bars of one length: the second sentence
    says so and replaces it (it is empty when the chart is drawn).
    """
    counts = flow["n"].astype(int)
    if (counts != counts.iloc[0]).any():
        return (
            "The same counts as a figure, one bar per step from the cohort file to an analysis, so a step that loses "
            "people stands out:",
            "",
        )
    steps = len(counts)
    return ("Nobody is lost at any step.", f"No figure is drawn: it would show {steps} equal bars.")


def changes_in_words(words: dict[str, ChangeWords]) -> str:
    """The mean changes of two instruments and which way each moved the group, in one sentence.

    ``Pain interference fell by 18.79 points on average and pain self-efficacy rose by
    17.93 points: on both measures the group improved.`` The changes are
    quoted with ``{glue}`` roles of the words' ``average`` (first) and
    ``change`` (second) fields; a change that could not be compared says so
    and has no direction.
    """
    (first, said), (second, other) = words.items()
    names = [get_instrument(key).construct for key in (first, second)]
    average, change = _role(f"{said.prefix}_average"), _role(f"{other.prefix}_change")
    moved = f"{names[0].capitalize()} {average} and {names[1]} {change}"
    assessed = zip(names, (said, other), strict=True)
    known = {name: entry.direction for name, entry in assessed if entry.direction != "could not be assessed"}
    if len(known) == 2 and len(set(known.values())) == 1:
        return f"{moved}: on both measures the group {said.direction}."
    if not known:
        return f"{moved}."
    return f"{moved}: the group {' and '.join(f'{way} on {name}' for name, way in known.items())}."


def _labels(frame: pd.DataFrame) -> str:
    """``the PSEQ paired p-value and the PIQ responders``: audit labels in a sentence.

    A label loses its unit in brackets and, unless it starts with an abbreviation, its capital;
    labels that hold commas themselves are separated by semicolons.
    """
    named = []
    for label in frame["label"].astype(str):
        bare = label.split(" (")[0]
        first = bare.split(" ")[0]
        named.append(f"the {bare if first.isupper() else bare[:1].lower() + bare[1:]}")
    if any("," in name for name in named) and len(named) > 1:
        return f"{'; '.join(named[:-1])}; and {named[-1]}"
    return _series(named)


def audit_summary(study: Study) -> str:
    """How many reported numbers agree, and which do not and why, naming each number once.

    Quotes ``audit_agree`` and ``audit_total``. A disagreeing number that the
    data-free checks show to conflict with the abstract's other numbers is
    said to be one; any other is a difference of this cohort.
    """
    audit, checks = study.audit, consistency_checks()
    conflicting = set(checks.loc[(checks["verdict"] == "inconsistent") & checks["subject"].notna(), "subject"])
    disagreeing = audit[audit["verdict"] == "disagrees"]
    in_conflict = disagreeing[disagreeing["key"].isin(conflicting)]
    others = disagreeing[~disagreeing["key"].isin(conflicting)]
    parts = [f"In this build, {_role('audit_agree')} of the abstract's {_role('audit_total')} numbers agree."]
    one = len(in_conflict) == 1
    count = count_in_words(len(in_conflict))
    conflict = (
        f"{'conflicts' if one else 'conflict'} with the abstract's own other numbers ({_labels(in_conflict)}), so "
        f"{'it' if one else 'they'} would be flagged even on data built to reproduce the paper"
    )
    if not in_conflict.empty and others.empty:
        parts.append(f"The {count} that {'disagrees' if one else 'disagree'} {conflict}.")
    elif not in_conflict.empty:
        parts.append(
            f"Of those that do not, {count} {conflict}; this cohort also differs from the paper on {_labels(others)}."
        )
    elif not others.empty:
        parts.append(f"This cohort differs from the paper on {_labels(others)}.")
    missing = audit[audit["verdict"] == "not computable"]
    if not missing.empty:
        parts.append(f"It cannot give {_labels(missing)}.")
    return " ".join([parts[0], *(_md(part) for part in parts[1:])])


def _p_side(value: float) -> str:
    return "below .05" if value < 0.05 else "at or above .05"


_KINDS = {"p_val": "p-value", "responder_pct": "percentage"}


def _named(label: str) -> str:
    """``the PSEQ paired p-value``: a record's label in a sentence, its unit in brackets dropped."""
    bare = label.split(" (", maxsplit=1)[0]
    return f"the {bare if bare.split(' ')[0].isupper() else bare[:1].lower() + bare[1:]}"


def _unchanged(key: str, audit: pd.DataFrame) -> str:
    """Why a discrepancy changes no inference (the same side of .05, the same count), or empty if it may."""
    record = get_reported(key)
    recomputed = float(audit.loc[key, "recomputed"]) if key in audit.index else float("nan")
    if record.value is None or not np.isfinite(recomputed):
        return ""
    if record.style == "p" and _p_side(float(record.value)) == _p_side(recomputed):
        return f"{_named(record.label)} is {_p_side(recomputed)} either way"
    if record.style == "percent":
        n = reported_n()
        counts = {round(float(record.value) * n / 100), round(recomputed * n / 100)}
        if len(counts) == 1:
            shown = format_number(recomputed, record.decimals or 0)
            return f"{record.printed}% and {shown}% are the same {counts.pop()} of {n} people"
    return ""


def discrepancies(study: Study) -> str:
    """The abstract's own discrepancies, each once: what ordinary reading reproduces it, and whether it matters.

    Built from the data-free checks (:func:`cnslbp_lib.paper.consistency.explanations`):
    which reading reproduces each inconsistent number, whether that reading also
    fits every other number of its kind, and whether the printed and recomputed
    values lead to the same conclusion (the same side of .05; the same count of people).
    """
    found = explanations()
    if not found:
        return "The data-free checks find no number in the abstract that disagrees with the others."
    readings: dict[str, list[tuple[str, bool]]] = {}
    for explanation in found:
        for key in explanation.explains:
            readings.setdefault(key, []).append((explanation.words, explanation.all_agree))
    parts, unchanged = [], []
    audit = study.audit.set_index("key")
    for key, ways in readings.items():
        record = get_reported(key)
        kind = _KINDS.get(record.quantity, "number of its kind")
        printed = record.printed + ("%" if record.style == "percent" else "")
        said = f"{printed} ({_named(record.label).removeprefix('the ')}) is reproduced if "
        said += ", or if ".join(words for words, _ in ways)
        if all(agree for _, agree in ways):
            said += f", and {'that reading reproduces' if len(ways) == 1 else 'each reading reproduces'} the "
            said += f"abstract's other {kind}s too"
        elif not any(agree for _, agree in ways):
            said += f", but the abstract's other {kind}s do not fit that reading, so it mixes conventions"
        if record.quantity == "p_val":
            # an exact rank-test p needs the data, so no data-free check can test it
            said += "; a rank test (an exact Wilcoxon p) might also give it, which no data-free check can test"
        parts.append(said)
        if reason := _unchanged(key, audit):
            unchanged.append(reason)
    sentence = "In the abstract's own numbers, " + "; ".join(parts) + "."
    if len(unchanged) == len(readings):
        sentence += (
            f" {'Neither' if len(readings) == 2 else 'None of them'} changes an inference: "
            + "; ".join(unchanged)
            + "."
        )
    return sentence
