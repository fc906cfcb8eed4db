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
  value from the cited literature, or a made-up number in an exercise;
- ``{threshold}`piq``` quotes the book's assumed threshold for an instrument
  from the paper file, marked as an assumption (the abstract states none);
- ``{worked}`-65 / participants_completed | 2``` works out arithmetic on
  printed numbers when the page is built (``+ - * /``, brackets, whole or
  decimal numbers, and printed keys standing for their printed values), rounded
  half up to the places after ``|``, marked as fixed by the abstract.

Two more roles let a figure's caption describe each form of an interactive
chart: ``{live}`text``` is shown with the live chart and its sliders;
``{still}`text``` with the static drawing (before the live chart is drawn,
without JavaScript, in print and in the PDF), which shows the sliders'
starting values. ``cnslbp.css`` shows one or the other.

An unknown key is a build error naming the key, so a typo cannot print nothing.
"""

from __future__ import annotations

import ast
import html
import operator
from collections.abc import Callable
from fractions import Fraction
from functools import cache
from typing import Any

from docutils import nodes

from ...data.instruments import get_instrument
from ...paper.formatting import MINUS, format_number, parse_count_word
from ...paper.reconstruction import EnsembleSummary, load_summary
from ...paper.reported import get_reported
from ..provenance import Marks

__all__ = [
    "derived_role",
    "external_role",
    "live_role",
    "printed_role",
    "still_role",
    "threshold_role",
    "worked_out",
    "worked_role",
]

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


def threshold_role(  # noqa: PLR0917 (docutils calls roles with these seven positional arguments)
    name: str, rawtext: str, text: str, lineno: int, inliner: Any, options: Any = None, content: Any = None
) -> RoleResult:
    """``{threshold}`piq``` → the book's assumed PIQ threshold (7), marked as an assumption with its source."""
    key = text.strip()
    try:
        points = get_instrument(key).threshold
    except ValueError as error:
        return _failed(rawtext, inliner, lineno, f"{{threshold}}: {error}")
    shown = format_number(points, 0 if float(points).is_integer() else 1)
    return _marked(Marks(None).assumed(f"{key}_threshold", shown)._repr_html_()), []


_OPERATIONS: dict[type[ast.operator], tuple[str, int, Callable[[Fraction, Fraction], Fraction]]] = {
    ast.Add: ("+", 1, operator.add),
    ast.Sub: (MINUS, 1, operator.sub),
    ast.Mult: ("×", 2, operator.mul),
    ast.Div: ("÷", 2, operator.truediv),
}
_ATOM, _SIGNED = 4, 3  # how tightly a number binds, and a number with a sign (which needs brackets after − or +)
Operand = tuple[Fraction, str, int]  # exact value, how it reads, how tightly it binds


def _printed_operand(key: str) -> Operand:
    """A printed key stands for its printed value (a count printed in words, for its number)."""
    record = get_reported(key)  # ValueError naming the known keys when it is not one
    if record.value is not None:
        signed = record.printed[:1] in {MINUS, "+", "-"}
        return Fraction(record.value), record.printed, _SIGNED if signed else _ATOM
    if record.quantity == "participants":
        count = parse_count_word(record.printed)
        return Fraction(count), str(count), _ATOM
    raise ValueError(f"the printed value of {key!r} ({record.printed!r}) is not a number")


def _operand(node: ast.expr) -> Operand:
    """One operand of a worked expression, with brackets in its reading where the reading needs them."""
    match node:
        case ast.Constant(value=int() | float() as value) if not isinstance(value, bool):
            return Fraction(str(value)), f"{value:g}", _ATOM
        case ast.Name(id=key):
            return _printed_operand(key)
        case ast.UnaryOp(op=ast.USub(), operand=inner):
            inner_value, words, binds = _operand(inner)
            return -inner_value, f"{MINUS}{words if binds >= _SIGNED else f'({words})'}", _SIGNED
        case ast.BinOp(left=left, op=operation, right=right) if type(operation) in _OPERATIONS:
            symbol, binds, apply = _OPERATIONS[type(operation)]
            (a, a_words, a_binds), (b, b_words, b_binds) = _operand(left), _operand(right)
            if a_binds < binds:
                a_words = f"({a_words})"
            if b_binds < binds or b_binds == _SIGNED or (b_binds == binds and symbol in {MINUS, "÷"}):
                b_words = f"({b_words})"
            if symbol == "÷" and b == 0:
                raise ValueError("division by zero")
            return apply(a, b), f"{a_words} {symbol} {b_words}", binds
    raise ValueError(f"{ast.unparse(node)!r} is not arithmetic on numbers and printed keys")


def worked_out(text: str) -> tuple[str, str]:
    """``"EXPRESSION | PLACES"`` worked out: the value as the abstract would print it, and the sum in words.

    Parameters
    ----------
    text : str
        Arithmetic (``+ - * /``, brackets) on numbers and the keys of reported
        numbers (each standing for its printed value; the participant count for
        a count printed in words), then ``|`` and the decimal places to show.

    Returns
    -------
    tuple of str
        The value rounded half up (with a true minus), and the expression with
        each key replaced by its printed value.

    Raises
    ------
    ValueError
        Naming what is not allowed: anything but arithmetic, an unknown key, a
        missing or negative number of places.

    Examples
    --------
    >>> worked_out("100 * 11 / participants_completed | 2")
    ('78.57', '100 × 11 ÷ 14')
    >>> worked_out("psq_mean_change * participants_completed | 2")
    ('−64.96', '−4.64 × 14')
    """
    expression, bar, places = text.rpartition("|")
    if not bar or not places.strip().isdigit():
        raise ValueError(f"write the expression, then | and the decimal places to show (got {text!r})")
    normalised = expression.replace(MINUS, "-").replace("×", "*").replace("÷", "/")
    try:
        tree = ast.parse(normalised.strip(), mode="eval")
    except SyntaxError:
        raise ValueError(f"{expression.strip()!r} is not arithmetic") from None
    value, words, _ = _operand(tree.body)
    return format_number(float(value), int(places)), words


def worked_role(  # noqa: PLR0917 (docutils calls roles with these seven positional arguments)
    name: str, rawtext: str, text: str, lineno: int, inliner: Any, options: Any = None, content: Any = None
) -> RoleResult:
    """``{worked}`100 * 11 / participants_completed | 2``` → 78.57, marked as worked out from printed numbers."""
    try:
        shown, words = worked_out(text)
    except ValueError as error:
        return _failed(rawtext, inliner, lineno, f"{{worked}}: {error}")
    return _marked(Marks(None).from_abstract(shown, f"{words}, worked out from the printed numbers")._repr_html_()), []


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
