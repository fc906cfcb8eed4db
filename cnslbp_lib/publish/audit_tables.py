"""The number audit and the data-free checks as tables: what the audit chapter shows.

Split from :mod:`cnslbp_lib.publish.tables`, whose conventions they follow
(pure functions, deterministic HTML, no index column).
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from ..paper.consistency import consistency_checks
from ..paper.formatting import MINUS
from ..paper.reported import REPORTED, STUDY
from .html import HtmlTable, html_table

__all__ = ["audit_table", "checks_table", "disagreements"]


def _styles(keys: pd.Series) -> list[str]:
    styles = {record.key: record.style for record in STUDY.reported}
    return [styles.get(key, "") for key in keys]


def audit_table(audit: pd.DataFrame, *, construction: bool = False) -> HtmlTable:
    """The number audit, one anchored row per reported number (the in-place checks link here).

    ``construction`` (the reconstruction) words an agreement as *reproduced by
    construction*: the dataset was built to reproduce the abstract, so agreement
    checks the dataset, not the paper.
    """
    table = audit
    agree = "reproduced by construction" if construction else "agrees"
    shown = pd.DataFrame(
        {
            "Number": table["label"],
            "Paper": table["reported"],
            "Recomputed": [
                "not computable"
                if not np.isfinite(value)
                # a direction's recomputed r depends on the dataset: only its sign is what the paper claims
                else printed
                if style == "direction"
                else f"{value:.6g}".replace("-", MINUS)
                for value, printed, style in zip(
                    table["recomputed"], table["recomputed_printed"], _styles(table["key"]), strict=True
                )
            ],
            "As the paper would print it": table["recomputed_printed"],
            "Verdict": table["verdict"].map({"agrees": agree, "disagrees": "DIFFERS"}).fillna(table["verdict"]),
        }
    )
    return html_table(
        shown,
        "Every number in the abstract: printed, recomputed, and whether they agree",
        row_ids=[f"audit-{key}" for key in table["key"]],
        row_classes=["cnslbp-row--checked" if agrees else "cnslbp-row--disagrees" for agrees in table["agrees"]],
    )


def disagreements(audit: pd.DataFrame) -> HtmlTable:
    """One item per disagreeing number, with the library's explanation, as a marked block.

    Every number in it is a printed number or arithmetic on printed numbers
    (the recomputed value of a number that disagrees on data built to
    reproduce the abstract is fixed by the abstract's other numbers), so the
    block carries the mark ``fixed``. The item's lead gives the printed and
    recomputed values, so the explanation's closing restatement of them
    ("This cohort gives …; the abstract prints ….") is left out rather than said twice.
    """
    rows = audit[~audit["agrees"]]
    if rows.empty:
        return HtmlTable("<p>Every number in the abstract agrees with its recomputation from this dataset.</p>")
    items = []
    for row in rows.itertuples(index=False):
        if row.verdict == "not computable":
            lead, explanation = f"(paper {row.reported})", str(row.explanation)
        else:
            restated = f"This cohort gives {row.recomputed_printed}; the abstract prints {row.reported}."
            explanation = " ".join(str(row.explanation).replace(restated, "").split())
            lead = f"(paper {row.reported}, recomputed {row.recomputed_printed})"
        items.append(
            f"<li><strong>{html.escape(str(row.label))}</strong> {html.escape(lead)}: {html.escape(explanation)}</li>"
        )
    return HtmlTable(
        '<ul class="cnslbp-block cnslbp-block--fixed" aria-label="Numbers that differ from the paper">'
        + "".join(items)
        + "</ul>"
    )


def checks_table() -> HtmlTable:
    """The data-free consistency checks with their verdicts."""
    checks = consistency_checks()
    labels = {record.key: record.label for record in REPORTED}
    shown = pd.DataFrame(
        {
            "Check": checks["check"],
            "Numbers used": ["; ".join(labels[key] for key in keys) for keys in checks["keys"]],
            "Verdict": checks["verdict"],
            "What it shows": checks["detail"],
        }
    )
    if checks.empty:
        shown = shown.iloc[0:0]
    return html_table(
        shown,
        "Checks a reviewer can run on the abstract alone",
        mark="fixed",
        mark_words="Every number in this table is worked out from the abstract's printed numbers alone.",
        row_classes=["cnslbp-row--disagrees" if verdict == "inconsistent" else "" for verdict in checks["verdict"]],
    )
