"""Self-checks: questions that answer back, written in one data file and placed by a directive.

A chapter places a self-check with one line (a Markdown cell of its own in a
notebook)::

    ```{self-check} primary-holm
    ```

and ``book/self_checks.yaml`` holds what it asks. Keeping every question in one
file keeps the chapters' prose apart from the questions about it, and lets a
test see them all at once. Each self-check is one of two kinds:

- ``choice``: a question, two or more choices (exactly one right), and for
  *every* choice the feedback a reader gets on picking it: why it is right, or
  why it is wrong;
- ``number``: a question with a numeric answer (a number, or arithmetic on
  printed numbers as ``{worked}`` takes it), a ``tolerance`` within which an
  answer is right, a wider ``close`` band, feedback for a right, a close and a
  wrong answer, and optional ``mistakes``: values a reader is likely to give
  for a known wrong reason (a sign slip, say), each with its own feedback.

Every text is MyST inline markup, so a number about the study is quoted with
its mark (``{printed}`piq_ci_low```), a threshold with its mark as an
assumption (``{threshold}`piq```) and arithmetic on printed numbers is worked
out when the page is built (``{worked}`-65 / 14 | 2```); see
:mod:`cnslbp_lib.publish.build.roles`.

The page is plain HTML with native form controls: a ``fieldset`` whose
``legend`` is the question, radio buttons or a text field with their labels, a
button, and a live region (``role="status"``) where the feedback appears. The
small script ``book/_static/cnslbp-selfcheck.js`` (loaded only on pages with a
self-check; no network) gives the feedback. Without JavaScript the button stays
hidden, a ``noscript`` note says what the check needs, and the feedback on every
choice (or the right, close and wrong feedback) waits in a ``details`` element
below it, so a reader can still check an answer. The HTML depends only on the file's
content: the same file gives the same bytes.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from docutils import nodes
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from ...data.source import PROJECT_ROOT
from ...data.yaml_file import parse_yaml, read_text
from ...exceptions import SelfCheckFileError
from ...paper.formatting import MINUS
from .roles import worked_out

__all__ = [
    "SCRIPT",
    "SELF_CHECKS_FILE",
    "Choice",
    "ChoiceCheck",
    "HtmlElement",
    "Mistake",
    "NumberCheck",
    "NumberFeedback",
    "SelfCheck",
    "SelfCheckDirective",
    "SelfCheckFile",
    "load_self_checks",
    "setup",
]

SELF_CHECKS_FILE = PROJECT_ROOT / "book" / "self_checks.yaml"
SCRIPT = "cnslbp-selfcheck.js"
CLASS = "cnslbp-selfcheck"
LETTERS = "ABCDEFGH"

_ID_PATTERN, _ID_WORDS = r"^[a-z][a-z0-9-]*$", "a lower-case identifier (letters, digits, hyphens)"
Text = Annotated[str, Field(min_length=1, description="MyST inline markup (roles such as {printed} work)")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Choice(_Strict):
    """One answer of a multiple-choice self-check, and why it is right or wrong."""

    text: Text
    feedback: Text = Field(description="why this choice is right, or why it is wrong")
    correct: bool = False


class ChoiceCheck(_Strict):
    """A multiple-choice self-check: one right answer, feedback on every choice."""

    id: str = Field(pattern=_ID_PATTERN, description=_ID_WORDS)
    kind: Literal["choice"]
    context: str = Field(default="", description="what the reader needs before the question (a paragraph)")
    question: Text
    choices: list[Choice] = Field(min_length=2, max_length=len(LETTERS))

    @model_validator(mode="after")
    def _one_right_answer(self) -> ChoiceCheck:
        right = sum(choice.correct for choice in self.choices)
        if right != 1:
            raise ValueError(f"exactly one choice must be correct: true (this one has {right})")
        return self


class NumberFeedback(_Strict):
    """What a reader is told for a right, a close and a wrong numeric answer."""

    right: Text
    close: Text
    wrong: Text


class Mistake(_Strict):
    """A wrong answer a reader is likely to give for a known reason, and what to tell them."""

    answer: float
    feedback: Text


class NumberCheck(_Strict):
    """A numeric self-check: right within ``tolerance`` of ``answer``, close within ``close``."""

    id: str = Field(pattern=_ID_PATTERN, description=_ID_WORDS)
    kind: Literal["number"]
    context: str = ""
    question: Text
    unit: str = Field(default="", description="what the answer counts, shown with the answer field")
    answer: float = Field(
        description="the right answer: a number, or arithmetic on printed numbers as the {worked} role takes it "
        "('psq_mean_change * participants_completed | 0'), so that no number about the study is typed by hand"
    )
    tolerance: float = Field(ge=0, description="an answer this near the right one is right")
    close: float = Field(ge=0, description="an answer this near (but not right) is close")
    feedback: NumberFeedback
    mistakes: list[Mistake] = Field(default_factory=list)

    @field_validator("answer", mode="before")
    @classmethod
    def _worked_answer(cls, value: object) -> object:
        if isinstance(value, str):
            return float(worked_out(value)[0].replace(MINUS, "-"))
        return value

    @model_validator(mode="after")
    def _bands_nest(self) -> NumberCheck:
        if self.close < self.tolerance:
            raise ValueError(f"close ({self.close:g}) must be at least the tolerance ({self.tolerance:g})")
        for mistake in self.mistakes:
            if abs(mistake.answer - self.answer) <= self.tolerance:
                raise ValueError(f"a mistake's answer ({mistake.answer:g}) must not be a right answer")
        return self


SelfCheck = Annotated[ChoiceCheck | NumberCheck, Field(discriminator="kind")]


class SelfCheckFile(_Strict):
    """The book's self-checks, in the order a reader meets them."""

    self_checks: list[SelfCheck] = Field(min_length=1)

    @field_validator("self_checks")
    @classmethod
    def _unique_ids(cls, checks: list[ChoiceCheck | NumberCheck]) -> list[ChoiceCheck | NumberCheck]:
        first: dict[str, int] = {}
        for index, check in enumerate(checks):
            if check.id in first:
                raise ValueError(f"the id {check.id!r} is used twice ([{first[check.id]}] and [{index}])")
            first[check.id] = index
        return checks


def _location(error: Any, content: object) -> str:
    """Where a problem is, as a reader of the file looks for it: the check's id (when it has one) and the key path."""
    parts: list[str] = []
    for part in error.get("loc", ()):
        if isinstance(part, int):
            parts[-1:] = [f"{parts[-1]}[{part}]"] if parts else [f"[{part}]"]
        elif part not in ("choice", "number"):  # the union's tag is not a key of the file
            parts.append(str(part))
    where = ".".join(parts) or "(the whole file)"
    match error.get("loc", ()), content:
        case ("self_checks", int(index), *_), {"self_checks": [*checks]} if isinstance(checks[index], dict):
            if isinstance(checks[index].get("id"), str):
                return f"self-check {checks[index]['id']!r} ({where})"
    return where


def load_self_checks(path: str | Path = SELF_CHECKS_FILE) -> dict[str, ChoiceCheck | NumberCheck]:
    """Read and validate a self-check file; the checks by id, in the file's order.

    Raises
    ------
    SelfCheckFileError
        Naming the file and, for each problem, its key path and rule (every
        problem at once), or the line and column of a YAML syntax error.

    Examples
    --------
    >>> checks = load_self_checks()
    >>> len(checks) >= 10
    True
    """
    source = Path(path)
    return _parsed(source, read_text(source, SelfCheckFileError))


@cache
def _parsed(source: Path, text: str) -> dict[str, ChoiceCheck | NumberCheck]:
    content = parse_yaml(text, source, SelfCheckFileError)
    try:
        checks = SelfCheckFile.model_validate(content).self_checks
    except ValidationError as error:
        lines = [
            f"{source}: {_location(item, content)}: {str(item['msg']).removeprefix('Value error, ')}"
            for item in error.errors()
        ]
        raise SelfCheckFileError("\n".join(lines)) from None
    return {check.id: check for check in checks}


# --- HTML -----------------------------------------------------------------------------------------
class HtmlElement(nodes.TextElement):  # type: ignore[misc]  # docutils carries no type information
    """One HTML element of a self-check: ``tag``, its ``html_attributes`` in order, and children.

    A text element, so that Sphinx's smart quotes reach the questions' text. A
    ``void`` element (``input``) has no children and no end tag. Other writers
    than HTML show only the text inside.
    """


def _attributes(pairs: Sequence[tuple[str, str | None]]) -> str:
    return "".join(f" {name}" if value is None else f' {name}="{html.escape(value)}"' for name, value in pairs)


def _visit_html(self: Any, node: HtmlElement) -> None:
    self.body.append(f"<{node['tag']}{_attributes(node['html_attributes'])}>")
    if node.get("void"):
        raise nodes.SkipNode


def _depart_html(self: Any, node: HtmlElement) -> None:
    self.body.append(f"</{node['tag']}>")
    if node["tag"] in {"div", "fieldset", "ul", "details", "li", "p", "legend", "summary"}:
        self.body.append("\n")


def _visit_text_only(self: Any, node: HtmlElement) -> None:
    if node.get("void"):
        raise nodes.SkipNode


def _depart_text_only(self: Any, node: HtmlElement) -> None:
    pass


def _element(tag: str, *children: nodes.Node | str, **attributes: str | None) -> HtmlElement:
    """``_element("label", "A.", for_="x")``: a trailing ``_`` lets a Python keyword name an attribute."""
    pairs = [(name.rstrip("_").replace("_", "-"), value) for name, value in attributes.items()]
    parts = [nodes.Text(child) if isinstance(child, str) else child for child in children]
    return HtmlElement("", "", *parts, tag=tag, html_attributes=pairs, void=False)


def _input(**attributes: str | None) -> HtmlElement:
    """An ``input`` element: no children, no end tag."""
    element = _element("input", **attributes)
    element["void"] = True
    return element


Parse = Callable[[str], list[nodes.Node]]


def _number_text(value: float) -> str:
    """A number for a data attribute: as short as it is exact (``-65``, ``0.5``), whatever its type."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _frame(check: ChoiceCheck | NumberCheck, parse: Parse, controls: list[HtmlElement]) -> list[HtmlElement]:
    """What every self-check has: its title, context, the question around its controls, the button,
    the note for a page without JavaScript and the live region."""
    base = f"selfcheck-{check.id}"
    parts = [_element("p", "Check yourself", class_=f"{CLASS}__title")]
    if check.context:
        parts.append(_element("p", *parse(check.context), class_=f"{CLASS}__context"))
    parts.append(
        _element("fieldset", _element("legend", *parse(check.question)), *controls, class_=f"{CLASS}__question")
    )
    parts.append(_element("button", "Check my answer", type="button", class_=f"{CLASS}__check", hidden=None))
    key = "Why each answer is right or wrong" if check.kind == "choice" else "The answer, and why"
    doing = "choose an answer" if check.kind == "choice" else "work out your answer"
    note = f"This check needs JavaScript to answer back. Without it, {doing} and compare it with “{key}” below."
    # shown by the browser itself when scripts are off (and not counted as words a reader with scripts reads)
    parts.append(_element("noscript", _element("p", note, class_=f"{CLASS}__needs-js")))
    parts.append(_element("div", class_=f"{CLASS}__feedback", id=f"{base}-feedback", role="status", aria_live="polite"))
    return parts


def _reason(verdict: str, feedback: list[nodes.Node], **attributes: str) -> HtmlElement:
    return _element(
        "li",
        _element("strong", verdict, class_=f"{CLASS}__verdict"),
        " ",
        _element("span", *feedback, class_=f"{CLASS}__why"),
        **attributes,
    )


def _choice_check(check: ChoiceCheck, parse: Parse) -> HtmlElement:
    base = f"selfcheck-{check.id}"
    controls, reasons = [], []
    for letter, choice in zip(LETTERS, check.choices, strict=False):
        choice_id = f"{base}-{letter.lower()}"
        radio = _input(type="radio", name=base, id=choice_id, value=letter.lower())
        label = _element("label", _element("span", f"{letter}.", class_=f"{CLASS}__letter"), " ", for_=choice_id)
        label.extend(parse(choice.text))
        controls.append(_element("div", radio, label, class_=f"{CLASS}__choice"))
        verdict = "right" if choice.correct else "wrong"
        words = f"{letter}: {'right' if choice.correct else 'not right'}."
        reasons.append(_reason(words, parse(choice.feedback), id=f"{choice_id}-why", data_verdict=verdict))
    key = _element(
        "details",
        _element("summary", "Why each answer is right or wrong"),
        _element("ul", *reasons),
        class_=f"{CLASS}__key",
    )
    return _element("div", *_frame(check, parse, controls), key, class_=CLASS, id=base, data_kind="choice")


def _number_check(check: NumberCheck, parse: Parse) -> HtmlElement:
    base = f"selfcheck-{check.id}"
    field_id = f"{base}-answer"
    label = "Your answer" + (f" ({check.unit})" if check.unit else "")
    field = _input(
        type="text",
        inputmode="decimal",
        id=field_id,
        name=field_id,
        autocomplete="off",
        spellcheck="false",
        data_answer=_number_text(check.answer),
        data_tolerance=_number_text(check.tolerance),
        data_close=_number_text(check.close),
    )
    controls = [_element("div", _element("label", label, for_=field_id), field, class_=f"{CLASS}__number")]
    reasons = [
        _reason("Right:", parse(check.feedback.right), id=f"{base}-right", data_verdict="right"),
        _reason("Close, but not right:", parse(check.feedback.close), id=f"{base}-close", data_verdict="close"),
    ]
    reasons += [
        _reason(
            "A common slip:",
            parse(mistake.feedback),
            id=f"{base}-slip-{number}",
            data_verdict="wrong",
            data_value=_number_text(mistake.answer),
        )
        for number, mistake in enumerate(check.mistakes, start=1)
    ]
    reasons.append(_reason("Further off:", parse(check.feedback.wrong), id=f"{base}-wrong", data_verdict="wrong"))
    key = _element(
        "details", _element("summary", "The answer, and why"), _element("ul", *reasons), class_=f"{CLASS}__key"
    )
    return _element("div", *_frame(check, parse, controls), key, class_=CLASS, id=base, data_kind="number")


def render(check: ChoiceCheck | NumberCheck, parse: Parse) -> HtmlElement:
    """The self-check as a tree of :class:`HtmlElement`; ``parse`` turns MyST inline text into nodes."""
    return _choice_check(check, parse) if isinstance(check, ChoiceCheck) else _number_check(check, parse)


class SelfCheckDirective(SphinxDirective):
    """``{self-check} ID``: the self-check ``ID`` of the book's self-check file, placed here.

    The file is ``cnslbp_self_checks`` in the Sphinx configuration (by default
    ``book/self_checks.yaml``); an unknown id or a bad file is a build error
    naming the file, the id and the rule.
    """

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        path = Path(self.config.cnslbp_self_checks or SELF_CHECKS_FILE)
        self.env.note_dependency(str(path))
        try:
            checks = load_self_checks(path)
        except SelfCheckFileError as error:
            raise self.error(str(error)) from None
        wanted = self.arguments[0]
        if wanted not in checks:
            raise self.error(f"{path}: no self-check has the id {wanted!r} (the file has: {', '.join(checks)})")
        messages: list[nodes.Node] = []

        def parse(text: str) -> list[nodes.Node]:
            parsed, problems = self.state.inline_text(" ".join(text.split()), self.lineno)
            messages.extend(problems)
            return list(parsed)

        return [render(checks[wanted], parse), *messages]


def _add_script(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """The self-checks' script, only on the pages that have one (before the site defers every script)."""
    if doctree is not None and any(doctree.findall(HtmlElement)):
        app.add_js_file(SCRIPT)


def setup(app: Sphinx) -> dict[str, Any]:
    text_only = (_visit_text_only, _depart_text_only)
    app.add_config_value("cnslbp_self_checks", "", "env", types=[str])
    app.add_node(
        HtmlElement, html=(_visit_html, _depart_html), latex=text_only, text=text_only, man=text_only, texinfo=text_only
    )
    app.add_directive("self-check", SelfCheckDirective)
    app.connect("html-page-context", _add_script, priority=800)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
