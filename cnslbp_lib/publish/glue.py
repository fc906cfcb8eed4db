"""The only module that calls ``myst_nb.glue``: every value a chapter's prose quotes passes through here.

Chapters glue exactly the keys their text uses, and a test checks, chapter by
chapter, that glued keys and ``{glue}`` references match in both directions.
A value's key is written out where its chapter's text module builds the page
(``publish/chapters/<chapter>.py``); a reported number is glued under its
registry key as an in-place check (:func:`checked`) and, as the abstract prints
it, under ``<key>_printed`` (:func:`printed`).
"""

from __future__ import annotations

from IPython.display import Markdown
from myst_nb import glue as _glue

from .provenance import Marks
from .study import Study

__all__ = ["Html", "Text", "checked", "html", "markdown", "number", "printed", "text"]


class Text(str):
    """Glued prose: its plain-text form is the text itself, without the quotes of ``repr``."""

    def __repr__(self) -> str:
        return str(self)


class Html:
    """Glued inline HTML with its own plain-text form (what the page's text and the tests read)."""

    def __init__(self, markup: str, text: str) -> None:
        self.markup, self.text = markup, text

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return self.text


def checked(study: Study, *keys: str) -> None:
    """Glue reported numbers under their registry keys, each as an in-place check."""
    for key in keys:
        _glue(key, study.checked(key), display=False)


def printed(*keys: str) -> None:
    """Glue reported numbers as the abstract prints them, marked as printed, as ``<key>_printed``."""
    for key in keys:
        _glue(f"{key}_printed", Marks(None).printed(key), display=False)


def number(key: str, value: object) -> None:
    """Glue a number object (a ranged number, say) under ``key``, keeping its HTML."""
    _glue(key, Text(value) if isinstance(value, str) else value, display=False)


def text(key: str, value: str) -> None:
    """Glue one computed phrase or number under ``key``."""
    _glue(key, Text(value), display=False)


def markdown(key: str, value: str) -> None:
    """Glue MyST Markdown for a ``{glue:md}`` directive (tables, citations)."""
    _glue(key, Markdown(value), display=False)


def html(key: str, markup: str, text: str) -> None:
    """Glue inline HTML (a hash in ``<code>`` that may break anywhere, say) with its plain-text form."""
    _glue(key, Html(markup, text), display=False)
