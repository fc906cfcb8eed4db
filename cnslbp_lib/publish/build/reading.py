"""Reading times measured from the built pages: the words a reader sees, at 200 words a minute.

A page's words are those in its article (the text between the theme's
``<article class="bd-article">`` and ``</article>``) that a reader sees or opens
while reading: prose, tables, figure captions, folded solutions and sections.
Not counted: code (a code cell's source, code blocks), scripts and styles,
hover tips (the marks' explanations, read on demand), the header links'
"#", the reading-time line itself, and a self-check's list of reasons (its
question and choices count; a reader sees the reason for the answer they
chose, not all of them).

The site is built first and measured after: :func:`fill_reading_times` runs
when the build has finished, counts every page, and writes the minutes into
the placeholders the pages carry (a line under each chapter's title, and the
paths on the start page), so a time is never typed by hand and follows the
text. ``benchmarks/reading.py`` prints the same figures.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from ...data.files import write_text_atomically

__all__ = [
    "WORDS_PER_MINUTE",
    "PageReading",
    "fill_reading_times",
    "measure_site",
    "minutes",
    "stop_words",
    "visible_words",
]

WORDS_PER_MINUTE = 200
_SKIPPED_TAGS = {"script", "style", "pre", "code", "svg", "template", "noscript"}
_SKIPPED_CLASSES = {
    "cell_input",
    "cnslbp-tip",
    "headerlink",
    "cnslbp-reading",
    "cnslbp-minutes",
    "cnslbp-selfcheck__key",  # a self-check's reasons: a reader sees the one for the answer they chose
}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_WORD = re.compile(r"[^\W_]")  # a word: a run of text between spaces with at least one letter or digit
_ARTICLE = re.compile(r'<article class="bd-article"[^>]*>(.*?)</article>', re.DOTALL)
MINUTES_SPAN = re.compile(r'(<span class="cnslbp-minutes" data-page="(?P<page>[^"]+)">)[^<]*(</span>)')
READING_LINE = re.compile(r'(<p class="cnslbp-reading">)[^<]*(</p>)')


class _VisibleText(HTMLParser):
    """Collect text outside skipped elements (tracked by depth, so nesting inside them is skipped too).

    With ``section``, only the text inside the element with that id is collected.
    """

    def __init__(self, section: str | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.found = section is None
        self._section = section
        self._stack: list[bool] = []  # for each open element: is its text left out?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        named = dict(attrs)
        outside = bool(self._stack) and self._stack[-1]
        if self._section is not None and named.get("id") == self._section:
            outside, self.found = False, True
        elif self._section is not None and not self._stack:
            outside = True  # a top-level element that is not the section
        classes = set((named.get("class") or "").split())
        self._stack.append(outside or tag in _SKIPPED_TAGS or bool(classes & _SKIPPED_CLASSES))

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if (self._section is None and not self._stack) or (self._stack and not self._stack[-1]):
            self.parts.append(data)


def visible_words(page_html: str, section: str | None = None) -> int:
    """The number of words a reader sees in a page's article (the whole text if it has no article).

    With ``section``, only the words inside the element with that id (a section's label); a
    section the page does not have is an error naming it.

    Examples
    --------
    >>> page = ('<article class="bd-article"><section id="a"><h1>Title<a class="headerlink">#</a></h1>'
    ...         '<p>A mean of −25.0 (95% CI −32.8 to −17.2).</p><pre>t = 1</pre>'
    ...         '<section id="b"><h2>Next</h2><p>Two words.</p></section></section></article>')
    >>> visible_words(page), visible_words(page, section="b")
    (13, 3)
    """
    found = _ARTICLE.search(page_html)
    parser = _VisibleText(section)
    parser.feed(found.group(1) if found else page_html)
    parser.close()
    if not parser.found:
        raise ValueError(f"the page has no section with the id {section!r}")
    return sum(1 for token in " ".join(parser.parts).split() if _WORD.search(token))


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


def stop_words(site: Path, stop: str) -> int:
    """The visible words of one stop on a reader's path: a page (``book/bottom_line``) or one of its
    sections (``book/bottom_line#talking-to-a-patient``)."""
    page, _, section = stop.partition("#")
    path = site / f"{page}.html"
    if not path.exists():
        raise ValueError(f"a reading path names the page {page!r}, which the built site ({site}) does not have")
    try:
        return visible_words(path.read_text(encoding="utf-8"), section or None)
    except ValueError as error:
        raise ValueError(f"{path}: {error} (named by a reading path)") from None


def _minutes_words(count: int) -> str:
    return f"{count} minute" if count == 1 else f"{count} minutes"


def _filled(site: Path, text: str, reading: PageReading, stops: dict[str, int]) -> str:
    def fill_span(match: re.Match[str]) -> str:
        words = 0
        for stop in match.group("page").split():
            if stop not in stops:
                stops[stop] = stop_words(site, stop)
            words += stops[stop]
        return f"{match.group(1)}{_minutes_words(minutes(words))}{match.group(3)}"

    line = f"About {_minutes_words(reading.minutes)} to read ({reading.words:,} words)"
    text = MINUTES_SPAN.sub(fill_span, text)
    return READING_LINE.sub(lambda match: f"{match.group(1)}{line}{match.group(2)}", text)


def fill_reading_times(site: Path, pages: Iterable[str]) -> list[PageReading]:
    """Measure the named pages of a built site and write the times into them: each page's own reading
    line, and every ``<span class="cnslbp-minutes" data-page="…">`` (the time of the stops it names,
    space-separated, summed). A stop the site does not have is an error naming it.
    """
    readings = measure_site(site, pages)
    stops = {reading.page: reading.words for reading in readings}
    for reading in readings:
        path = site / f"{reading.page}.html"
        text = path.read_text(encoding="utf-8")
        filled = _filled(site, text, reading, stops)
        if filled != text:
            write_text_atomically(path, filled)
    return readings
