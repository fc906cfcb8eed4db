"""The tables that explain the book's marks: the legend, every derived number's spread by class, the assumptions.

Split from :mod:`cnslbp_lib.publish.provenance`, which marks each number in place;
these tables stand on the start page (the legend) and on "What the abstract
determines" (the spread and assumptions tables).
"""

from __future__ import annotations

import pandas as pd

from ..paper.derived import DERIVED, Derived, DerivedClass, Spread, get_derived
from ..paper.reconstruction import EnsembleSummary
from ..paper.reported import STUDY, Paper
from .html import HtmlTable, html_table
from .provenance import LEGEND, bounds_words, css_class

__all__ = ["SPREAD_CAPTIONS", "assumptions_table", "legend_table", "spread_table"]


def _range_cell(spread: Spread, item: Derived, *, extremes: bool = False) -> str:
    """``[middle 90%]`` of the drawn values (with ``extremes``, then ``(lowest, highest)``), or a dash."""
    if not spread.members:
        return "—"
    ends = (spread.low, spread.high, spread.minimum, spread.maximum)
    low, high, least, most = (item.printed(value) for value in ends)
    middle = f"[{low}, {high}]"
    return f"{middle} ({least}, {most})" if extremes else middle


def _allowed_cell(spread: Spread, item: Derived) -> str:
    """The bounds over everything the abstract allows (one value when both ends print alike), or a dash."""
    bounds = spread.bounds
    if bounds is None:
        return "—"
    if bounds.exact:
        low, high = (item.printed(value) for value in (bounds.low[0], bounds.high[0]))
        return (low if low == high else f"{low} to {high}") + " (exact)"
    return bounds_words(item, bounds)


def _fixed_cell(spread: Spread, item: Derived) -> str:
    """A fixed number's value: over everything the abstract allows, else over every drawn dataset, else where shown."""
    if spread.bounds is not None:
        return _allowed_cell(spread, item).removesuffix(" (exact)")
    if spread.members:
        ends = dict.fromkeys(item.printed(value) for value in (spread.minimum, spread.maximum))
        return " to ".join(ends) + " in every drawn dataset"
    return "in its chapter"


def _shown_in_table(item: Derived) -> bool:
    return item.basis in ("drawn", "inputs", "abstract")


def _short_names(paper: Paper) -> list[tuple[str, str]]:
    """Each outcome quantity's key suffix and its name in the tables, in the order they list them.

    The tables name the outcome first, say once that a change is stage baseline → follow-up
    unless named and that intervals are 95%; what a quantity assumes is in its row, so its name
    leaves it out. A blank name keeps the registry's label.
    """
    design = paper.design
    base, follow = design.baseline, design.follow_up
    names = [
        ("improvement", "mean improvement (points)"),
        ("dz_improvement", "dz (positive = improvement)"),
        ("dz", "dz (size)"),
        ("ci_low", "CI, lower"),
        ("ci_high", "CI, upper"),
        ("holm_p", "Holm-adjusted p"),
        ("improved_normal", "share expected to improve, Φ(dz)"),
        ("resp_low", "responders, Wilson CI, lower"),
        ("resp_high", "responders, Wilson CI, upper"),
        ("wilcoxon_p", "Wilcoxon signed-rank p"),
        ("loo_mean", "leave-one-out mean change"),
        ("loo_p", "leave-one-out p"),
        ("loo_low", "leave-one-out CI, lower"),
        ("loo_high", "leave-one-out CI, upper"),
        ("boot_low", "percentile bootstrap CI, lower"),
        ("boot_high", "percentile bootstrap CI, upper"),
        ("bca_low", "BCa bootstrap CI, lower"),
        ("bca_high", "BCa bootstrap CI, upper"),
        ("improved_share", "share who improved at all"),
        ("resp_minus2", ""),
        ("resp_plus2", ""),
        ("d_av", "d_av"),
        ("r_stages", f"correlation of stage {base} with stage {follow}"),
        ("overlap", f"overlap of stage {base} and {follow} distributions"),
        (f"mean_{base}", f"stage {base} mean"),
        (f"sd_{base}", f"stage {base} SD"),
        (f"min_{base}", f"stage {base} lowest score"),
        (f"max_{base}", f"stage {base} highest score"),
    ]
    rule = design.non_response
    if rule is not None and rule.to_stage == base:
        early, span = f"{rule.from_stage}{base}", f"stage {rule.from_stage} → {base}"
        names += [
            (f"{early}_mean", f"mean change, {span}"),
            (f"{early}_low", f"{span} CI, lower"),
            (f"{early}_high", f"{span} CI, upper"),
            (f"{early}_p", f"{span} paired p"),
        ]
    names += [
        ("rtm_expected", "expected from regression to the mean (points)"),
        ("rtm_share", "share regression to the mean explains"),
        ("rtm_joint_expected", "expected from regression to the mean, selection on both (points)"),
        ("rtm_joint_share", "share regression to the mean explains, selection on both"),
        ("rtm_low", "regression to the mean alone: 95% range, lower end"),
        ("rtm_high", "regression to the mean alone: 95% range, upper end"),
        ("rtm_chance", "responders expected by chance"),
        ("rtm_expected_60", "expected from regression to the mean at the lower reliability (points)"),
        ("rtm_reliability_explaining", "reliability at which regression to the mean explains it all"),
    ]
    return names


def _table_order(paper: Paper) -> list[tuple[Derived, str, str]]:
    """The tables' rows: each quantity with its group and its name in the group.

    Outcome by outcome (named once, as the group), in a fixed order; then everything else as
    registered, in a group of its own, under its full label.
    """
    items = [item for item in DERIVED if _shown_in_table(item)]
    rows: list[tuple[Derived, str, str]] = []
    for entry in paper.design.instruments:
        group = f"{entry.name} ({entry.abbreviation})"
        prefix = f"{entry.abbreviation} "
        for suffix, name in _short_names(paper):
            item = next((item for item in items if item.key == f"{entry.key}_{suffix}"), None)
            if item is not None:
                rows.append((item, group, name or item.label.removeprefix(prefix)))
    listed = {item.key for item, _, _ in rows}
    rows += [(item, "Other numbers", item.label) for item in items if item.key not in listed]
    return rows


def _letters_of(item: Derived, letters: dict[str, str]) -> str:
    """The letters of the assumptions a quantity rests on (its prior, or what it is computed from)."""
    named = [item.assumption] if item.basis != "inputs" else [get_derived(key).assumption for key in item.inputs]
    return ", ".join(sorted({letters[text] for text in named if text in letters}))


SPREAD_CAPTIONS: dict[DerivedClass, str] = {
    "fixed": "Fixed by the abstract: the same at printed precision in every dataset it allows",
    "same verdict": "Same verdict: varies, but reads the same in every drawn dataset (a sample, not a proof)",
    "depends": "Depends on the reconstruction: allowed datasets read differently; the book's value is one choice",
    "assumption": "Assumed: set by the lettered assumptions, not by the abstract",
}


def spread_table(summary: EnsembleSummary, derived_class: DerivedClass, paper: Paper = STUDY) -> HtmlTable:
    """The numbers of one class that the book shows and the abstract does not print, with their ranges.

    One row per number, anchored ``derived-<key>`` (each mark links to its row), outcome by
    outcome. A fixed number shows its value over everything the abstract allows; the others the
    middle 90% of the drawn datasets, with the lowest and highest drawn where the verdict is what
    is claimed, the computed bounds where there are any, and the letters of the assumptions
    (:func:`assumptions_table`) an assumed number rests on. A dash: not drawn, or not computed.
    """
    letters = _assumption_letters()
    drawn = f"Drawn ({summary.members:,}): [middle 90%]"
    rows: list[dict[str, str]] = []
    ids: list[str] = []
    classes: list[str] = []
    groups: dict[int, str] = {}
    for item, group, name in _table_order(paper):
        spread = summary.spread(item.key)
        if spread.derived_class != derived_class:
            continue
        if group not in groups.values():
            groups[len(rows)] = group
        row = {"Quantity": name + (" (at the assumed threshold)" if spread.given else "")}
        match derived_class:
            case "fixed":
                row["Value"] = _fixed_cell(spread, item)
            case "same verdict":
                row["Verdict"] = spread.verdict
                row[f"{drawn} (lowest, highest)"] = _range_cell(spread, item, extremes=True)
            case "depends":
                row[drawn] = _range_cell(spread, item)
                row["Allowed by the abstract"] = _allowed_cell(spread, item)
            case "assumption":
                row["Assumptions"] = _letters_of(item, letters)
                row[drawn] = _range_cell(spread, item)
        rows.append(row)
        ids.append(f"derived-{item.key}")
        classes.append(f"cnslbp-row--{css_class(spread)}")
    frame = pd.DataFrame(rows)
    # a column of dashes says nothing
    frame = frame.loc[:, [column for column in frame.columns if not (frame[column] == "—").all()]]
    return html_table(frame, SPREAD_CAPTIONS[derived_class], row_ids=ids, row_classes=classes, groups=groups)


def _assumption_letters() -> dict[str, str]:
    """A letter for each prior behind a drawn number, then for each assumed constant a number is computed from."""
    texts = [item.assumption for item in DERIVED if item.basis in ("drawn", "exact") and item.assumption]
    used = {key for item in DERIVED if item.basis == "inputs" for key in item.inputs}
    texts += [item.assumption for item in DERIVED if item.basis == "assumed" and item.key in used]
    named: dict[str, str] = {}
    for text in texts:
        if text not in named:
            named[text] = "abcdefghijklmnopqrstuvwxyz"[len(named)]
    return named


def _said_once(text: str, earlier: dict[str, str]) -> str:
    """An assumption that extends an earlier one (``earlier text; more``), written as ``(letter); more``."""
    longest = max((found for found in earlier if text.startswith(found + "; ")), key=len, default="")
    return f"({earlier[longest]}){text[len(longest) :]}" if longest else text


def assumptions_table() -> HtmlTable:
    """The assumptions the spread tables name by letter, each once: priors in full, constants by name.

    A constant's source is given where the book uses it (and in its mark's note).
    """
    constants = {item.assumption: item.label for item in DERIVED if item.basis == "assumed"}
    rows: list[dict[str, str]] = []
    earlier: dict[str, str] = {}
    for text, letter in _assumption_letters().items():
        rows.append({"Assumption": f"({letter})", "What it says": constants.get(text) or _said_once(text, earlier)})
        earlier[text] = letter
    return html_table(
        pd.DataFrame(rows),
        "The assumptions behind the numbers marked assumed",
        row_classes=["cnslbp-row--assumption"] * len(rows),
    )


def legend_table() -> HtmlTable:
    """What each way of marking a number means, for the start page."""
    frame = pd.DataFrame([(words, meaning) for _, words, meaning in LEGEND], columns=["Marked as", "Meaning"])
    return html_table(
        frame, "How numbers are marked in this book", row_classes=[f"cnslbp-row--{key}" for key, _, _ in LEGEND]
    )
