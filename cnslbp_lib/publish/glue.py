"""The only module that calls ``myst_nb.glue``: every value a chapter's prose quotes passes through here.

Chapters glue exactly the keys their text uses, and a test checks, chapter by
chapter, that glued keys and ``{glue}`` references match in both directions.
Keys are either a reported number's registry key (:func:`checked`,
:func:`printed`) or ``<prefix>_<field>`` of a words object from
:mod:`cnslbp_lib.publish.words` (:func:`fields`), so every key names a field
that can be found.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from IPython.display import Markdown
from myst_nb import glue as _glue

from .provenance import Marks
from .study import Study

__all__ = ["Html", "Text", "checked", "fields", "html", "markdown", "number", "printed", "text"]


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


def fields(words: Any, *names: str) -> None:
    """Glue the named fields of a words object as ``<prefix>_<field>``.

    Raises
    ------
    ValueError
        If a name is not a field of ``words``, naming the fields it has.
    """
    known = [field.name for field in dataclasses.fields(words) if field.name != "prefix"]
    for name in names:
        if name not in known:
            raise ValueError(f"{type(words).__name__} has no field {name!r}; fields are {', '.join(known)}")
        value = getattr(words, name)
        # plain text is glued as text; ranged numbers and intervals keep their HTML
        _glue(f"{words.prefix}_{name}", Text(value) if isinstance(value, str) else value, display=False)


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
