"""A reviewer's report on any paper file: one self-contained page of its checks and of what its numbers allow.

``cnslbp report PAPER --out DIR`` writes ``DIR/index.html`` and its stylesheet:

- the paper's citation, and what its source does not give;
- every printed result (an instrument over a comparison) with each check the
  engine could run (:mod:`cnslbp_lib.paper.paired_checks`), the ordinary
  readings that reproduce an inconsistent number, and what the printed numbers
  imply (the SD of the changes, dz, the pre–post correlation);
- the paper-wide explanations and the claims no number checks;
- for each result whose changes can be drawn, what its numbers determine:
  quantities a reader might want (a rank test, the share who improved,
  responders at the instrument's threshold), each with its class by the book's
  one rule (:func:`cnslbp_lib.paper.derived.classify`) and its spread across
  change vectors drawn uniformly from everything the result allows
  (:mod:`cnslbp_lib.paper.row_ensemble`), with a chart.

The page is built from the same pieces as the book (tables, marks, the chart
renderer drawing static SVG), loads nothing from another host, and works
without JavaScript. The same paper and seed give the same bytes.
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..data.files import write_text_atomically
from ..exceptions import EmptyLatticeError, SamplingBudgetError
from ..paper.consistency import CHECK_WORDS, PaperResult, check_paper, explanations
from ..paper.derived import Derived, classify
from ..paper.formatting import format_number, format_p
from ..paper.paired_checks import CheckedResult
from ..paper.paired_result import PairedResult
from ..paper.reported import Paper
from ..paper.row_ensemble import RowEnsemble, conflicting_columns, row_ensemble, suspects
from ..stats.batch import responder_share_batch
from ..stats.batch_ranks import signed_rank_p_batch
from ..stats.core import DEFAULT_SEED
from . import charts
from .charts.render import static_svg
from .html import HtmlTable, html_table

__all__ = ["REPORT_MEMBERS", "write_report"]

REPORT_MEMBERS = 1000
_STYLESHEETS = ("cnslbp.css", "cnslbp-provenance.css", "cnslbp-report.css")
# the book's class words speak of its reconstruction; a report's draws are of one printed result
_CLASS_WORDS = {
    "fixed": "fixed by the printed numbers",
    "same verdict": "same verdict in every drawn set",
    "depends": "depends on which allowed set is true",
}
_STATIC = Path(__file__).resolve().parents[2] / "book" / "_static"


@dataclass(frozen=True)
class _Determined:
    """One quantity of a drawn result: its registry-style item, its values across the draws."""

    item: Derived
    values: np.ndarray


def _below_05(values: np.ndarray) -> np.ndarray:
    return np.asarray(values < 0.05)


def _threshold_words(paper: Paper, instrument: str) -> str:
    spec = next(spec for spec in paper.file.instruments if spec.key == instrument)
    return "an assumption of the paper file, not the study's" if spec.threshold.assumed else "the study's threshold"


def _determined(paper: Paper, found: PaperResult, drawn: RowEnsemble) -> list[_Determined]:
    """The quantities a reader might want that the paper does not print, across the drawn sets of changes.

    A responder share the paper prints is not drawn: the row's sets of changes are drawn without it (a
    results table's row knows no threshold), so their responder shares would contradict a printed number.
    """
    entry = paper.instrument(found.instrument)
    improvement = drawn.changes * entry.improvement_sign
    name = f"{entry.abbreviation}, stage {found.comparison[0]} → {found.comparison[1]}"
    words = ("p below .05", "p of .05 or more")
    found_items = [
        _Determined(
            Derived(f"{found.result.id}_wilcoxon_p", f"{name}: Wilcoxon signed-rank p", "p", 3, _below_05, words),
            signed_rank_p_batch(drawn.changes),
        ),
        _Determined(
            Derived(f"{found.result.id}_improved", f"{name}: share whose score improved at all", "percent", 0),
            100 * (improvement > 0).mean(axis=1),
        ),
    ]
    if found.result.responder_pct is None and found.result.responder_k is None:
        threshold = _threshold_words(paper, found.instrument)
        found_items.append(
            _Determined(
                Derived(
                    f"{found.result.id}_responders",
                    f"{name}: share with {entry.rule(entry.threshold)} ({threshold})",
                    "percent",
                    0,
                    given=f"at that threshold ({entry.improvement_rule})",
                ),
                responder_share_batch(improvement, entry.threshold),
            )
        )
    found_items.append(
        _Determined(
            Derived(f"{found.result.id}_median", f"{name}: median change (points)", "number", 1),
            np.median(drawn.changes, axis=1),
        )
    )
    return found_items


def _checks_table(found: PaperResult, checked: CheckedResult) -> HtmlTable:
    rows = []
    for check in checked.checks:
        if check.verdict == "not checkable":
            continue
        rows.append(
            {
                "Check": CHECK_WORDS.get(check.name, check.name),
                "Verdict": check.verdict,
                "What it shows": check.detail,
            }
        )
    caption = f"{found.result.id}: the checks that could run ({checked.verdict})"
    frame = pd.DataFrame(rows, columns=["Check", "Verdict", "What it shows"])
    return html_table(
        frame,
        caption,
        row_classes=["cnslbp-row--disagrees" if row["Verdict"] == "inconsistent" else "" for row in rows],
        mark="fixed",
        mark_words="Every number here is worked out from the printed numbers alone.",
    )


def _printed_table(found: PaperResult, paper: Paper) -> HtmlTable:
    rows = [
        {"Printed as": paper.get(key).label, "Column": column, "Text": paper.get(key).printed}
        for column, key in found.keys.items()
    ]
    return html_table(
        pd.DataFrame(rows, columns=["Printed as", "Column", "Text"]),
        f"{found.result.id}: what the paper prints (exactly as printed)",
        mark="fixed",
        mark_words="Printed in the paper.",
    )


def _implied(checked: CheckedResult) -> str:
    """What the printed numbers fix about unprinted ones; a correlation outside [−1, 1] says the SDs cannot agree."""
    words = {
        "change_sd": "SD of the changes",
        "dz": "dz (size)",
        "t_size": "t (size)",
        "p": "p",
        "correlation": "pre–post correlation",
    }
    parts = []
    for value in checked.implied:
        low, high = value.interval.low, value.interval.high
        if value.name not in words or not (np.isfinite(low) or np.isfinite(high)):
            continue
        if value.name == "correlation":
            if low > 1 or high < -1:
                parts.append("pre–post correlation: none (the three SDs cannot go together)")
                continue
            low, high = max(low, -1.0), min(high, 1.0)
            if low <= -1 and high >= 1:
                continue  # says nothing
        if value.name == "p":
            shown = [format_p(min(max(end, 0.0), 1.0), 3) if np.isfinite(end) else "" for end in (low, high)]
        else:
            shown = [format_number(end, 3) if np.isfinite(end) else "" for end in (low, high)]
        if not shown[1]:
            text = f"at least {shown[0]}"
        elif not shown[0]:
            text = f"at most {shown[1]}"
        else:
            text = shown[0] if shown[0] == shown[1] else f"{shown[0]} to {shown[1]}"
        parts.append(f"{words[value.name]} {text}")
    if not parts:
        return ""
    return (
        '<p class="cnslbp-block cnslbp-block--fixed"><span class="cnslbp-block-label">Implied by the printed '
        f"numbers:</span> {html.escape('; '.join(parts))}.</p>"
    )


def _spread_row(determined: _Determined) -> tuple[dict[str, str], str]:
    """One quantity's row and its row class (the bar beside it marks its class, as in the book's tables)."""
    spread = classify(determined.item, determined.values)
    item = determined.item
    median, low, high, least, most = (
        item.printed(value) for value in (spread.median, spread.low, spread.high, spread.minimum, spread.maximum)
    )
    what = _CLASS_WORDS.get(spread.derived_class, spread.class_words)
    what += f" ({spread.verdict})" if spread.verdict else ""
    if spread.given:
        what += f", {spread.given}"
    row = {
        "Quantity": item.label,
        "Class": what,
        "Median": median,
        "Middle 90%": f"{low} to {high}",
        "Lowest to highest drawn": f"{least} to {most}",
    }
    return row, f"cnslbp-row--{spread.derived_class.replace(' ', '-')}"


def _draw(found: PaperResult, seed: int) -> tuple[RowEnsemble | None, str]:
    """The result's changes drawn, and what the drawing left out or why it could not be done, in words.

    When exactly one printed number cannot hold with the others, the changes are
    drawn without it, and the words say so.
    """
    result, left_out = found.result, ""
    culprits = conflicting_columns(result)
    if len(culprits) == 1:
        column = culprits[0]
        left_out = (
            f"Drawn without the printed {column} ({getattr(result, column)}), the one number that cannot hold "
            "with the others. "
        )
        result = PairedResult.from_mapping({**asdict(result), column: None})
    elif culprits:
        named = " or ".join(f"{column} ({getattr(result, column)})" for column in culprits)
        return None, (
            f"Not drawn: no set of changes reproduces every printed number of this result, and leaving out any "
            f"one of {named} would; the report does not choose between them."
        )
    try:
        return row_ensemble(result, REPORT_MEMBERS, seed=seed), left_out
    except SamplingBudgetError:
        return None, (
            "Not drawn: the sets of changes these numbers allow are too many and too spread out for the sampler's "
            "budget. This is a limit of the sampler; it says nothing about whether the numbers hold together."
        )
    except EmptyLatticeError as error:
        return None, f"Not drawn: {error}."


def _determines(paper: Paper, found: PaperResult, seed: int) -> str:
    drawn, words = _draw(found, seed)
    if drawn is None:
        return f'<p class="cnslbp-note">{html.escape(words)}</p>'
    determined = _determined(paper, found, drawn)
    rows = [_spread_row(item) for item in determined]
    table = html_table(
        pd.DataFrame([row for row, _ in rows]),
        f"{found.result.id}: what its printed numbers determine, across {REPORT_MEMBERS:,} drawn sets of changes",
        row_classes=[css for _, css in rows],
        mark_words="The bar beside each row marks its class: grey fixed by the printed numbers, green the same "
        "verdict in every drawn set, orange depends on which set is true.",
    )
    exact = "exactly" if drawn.exact else "approximately (counts estimated)"
    sentence = (
        f"{html.escape(words)}The printed {html.escape(', '.join(drawn.set.used))} allow about "
        f"10<sup>{drawn.log10_count:.1f}</sup> sets of {drawn.set.n} changes in steps of {drawn.set.step} point "
        f"of the score; {REPORT_MEMBERS:,} were drawn {exact} uniformly from them ({drawn.method} sampler)."
    )
    if found.result.responder_pct is not None or found.result.responder_k is not None:
        sentence += (
            " The printed responder share is not used in drawing (it needs a threshold, which a set of changes "
            "does not carry), so the share is not drawn either."
        )
    wilcoxon = determined[0]
    chart = charts.spread_histogram(
        wilcoxon.item,
        wilcoxon.values,
        None,
        population="sets of changes drawn from those the printed numbers allow",
        members="Sets of changes",
    )
    svg = static_svg(chart.to_dict(), element=f"report-{found.result.id}")
    return f'<p>{sentence}</p>{_scroll(table)}<figure class="cnslbp-chart">{svg}</figure>'


def _scroll(table: object) -> str:
    return f'<div class="cnslbp-scroll">{table}</div>'


def _byline(paper: Paper) -> str:
    citation = paper.file.citation
    facts = [", ".join(citation.authors) if citation.authors else "", citation.journal or "", str(citation.year or "")]
    said = ". ".join(html.escape(fact) for fact in facts if fact)
    link = citation.url or (f"https://doi.org/{citation.doi}" if citation.doi else "")
    if citation.doi:
        said += f'{". " if said else ""}DOI: <a href="{html.escape(link)}">{html.escape(citation.doi)}</a>'
    elif link:
        said += f'{". " if said else ""}<a href="{html.escape(link)}">{html.escape(link)}</a>'
    if citation.not_given:
        said += f"{'. ' if said else ''}{html.escape(citation.not_given)}"
    return f"<p>{said if said.endswith('.') else said + '.'}</p>" if said else ""


def _heading(paper: Paper, found: PaperResult) -> str:
    entry = paper.instrument(found.instrument)
    names = {stage.number: stage.name for stage in paper.file.design.stages}
    first, last = (names.get(stage, f"stage {stage}") for stage in found.comparison)
    return f"{entry.abbreviation} ({entry.name}), {first} to {last}"


Grade = tuple[str, str]  # (css class, words)


def _grade(result: CheckedResult, whole_paper: dict[str, str]) -> Grade:
    """Consistent; consistent if read one way throughout the paper (named); or inconsistent as printed."""
    if result.verdict != "inconsistent":
        return ("consistent", result.verdict)
    failing = [check for check in result.checks if check.verdict == "inconsistent"]
    readings = [
        next((whole_paper[name] for name in check.explained_by if name in whole_paper), "") for check in failing
    ]
    if all(readings):
        return ("convention", "consistent if " + "; and if ".join(dict.fromkeys(readings)))
    return ("inconsistent", "inconsistent as printed")


def _questions(paper: Paper, found: PaperResult, result: CheckedResult, whole_paper: dict[str, str]) -> list[str]:
    """Questions a reviewer could put to the authors, one per flagged check, with the arithmetic named."""
    entry = paper.instrument(found.instrument)
    asked = []
    blamed = suspects(found.result) if result.verdict == "inconsistent" else ()
    for check in result.checks:
        if check.verdict != "inconsistent":
            continue
        key = found.keys.get(check.subject)
        printed = f"the printed {paper.get(key).label} ({paper.get(key).printed})" if key else "a printed number"
        convention = next((whole_paper[name] for name in check.explained_by if name in whole_paper), "")
        if convention:
            asked.append(
                f"{entry.abbreviation}: could you confirm whether {convention}? Read that way, {printed} fits."
            )
            continue
        question = f"{entry.abbreviation}: {printed} does not fit the result's other printed numbers "
        question += f"(check: {CHECK_WORDS.get(check.name, check.name)})."
        if len(blamed) == 1 and blamed[0] != check.subject and blamed[0] in found.keys:
            other = paper.get(found.keys[blamed[0]])
            question += (
                f" It is {other.label} ({other.printed}), not this number, whose removal alone lets the rest hold "
                "together."
            )
        question += " Could you check the values and how they were computed (the test, the participants, the rounding)?"
        asked.append(question)
    return asked


def _whole_paper(paper: Paper) -> dict[str, str]:
    """Each reading that reproduces a flagged number and every number of its kind in the paper, in words."""
    return {found.variant: found.words for found in explanations(paper) if found.all_agree}


def _summary(paper: Paper, checked: list[tuple[PaperResult, CheckedResult]], whole_paper: dict[str, str]) -> str:
    rows = []
    for found, result in checked:
        grade = _grade(result, whole_paper)
        questions = _questions(paper, found, result, whole_paper)
        link = f'<a href="#{html.escape(found.result.id)}">{html.escape(_heading(paper, found))}</a>'
        asked = "".join(f"<li>{html.escape(question)}</li>" for question in questions)
        rows.append(
            f'<tr class="cnslbp-grade--{grade[0]}"><td>{link}</td><td>{html.escape(grade[1])}</td>'
            f"<td>{f'<ul>{asked}</ul>' if asked else '—'}</td></tr>"
        )
    return (
        '<div class="cnslbp-scroll"><table class="cnslbp-table cnslbp-table--fixed"><caption>Every printed result, '
        'graded, with the questions its flags raise <span class="cnslbp-table-mark">Every verdict is worked out '
        'from the printed numbers alone.</span></caption><thead><tr><th scope="col">Result</th>'
        '<th scope="col">Verdict</th><th scope="col">Questions for the authors</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _paper_wide(paper: Paper) -> list[str]:
    """The paper-wide explanations of inconsistent numbers, and the claims no number checks."""
    lines = [
        f"{', '.join(found.explains)}: reproduced if {found.words}"
        + (" (and so is every number of that kind)" if found.all_agree else " (but not every number of that kind)")
        for found in explanations(paper)
    ]
    return lines + [
        f"{claim.key}: “{claim.wording or claim.printed}” prints no number, so nothing checks it"
        for claim in paper.associations
    ]


_READING = (
    "<p>How to read this report. Each printed number stands for the interval of values that round to it. A "
    "result is <em>consistent</em> when one paired t-test on the paper's n can give all of its printed numbers at "
    "once; <em>consistent if</em> when one ordinary habit of reporting, applied to every number of its kind in the "
    "paper, makes it so (name it and ask); <em>inconsistent as printed</em> when no such habit does. A flag is a "
    "question for the authors: a typo, another test, another n or a rounding habit are the usual reasons, and it "
    "is never evidence of misconduct by itself. A consistent result is not a correct one either: it only means "
    "its numbers can all be true at once. Where a check rests on an assumption of the paper file (a score's grid, "
    "a threshold), the file says so, and the flag is only as good as that assumption.</p>"
)


def _notes(paper: Paper, found: PaperResult, result: CheckedResult) -> str:
    notes = list(result.notes)
    if any(paper.get(key).reversed for key in found.keys.values()):
        notes.append(
            "the paper prints this change as earlier minus later; it is read here as later minus earlier (signs "
            "turned, CI limits swapped), as the stage means run"
        )
    spec = next(spec for spec in paper.file.instruments if spec.key == found.instrument)
    if spec.score_step is not None or spec.items > 1:
        notes.append(f"GRIM and GRIMMER use the paper file's score grid, steps of {spec.step} point: {spec.assumption}")
    if not notes:
        return ""
    items = "".join(f"<li>{html.escape(note)}</li>" for note in notes)
    return f'<p>How the numbers were read:</p><ul class="cnslbp-notes">{items}</ul>'


def _page(paper: Paper, seed: int) -> str:
    citation = paper.file.citation
    checked = check_paper(paper)
    whole_paper = _whole_paper(paper)
    paper_wide = _paper_wide(paper)
    grades = [_grade(result, whole_paper)[0] for _, result in checked]
    parts = [
        f"<h1>{html.escape(citation.title)}</h1>",
        _byline(paper),
        f"<p>A reviewer's report from <code>cnslbp report</code>. Numbers transcribed from: "
        f"{html.escape(citation.source)}.</p>",
        f"<p><strong>{len(checked)} printed results: {grades.count('consistent')} consistent, "
        f"{grades.count('convention')} consistent under one reading applied to the whole paper, "
        f"{grades.count('inconsistent')} inconsistent as printed.</strong></p>",
        _summary(paper, checked, whole_paper),
        _READING,
    ]
    for (found, result), grade in zip(checked, grades, strict=True):
        content = [
            _scroll(_printed_table(found, paper)),
            _scroll(_checks_table(found, result)),
            _implied(result),
            _notes(paper, found, result),
            _determines(paper, found, seed),
        ]
        words = _grade(result, whole_paper)[1]
        parts.append(
            f'<section id="{html.escape(found.result.id)}"><h2>{html.escape(_heading(paper, found))}</h2>'
            f'<p class="cnslbp-grade--{grade}">{html.escape(words)}</p><details><summary>The printed numbers, every '
            f"check, and what the numbers allow</summary>{''.join(content)}</details></section>"
        )
    if paper_wide:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in paper_wide)
        parts.append(f'<h2 id="paper">Across the paper</h2><ul class="cnslbp-block cnslbp-block--fixed">{items}</ul>')
    title = html.escape(f"Report: {citation.title}")
    links = "".join(f'<link rel="stylesheet" href="{name}">' for name in _STYLESHEETS)
    description = html.escape(f"Every printed number of {citation.title} checked together, and what they allow.")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{title}</title><meta name="description" content="{description}">{links}</head>'
        f"<body><main>{''.join(parts)}</main></body></html>\n"
    )


def write_report(paper: Paper, out: str | Path, *, seed: int = DEFAULT_SEED) -> Path:
    """Write the reviewer's report on ``paper`` into the folder ``out``; return its page.

    Every file is written atomically; the same paper and seed give the same bytes.
    """
    text = _page(paper, seed)  # composed first: a failure leaves no folder or file behind
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for name in _STYLESHEETS:
        write_text_atomically(folder / name, (_STATIC / name).read_text(encoding="utf-8"))
    page = folder / "index.html"
    write_text_atomically(page, text)
    return page
