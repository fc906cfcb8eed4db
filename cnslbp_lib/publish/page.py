"""What one chapter shows, as its text module builds it: checked numbers, glued values, sentences, tables, charts.

Each chapter of the book has one text module in :mod:`cnslbp_lib.publish.chapters`
whose ``page(study)`` returns a :class:`Page`. The chapter's setup cell is
``page = <chapter>.page(study)`` then ``page.glue()``, and its display cells show
``page.shown[name]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import glue
from .myst import REPORTED_KEYS, quoted_keys
from .study import Study

__all__ = ["Page"]


@dataclass(frozen=True, eq=False)
class Page:
    """What one chapter shows: reported numbers checked in place, glued values and sentences, tables and charts.

    ``values`` are glued as they are (plain text, or numbers that carry their
    spread); ``sentences`` are MyST Markdown pasted with ``{glue:md}`key:myst```,
    whose own ``{glue}`` roles quote reported numbers (glued as checks) or values.
    Every key is written out where the chapter's text module builds the page, so
    a search for a key the chapter quotes finds where its value comes from.
    """

    study: Study
    checked: tuple[str, ...] = ()
    printed: tuple[str, ...] = ()
    values: dict[str, Any] = field(default_factory=dict)
    markdown: dict[str, str] = field(default_factory=dict)
    sentences: dict[str, str] = field(default_factory=dict)
    shown: dict[str, Any] = field(default_factory=dict)

    @property
    def checks(self) -> tuple[str, ...]:
        """Every reported number the page checks in place, its own and those its sentences quote."""
        quoted = [key for sentence in self.sentences.values() for key in quoted_keys(sentence) if key in REPORTED_KEYS]
        return tuple(dict.fromkeys([*self.checked, *quoted]))

    def glue(self) -> None:
        """Glue every value of the page under its key (what the chapter's ``{glue}`` roles quote)."""
        glue.checked(self.study, *self.checks)
        glue.printed(*self.printed)
        for key, value in self.values.items():
            glue.number(key, value)
        for key, markdown in (self.markdown | self.sentences).items():
            glue.markdown(key, markdown)
