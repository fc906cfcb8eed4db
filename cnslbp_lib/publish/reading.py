"""Reading times measured from the built pages: the words a reader sees, at 200 words a minute.

A page's words are those in its article (the text between the theme's
``<article class="bd-article">`` and ``</article>``) that a reader sees or opens
while reading: prose, tables, figure captions, folded solutions and sections.
Not counted: code (a code cell's source, code blocks), scripts and styles,
hover tips (the marks' explanations, read on demand), the header links'
"#", and the reading-time line itself.

The site is built first and measured after: :func:`fill_reading_times` runs
when the build has finished, counts every page, and writes the minutes into
the placeholders the pages carry (a line under each chapter's title, and the
paths on the start page), so a time is never typed by hand and follows the
text. ``benchmarks/reading.py`` prints the same figures.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from ..data.files import write_text_atomically

__all__ = [
    "WORDS_PER_MINUTE",
    "PageReading",
    "fill_reading_times",
    "measure_site",
    "minutes",
    "visible_words",
]

WORDS_PER_MINUTE = 200
_SKIPPED_TAGS = {"script", "style", "pre", "code", "svg", "template", "noscript"}
_SKIPPED_CLASSES = {"cell_input", "cnslbp-tip", "headerlink", "cnslbp-reading", "cnslbp-minutes"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_WORD = re.compile(r"[^\W_](?:[\w.,'’%−-]*[\w%])?")
_ARTICLE = re.compile(r'<article class="bd-article"[^>]*>(.*?)</article>', re.DOTALL)
MINUTES_SPAN = re.compile(r'(<span class="cnslbp-minutes" data-page="(?P<page>[^"]+)">)[^<]*(</span>)')
READING_LINE = re.compile(r'(<p class="cnslbp-reading">)[^<]*(</p>)')


class _VisibleText(HTMLParser):
    """Collect text outside skipped elements (tracked by depth, so nesting inside them is skipped too)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._stack: list[bool] = []  # for each open element: is it (or an ancestor) skipped?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        skipped = (bool(self._stack) and self._stack[-1]) or tag in _SKIPPED_TAGS or bool(classes & _SKIPPED_CLASSES)
        self._stack.append(skipped)

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self._stack and self._stack[-1]):
            self.parts.append(data)


def visible_words(page_html: str) -> int:
    """The number of words a reader sees in a page's article (the whole text if it has no article).

    Examples
    --------
    >>> visible_words('<article class="bd-article"><h1>Title<a class="headerlink">#</a></h1>'
    ...               '<p>A mean of −25.0 (95% CI −32.8 to −17.2).</p><pre>t = 1</pre></article>')
    10
    """
    found = _ARTICLE.search(page_html)
    parser = _VisibleText()
    parser.feed(found.group(1) if found else page_html)
    parser.close()
    return len(_WORD.findall(" ".join(parser.parts)))


def minutes(words: int) -> int:
    """Reading time in whole minutes at :data:`WORDS_PER_MINUTE`, rounded up (at least one).

    Examples
    --------
    >>> minutes(200), minutes(201), minutes(0)
    (1, 2, 1)
    """
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


@dataclass(frozen=True)
class PageReading:
    """One built page: its name in the site (``book/bottom_line``), its visible words and minutes."""

    page: str
    words: int

    @property
    def minutes(self) -> int:
        """Minutes to read at :data:`WORDS_PER_MINUTE`."""
        return minutes(self.words)


def measure_site(site: Path, pages: Iterable[str]) -> list[PageReading]:
    """Count the visible words of each named page of a built site (``site/<page>.html``), in the order given."""
    return [PageReading(page, visible_words((site / f"{page}.html").read_text(encoding="utf-8"))) for page in pages]


def _minutes_words(count: int) -> str:
    return f"{count} minute" if count == 1 else f"{count} minutes"


def _filled(path: Path, text: str, reading: PageReading, readings: Mapping[str, PageReading]) -> str:
    def fill_span(match: re.Match[str]) -> str:
        page = match.group("page")
        if page not in readings:
            raise ValueError(f"{path}: a reading path names the page {page!r}, which is not in the book")
        return f"{match.group(1)}{_minutes_words(readings[page].minutes)}{match.group(3)}"

    line = f"About {_minutes_words(reading.minutes)} to read ({reading.words:,} words)"
    text = MINUTES_SPAN.sub(fill_span, text)
    return READING_LINE.sub(lambda match: f"{match.group(1)}{line}{match.group(2)}", text)


def fill_reading_times(site: Path, readings: Mapping[str, PageReading]) -> None:
    """Write each page's reading time into its reading line, and every page's into the path lists that name it.

    A path list names its pages in ``<span class="cnslbp-minutes" data-page="…">`` elements; a page
    not among ``readings`` is a build error naming it (a path that points nowhere must not print a time).
    """
    for reading in readings.values():
        path = site / f"{reading.page}.html"
        text = path.read_text(encoding="utf-8")
        filled = _filled(path, text, reading, readings)
        if filled != text:
            write_text_atomically(path, filled)
