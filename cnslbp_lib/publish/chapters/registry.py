"""Every chapter's text module by name, and every value the chapters show for any cohort."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...data.load import Cohort
from ...data.source import provenance
from .. import charts
from ..page import Page
from ..study import Study
from . import association, design, limitations, number_audit, primary_outcomes, secondary_outcomes, stages, start_here

__all__ = ["CHAPTERS", "chapter_values"]

CHAPTERS: dict[str, Callable[[Study], Page]] = {
    "start_here": start_here.page,
    "design": design.page,
    "stages": stages.page,
    "primary_outcomes": primary_outcomes.page,
    "secondary_outcomes": secondary_outcomes.page,
    "association": association.page,
    "limitations": limitations.page,
    "number_audit": number_audit.page,
}


def _rendered(shown: Any) -> str:
    if hasattr(shown, "to_dict"):
        return charts.to_html(shown.to_dict())
    return str(shown._repr_html_())


def _text(value: Any) -> str:
    return value if isinstance(value, str) else f"{value} {value._repr_html_()}"


def chapter_values(cohort: Cohort) -> dict[str, str]:
    """Every value the chapters show for ``cohort``, keyed ``<chapter>:<key>``.

    Glued values as text (and HTML, for numbers that carry their spread),
    sentences and Markdown as glued, checked numbers as their text (the number,
    or "not computable (reason)"), tables and charts as the HTML the page gets.
    Participant ids are replaced by labels first, as in the book.
    """
    study = Study(cohort=cohort.pseudonymised(), provenance=provenance(cohort))
    found: dict[str, str] = {}
    for chapter, build in CHAPTERS.items():
        page = build(study)
        found |= {f"{chapter}:{key}": str(study.checked(key)) for key in page.checks}
        found |= {f"{chapter}:{key}": _text(value) for key, value in page.values.items()}
        found |= {f"{chapter}:{key}": text for key, text in (page.markdown | page.sentences).items()}
        found |= {f"{chapter}:{key}": _rendered(shown) for key, shown in page.shown.items()}
    return found
