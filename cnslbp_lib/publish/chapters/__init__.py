"""The book's words: one text module per chapter, each with the chapter's glued values, sentences, tables and charts.

A chapter's setup cell is ``page = <chapter>.page(study)`` then ``page.glue()``
(``book/<chapter>.ipynb`` and ``chapters/<chapter>.py`` share the name), and
its display cells show ``page.shown[name]``. Every glued key is written out in
its chapter's module, so a search for a key a page quotes finds where its value
is made. Phrases several chapters share are in :mod:`cnslbp_lib.publish.words`
(a result's numbers in words) and :mod:`cnslbp_lib.publish.sentences` (whole
sentences); tables in :mod:`cnslbp_lib.publish.tables`, charts in
:mod:`cnslbp_lib.publish.charts`.

:func:`chapter_values` runs every chapter's ``page`` on a cohort and returns
every glued value and every rendered table and chart, so tests can feed it any
valid cohort. Nothing here may fail on a valid cohort: a statistic the data
cannot support is stated as such, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...data.load import Cohort
from ...data.source import provenance
from .. import charts
from ..page import Page
from ..study import Study
from . import association, design, limitations, number_audit, primary_outcomes, secondary_outcomes, stages, start_here

__all__ = ["CHAPTERS", "Page", "chapter_values"]

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
