"""MyST roles that let a Markdown page quote a number with its mark, as a chapter's glued values do.

Markdown pages (the bottom line, the risk-of-bias appraisal) are not executed,
so they cannot glue values. These roles give them the same marked numbers:

- ``{printed}`key``` quotes a reported number exactly as the abstract prints it,
  marked as printed (:meth:`cnslbp_lib.publish.provenance.Marks.printed`);
- ``{derived}`key``` quotes a registry quantity of the stored ensemble: its
  value in the worked dataset, with its class and spread
  (:meth:`cnslbp_lib.publish.provenance.Marks.number`). It describes the datasets
  the abstract allows, whatever cohort file the book is built from;
- ``{external}`text``` marks a number that is not about this study at all: a
  value from the cited literature, or a made-up number in an exercise.

Two more roles let a figure's caption describe each form of an interactive
chart: ``{live}`text``` is shown with the live chart and its sliders;
``{still}`text``` with the static drawing (before the live chart is drawn,
without JavaScript, in print and in the PDF), which shows the sliders'
starting values. ``cnslbp.css`` shows one or the other.

An unknown key is a build error naming the key, so a typo cannot print nothing.
"""

from __future__ import annotations

import html
from functools import cache
from typing import Any

from docutils import nodes

from ..paper.reconstruction import EnsembleSummary, load_summary
from .provenance import Marks

__all__ = ["derived_role", "external_role", "live_role", "printed_role", "still_role"]

EXTERNAL_NOTE = "Not a number about this study: a value from the cited literature, or an illustration."

RoleResult = tuple[list[nodes.Node], list[nodes.system_message]]


@cache
def _summary() -> EnsembleSummary:
    return load_summary()


def _marked(html: str) -> list[nodes.Node]:
    return [nodes.raw("", html, format="html")]


def _failed(
    rawtext: str, inliner: Any, lineno: int, message: str
) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    problem = inliner.reporter.error(message, line=lineno)
    return [inliner.problematic(rawtext, rawtext, problem)], [problem]


def printed_role(  # noqa: PLR0917 (docutils calls roles with these seven positional arguments)
    name: str, rawtext: str, text: str, lineno: int, inliner: Any, options: Any = None, content: Any = None
) -> RoleResult:
    """``{printed}`piq_mean_change``` → the abstract's −18.79, marked as printed."""
    try:
        number = Marks(None).printed(text.strip())
    except ValueError as error:
        return _failed(rawtext, inliner, lineno, f"{{printed}}: {error}")
    return _marked(number._repr_html_()), []


def derived_role(  # noqa: PLR0917 (docutils calls roles with these seven positional arguments)
    name: str, rawtext: str, text: str, lineno: int, inliner: Any, options: Any = None, content: Any = None
) -> RoleResult:
    """``{derived}`piq_rtm_expected``` → the worked dataset's value, with its class and its spread."""
    key = text.strip()
    summary = _summary()
    try:
        value = summary.worked_value(key)
    except KeyError:
        return _failed(rawtext, inliner, lineno, f"{{derived}}: {key!r} is not a drawn quantity of the registry")
    number = Marks(summary).number(key, value)
    return _marked(number if isinstance(number, str) else number._repr_html_()), []


def external_role(  # noqa: PLR0917 (docutils calls roles with these seven positional arguments)
    name: str, rawtext: str, text: str, lineno: int, inliner: Any, options: Any = None, content: Any = None
) -> RoleResult:
    """``{external}`0.75 to 0.93``` → the text, marked as not being a number about this study."""
    tip = f'<span class="cnslbp-tip" role="tooltip">{html.escape(EXTERNAL_NOTE)}</span>'
    return _marked(f'<span class="cnslbp-external" tabindex="0">{html.escape(text)}{tip}</span>'), []


LIVE_CLASS, STILL_CLASS = "cnslbp-when-live", "cnslbp-when-still"


def live_role(  # noqa: PLR0917 (docutils calls roles with these seven positional arguments)
    name: str, rawtext: str, text: str, lineno: int, inliner: Any, options: Any = None, content: Any = None
) -> RoleResult:
    """``{live}`The slider picks a correlation.``` → words shown only with the live chart."""
    return [nodes.inline(rawtext, text, classes=[LIVE_CLASS])], []


def still_role(  # noqa: PLR0917 (docutils calls roles with these seven positional arguments)
    name: str, rawtext: str, text: str, lineno: int, inliner: Any, options: Any = None, content: Any = None
) -> RoleResult:
    """``{still}`The grey line marks r = 0.50.``` → words shown only with the static drawing."""
    return [nodes.inline(rawtext, text, classes=[STILL_CLASS])], []
