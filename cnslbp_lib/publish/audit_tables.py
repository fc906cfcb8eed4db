"""The number audit and the data-free checks as tables: what the audit chapter shows.

Split from :mod:`cnslbp_lib.publish.tables`, whose conventions they follow
(pure functions, deterministic HTML, no index column).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..paper.consistency import consistency_checks
from ..paper.formatting import MINUS
from ..paper.reported import REPORTED
from .html import HtmlTable, html_table

__all__ = ["audit_table", "checks_table", "disagreements_markdown"]


def audit_table(audit: pd.DataFrame) -> HtmlTable:
    """The number audit, one anchored row per reported number (the in-place checks link here)."""
    table = audit
    shown = pd.DataFrame(
        {
            "Number": table["label"],
            "Paper": table["reported"],
            "Recomputed": [
                "not computable" if not np.isfinite(value) else f"{value:.6g}".replace("-", MINUS)
                for value in table["recomputed"]
            ],
            "As the paper would print it": table["recomputed_printed"],
            "Verdict": table["verdict"].map({"agrees": "agrees", "disagrees": "DISAGREES"}).fillna(table["verdict"]),
        }
    )
    return html_table(
        shown,
        "Every number in the abstract: printed, recomputed, and whether they agree",
        row_ids=[f"audit-{key}" for key in table["key"]],
        row_classes=["" if agrees else "cnslbp-row--disagrees" for agrees in table["agrees"]],
    )


def disagreements_markdown(audit: pd.DataFrame) -> str:
    """One paragraph per disagreeing number, with the library's explanation.

    The paragraph's lead gives the printed and recomputed values, so the
    explanation's closing restatement of them ("This cohort gives …; the
    abstract prints ….") is left out rather than said twice.
    """
    rows = audit[~audit["agrees"]]
    if rows.empty:
        return "Every number in the abstract agrees with its recomputation from this dataset.\n"
    paragraphs = []
    for row in rows.itertuples(index=False):
        if row.verdict == "not computable":
            paragraphs.append(f"- **{row.label}** (paper {row.reported}): {row.explanation}")
            continue
        restated = f"This cohort gives {row.recomputed_printed}; the abstract prints {row.reported}."
        explanation = " ".join(str(row.explanation).replace(restated, "").split())
        paragraphs.append(
            f"- **{row.label}** (paper {row.reported}, recomputed {row.recomputed_printed}): {explanation}"
        )
    return "\n".join(paragraphs) + "\n"


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
    return html_table(
        shown,
        "Checks a reviewer can run on the abstract alone",
        row_classes=["cnslbp-row--disagrees" if verdict == "inconsistent" else "" for verdict in checks["verdict"]],
    )
