"""The text of the chapter "Check another paper" (``book/check_another_paper.ipynb``): another study, checked.

Everything the chapter says about the other study comes from its paper file
(``papers/examples/``) and the engine, computed when the chapter runs: the
citation, how many results hold together, the flagged result's printed numbers
and checks, which printed number could be the wrong one, and the readings that
would explain it. None of it is a number about the book's study, so every
number is marked as external to it (the ``{external}`` mark, and tables
marked as a whole).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ...data.source import PROJECT_ROOT
from ...paper.consistency import CHECK_WORDS, PaperResult, check_paper
from ...paper.formatting import format_number, parse_printed
from ...paper.paired_checks import CheckedResult
from ...paper.paired_intervals import variant_words
from ...paper.reported import Paper, load_paper
from ...paper.row_ensemble import suspects
from .. import glue
from ..build.roles import EXTERNAL_NOTE
from ..html import HtmlTable, html_table

__all__ = ["EXAMPLE", "AnotherPaper", "external", "page", "suspects"]

EXAMPLE = PROJECT_ROOT / "papers" / "examples" / "epio-feasibility-pilot.yaml"
_EXTERNAL_WORDS = "Every number in this table is about the other study, not the book's."


# the printed numbers a paired t-test's checks use, in the order a reader meets them
def external(text: str) -> glue.Html:
    """A number (or a phrase with numbers) about another study, marked as not about this one."""
    tip = f'<span class="cnslbp-tip" role="tooltip">{html.escape(EXTERNAL_NOTE)}</span>'
    return glue.Html(f'<span class="cnslbp-external" tabindex="0">{html.escape(text)}{tip}</span>', text)


@dataclass(frozen=True)
class AnotherPaper:
    """What the chapter shows of one paper file: glued values, tables, and the flagged result's lines of the file."""

    paper: Paper
    values: dict[str, Any] = field(default_factory=dict)
    shown: dict[str, HtmlTable] = field(default_factory=dict)
    excerpt: str = ""

    def glue(self) -> None:
        """Glue every value under its key (what the chapter's ``{glue}`` roles quote)."""
        for key, value in self.values.items():
            glue.number(key, value)


def _summary_table(paper: Paper, checked: list[tuple[PaperResult, CheckedResult]]) -> HtmlTable:
    rows = []
    for found, result in checked:
        flagged = [
            CHECK_WORDS.get(check.name, check.name) for check in result.checks if check.verdict == "inconsistent"
        ]
        ran = sum(check.verdict != "not checkable" for check in result.checks)
        rows.append(
            {
                "Outcome": paper.instrument(found.instrument).name,
                "Checks that could run": str(ran),
                "Verdict": result.verdict,
                "Flagged": "; ".join(flagged) or "—",
            }
        )
    return html_table(
        pd.DataFrame(rows),
        f"{len(rows)} printed results of the other study, each checked as a whole",
        row_classes=["cnslbp-row--disagrees" if row["Verdict"] == "inconsistent" else "" for row in rows],
        mark="external",
        mark_words=_EXTERNAL_WORDS,
    )


def _printed_table(paper: Paper, found: PaperResult) -> HtmlTable:
    rows = [{"Printed as": paper.get(key).label, "Text": paper.get(key).printed} for key in found.keys.values()]
    return html_table(
        pd.DataFrame(rows),
        f"{paper.instrument(found.instrument).name}: every number the table prints, exactly as printed",
        mark="external",
        mark_words=_EXTERNAL_WORDS,
    )


def _checks_table(result: CheckedResult) -> HtmlTable:
    rows = [
        {"Check": CHECK_WORDS.get(check.name, check.name), "Verdict": check.verdict, "What it shows": check.detail}
        for check in result.checks
        if check.verdict != "not checkable"
    ]
    return html_table(
        pd.DataFrame(rows),
        "The checks that could run on this result",
        row_classes=["cnslbp-row--disagrees" if row["Verdict"] == "inconsistent" else "" for row in rows],
        mark="external",
        mark_words=_EXTERNAL_WORDS,
    )


def _names(paper: Paper, found: PaperResult, columns: tuple[str, ...]) -> str:
    labels = [f"the {paper.get(found.keys[column]).label.split(', ', 1)[-1]}" for column in columns]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


def _suspects_sentence(paper: Paper, found: PaperResult, blamed: tuple[str, ...]) -> str:
    if not blamed:
        return "No single printed number, set aside, lets the rest hold together."
    if len(blamed) == 1:
        named = _names(paper, found, blamed)
        return f"Set aside {named}, and the rest of the row holds together; no other number will do."
    return f"Set aside any one of {_names(paper, found, blamed)}, and the rest of the row holds together."


def _linked_title(title: str, doi: str | None, url: str | None) -> glue.Html | glue.Text:
    """The study's title, linked to its DOI (or its address) when its file gives one."""
    address = f"https://doi.org/{doi}" if doi else url
    if not address:
        return glue.Text(title)
    return glue.Html(f'<a href="{html.escape(address, quote=True)}">{html.escape(title)}</a>', title)


def page(path: str | Path = EXAMPLE) -> AnotherPaper:
    """Check the paper file at ``path`` and say, for the chapter, what the checks found.

    The chapter walks through the first result the engine finds inconsistent;
    a paper with none is said to hold together.
    """
    paper = load_paper(path)
    checked = check_paper(paper)
    citation = paper.file.citation
    inconsistent = [(found, result) for found, result in checked if result.verdict == "inconsistent"]
    values: dict[str, Any] = {
        "other_title": _linked_title(citation.title, citation.doi, citation.url),
        "other_where": glue.Text(
            ", ".join(str(part) for part in (citation.journal, citation.year) if part) or "the source named in its file"
        ),
        "other_n": external(str(paper.n)),
        "other_results": glue.Text(str(len(checked))),
        "other_consistent": glue.Text(str(len(checked) - len(inconsistent))),
        "other_inconsistent": glue.Text(str(len(inconsistent))),
    }
    shown = {"summary": _summary_table(paper, checked)}
    if inconsistent:
        found, result = inconsistent[0]
        failing = next(check for check in result.checks if check.verdict == "inconsistent")
        blamed = suspects(found.result)
        values |= {
            "flag_outcome": glue.Text(paper.instrument(found.instrument).name),
            "flag_check": glue.Text(CHECK_WORDS.get(failing.name, failing.name)),
            "flag_subject": glue.Text(_names(paper, found, (failing.subject,))),
            "flag_readings": glue.Text(
                "For this row, it holds together if "
                + ", or if ".join(variant_words(name, paper.n) for name in failing.explained_by)
                + "."
                if failing.explained_by
                else "For this row, none of them makes it hold together."
            ),
            "flag_suspects": glue.Text(_suspects_sentence(paper, found, blamed)),
        }
        if failing.interval is not None:
            low, high = (format_number(end, 2) for end in (failing.interval.low, failing.interval.high))
            values["flag_implied"] = external(low if low == high else f"{low} to {high}")
        if found.result.ci_low is not None and found.result.ci_high is not None:
            ends = [parse_printed(text) for text in (found.result.ci_low, found.result.ci_high)]
            places = max(-ends[0].as_tuple().exponent, -ends[1].as_tuple().exponent)  # type: ignore[operator]
            values["flag_midpoint"] = external(format_number(float(sum(ends)) / 2, places))
        printed = {
            "flag_mean_change": found.result.mean_change,
            "flag_ci_low": found.result.ci_low,
            "flag_ci_high": found.result.ci_high,
            "flag_p": found.result.p,
        }
        values |= {key: external(text) for key, text in printed.items() if text is not None}
        shown |= {"flag_printed": _printed_table(paper, found), "flag_checks": _checks_table(result)}
        keys = set(found.keys.values()) - {key for key in found.keys.values() if paper.get(key).instrument is None}
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        excerpt = "\n".join(line for line in lines if any(f"key: {key}," in line for key in sorted(keys)))
        return AnotherPaper(paper, values, shown, excerpt)
    return AnotherPaper(paper, values, shown)
