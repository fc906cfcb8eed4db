"""What each page carries besides its content: a description, one stylesheet bundle, a cut-down icon font.

Helpers of the Sphinx extension in :mod:`cnslbp_lib.publish.build.site`, which wires
them to Sphinx's events.
"""

from __future__ import annotations

import html
import importlib.util
import os
import re
import threading
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, cast

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

__all__ = [
    "ICON_FONT",
    "ICON_SUBSET",
    "STACK_CLASS",
    "STYLES",
    "bundled",
    "icon_codepoints",
    "page_description",
    "phone_tables",
    "subset_icon_font",
]

DESCRIPTION_LENGTH = 160
logger = logging.getLogger(__name__)


class _VisibleText(HTMLParser):
    """The text of an HTML fragment as a reader sees it: without the number checks' tooltips."""

    HIDDEN = ("cnslbp-tip", "visually-hidden")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden_depth = 0
        self._stack: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        hidden = any(name in classes for name in self.HIDDEN)
        if tag not in ("br", "img", "input", "meta", "link", "hr", "wbr"):
            self._stack.append(hidden)
            self._hidden_depth += hidden

    def handle_endtag(self, tag: str) -> None:
        if self._stack:
            self._hidden_depth -= self._stack.pop()

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.parts.append(data)


def _plain_text(node: nodes.Node) -> str:
    parts: list[str] = []

    def walk(item: nodes.Node) -> None:
        if isinstance(item, nodes.raw):
            if "html" in item.get("format", "").split():
                parser = _VisibleText()
                parser.feed(item.astext())
                parts.append("".join(parser.parts))
        elif isinstance(item, nodes.Text):
            parts.append(str(item))
        else:
            for child in item.children:
                walk(child)

    walk(node)
    return " ".join("".join(parts).split())


def _outside_boxes(paragraph: nodes.paragraph) -> bool:
    parent = paragraph.parent
    while parent is not None:
        if isinstance(parent, (nodes.Admonition, nodes.citation, nodes.figure, nodes.table, nodes.container)):
            return False
        parent = parent.parent
    return True


def page_description(doctree: nodes.document | None, fallback: str) -> str:
    """The page's Overview paragraph (or its first paragraph of prose), shortened to fit a search result."""
    text = ""
    if doctree is not None:
        overview = next((s for s in doctree.findall(nodes.section) if "overview" in s["ids"]), None)
        paragraphs = list((overview or doctree).findall(nodes.paragraph))
        first = next((p for p in paragraphs if _outside_boxes(p) and _plain_text(p)), None)
        text = _plain_text(first) if first is not None else ""
    text = text or fallback
    if len(text) <= DESCRIPTION_LENGTH:
        return text
    cut = text[: DESCRIPTION_LENGTH - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


# --- tables on a phone ----------------------------------------------------------------------------
STACK_CLASS = "cnslbp-stack"
STACK_COLUMNS = 4  # from this many columns a table of words is wider than a phone's column
_TABLE = re.compile(r"<table\b[^>]*>.*?</table>", re.S)
_HEAD = re.compile(r"<thead\b[^>]*>(.*?)</thead>", re.S)
_BODY = re.compile(r"<tbody\b[^>]*>(.*?)</tbody>", re.S)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S)
_CELL = re.compile(r"<t[dh]\b")
_SPAN = re.compile(r"<t[dh]\b[^>]*\b(?:colspan|rowspan)=")


def _visible_text(fragment: str) -> str:
    parser = _VisibleText()
    parser.feed(fragment)
    return " ".join("".join(parser.parts).split())


def _cells(row: str) -> list[str]:
    starts = [match.start() for match in _CELL.finditer(row)]
    return [row[start:end] for start, end in zip(starts, [*starts[1:], len(row)], strict=True)]


def _stacked(table: str) -> str:
    head, body = _HEAD.search(table), _BODY.search(table)
    if head is None or body is None or _SPAN.search(table):
        return table
    header_rows = _ROW.findall(head.group(1))
    labels = [_visible_text(cell) for cell in _cells(header_rows[-1])] if header_rows else []
    rows = [_cells(row) for row in _ROW.findall(body.group(1))]
    if len(labels) < STACK_COLUMNS or any(len(cells) != len(labels) for cells in rows):
        return table
    # a grid of short values (numbers, codes) reads best as a grid: it scrolls, with a cue (cnslbp.css)
    if all(len(_visible_text(cell).split()) <= 2 for cells in rows for cell in cells[1:]):
        return table

    def labelled(row: re.Match[str]) -> str:
        inner = row.group(1)
        cells = _cells(inner)
        # each cell's tag is "<td" or "<th": its column's header goes right after it
        pairs = zip(cells, labels, strict=True)
        named = "".join(f'{cell[:3]} data-label="{html.escape(label)}"{cell[3:]}' for cell, label in pairs)
        start, end = row.start(1) - row.start(0), row.end(1) - row.start(0)
        return row.group(0)[:start] + inner[: inner.find(cells[0])] + named + row.group(0)[end:]

    stacked_body = _ROW.sub(labelled, body.group(1))
    table = table[: body.start(1)] + stacked_body + table[body.end(1) :]
    opening = re.match(r"<table\b[^>]*>", table)
    assert opening is not None
    tag = opening.group(0)
    if 'class="' in tag:
        tag = tag.replace('class="', f'class="{STACK_CLASS} ', 1)
    else:
        tag = tag[:-1] + f' class="{STACK_CLASS}">'
    return tag + table[opening.end() :]


def phone_tables(body: str) -> str:
    """Tables of words with four or more columns, marked to stack on a phone (cnslbp.css).

    Each row becomes a block: its first cell as the row's name, every other
    cell on a line of its own after its column's header (``data-label``), so
    no column is ever out of sight. Tables of short values (every cell after
    the first at most two words) stay grids, which scroll with a visible cue;
    so do tables without a header row or with merged cells.

    Examples
    --------
    >>> head = "<thead><tr><th>Name</th><th>Mean</th><th>CI</th><th>Verdict</th></tr></thead>"
    >>> row = "<tr><td>PIQ</td><td>-18.79</td><td>-29.87 to -7.70</td><td>agrees</td></tr>"
    >>> stacked = phone_tables(f'<table class="x">{head}<tbody>{row}</tbody></table>')
    >>> stacked.startswith('<table class="cnslbp-stack x">')
    True
    >>> re.findall(r'<td data-label="([^"]*)">([^<]*)', stacked)
    [('Name', 'PIQ'), ('Mean', '-18.79'), ('CI', '-29.87 to -7.70'), ('Verdict', 'agrees')]
    >>> grid = f"<table>{head}<tbody>{row.replace(' to -7.70', '')}</tbody></table>"
    >>> phone_tables(grid) == grid
    True
    """
    return _TABLE.sub(lambda match: _stacked(match.group(0)), body)


# --- page assets ----------------------------------------------------------------------------------


STYLES = "_static/cnslbp-styles.css"
_BUNDLE_LOCK = threading.Lock()


def _stylesheet_source(app: Sphinx, filename: str) -> Path | None:
    """Where a local stylesheet's content is: in the output, or (for the two that their extensions
    copy only when the build finishes) in the extension's package."""
    built = Path(app.outdir) / filename
    if built.is_file():
        return built
    name = Path(filename).name
    if re.fullmatch(r"mystnb\.[0-9a-f]{64}\.css", name):
        return _package_folder("myst_nb") / "static" / "mystnb.css"
    if name == "exercise.css":
        return _package_folder("sphinx_exercise") / "assets" / "html" / "exercise.css"
    return None


def _package_folder(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None, name
    return Path(spec.origin).parent


def _bundleable(app: Sphinx, sheet: Any) -> bool:
    filename = os.fspath(sheet.filename)
    plain = set(sheet.attributes) <= {"rel", "type"} and sheet.attributes.get("rel") == "stylesheet"
    local = "://" not in filename and "?" not in filename and _stylesheet_source(app, filename) is not None
    # pydata-sphinx-theme rewrites pygments.css (its light and dark code colours) only when the build
    # finishes, after every page is written: it keeps a link of its own
    written_late = Path(filename).name == "pygments.css"
    return plain and local and not written_late and "sphinx-design" not in filename and filename != STYLES


def _relocated(css: str, source: str) -> str:
    """A stylesheet's relative url(...)s, rewritten for its new place in the bundle."""
    base = Path(source).parent

    def rewrite(match: re.Match[str]) -> str:
        target = match.group(2)
        if re.match(r"^(data:|/|#|[a-z]+:)", target):
            return match.group(0)
        moved = os.path.relpath(base / target, Path(STYLES).parent)
        return f"url({match.group(1)}{moved}{match.group(1)})"

    return re.sub(r"url\((['\"]?)([^'\")]+)\1\)", rewrite, css)


def bundled(app: Sphinx, sheets: list[Any]) -> list[Any]:
    """The page's small stylesheets (extensions' and the book's) as one file: one request, not eight.

    The bundle holds the sheets of the first page written, in order (Sphinx gives
    every page the same list), so it is one file for the whole site; a sheet
    that only some page adds stays a link of its own, as do the theme's two big
    sheets (linked by the layout before these).
    """
    from sphinx.builders.html._assets import _CascadingStyleSheet  # noqa: PLC0415

    with _BUNDLE_LOCK:
        members: list[str] | None = getattr(app, "cnslbp_styles", None)
        if members is None:
            members = [os.fspath(sheet.filename) for sheet in sheets if _bundleable(app, sheet)]
            parts = []
            for name in members:
                css = cast(Path, _stylesheet_source(app, name)).read_text(encoding="utf-8")
                css = re.sub(r'@charset "[^"]*";\s*', "", css)
                parts.append(f"/* {name} */\n{_relocated(css, name)}\n")
            target = Path(app.outdir) / STYLES
            target.write_text('@charset "UTF-8";\n' + "".join(parts), encoding="utf-8")
            app.cnslbp_styles = members  # type: ignore[attr-defined]
    out, placed = [], False
    for sheet in sheets:
        if os.fspath(sheet.filename) in members:
            if not placed:
                out.append(_CascadingStyleSheet(STYLES, priority=sheet.priority))
                placed = True
        else:
            out.append(sheet)
    return out


ICON_FONT = "_static/vendor/fontawesome/webfonts/fa-solid-900.ttf"
ICON_SUBSET = "_static/cnslbp-icons/fa-solid-900.woff"
_ICON_RULES = re.compile(r'((?:\.fa-[\w-]+::?before,?)+)\{content:"\\([0-9a-f]{4,5})"\}')
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def icon_codepoints(site: Path) -> set[int]:
    """Every Font Awesome glyph the built site can show.

    The icons named by class in the pages (and in the theme's scripts, which add
    a few), and every glyph the stylesheets draw themselves (admonition titles,
    exercise titles, the contents toggle), whether written as a CSS escape or as
    the character itself.
    """
    theme = (site / "_static" / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    icons = {
        name: int(code, 16)
        for names, code in _ICON_RULES.findall(theme)
        for name in re.findall(r"\.(fa-[\w-]+)", names)
    }
    drawn = "".join(  # every stylesheet, without its table of icon classes
        _ICON_RULES.sub("", sheet.read_text(encoding="utf-8"))
        for sheet in (site / "_static").rglob("*.css")
        if "vendor" not in sheet.parts
    )
    codepoints = {int(code, 16) for code in re.findall(r'"\\([0-9a-f]{4,5})"', drawn)}
    codepoints |= {ord(character) for character in _PRIVATE_USE.findall(drawn)}
    named: set[str] = set()
    scripts: set[Path] = set()
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        named |= {name for value in re.findall(r'class="([^"]*)"', text) for name in value.split()}
        codepoints |= {ord(character) for character in _PRIVATE_USE.findall(text)}
        scripts |= {(page.parent / source).resolve() for source in re.findall(r'<script[^>]*\bsrc="([^"?]+)', text)}
    for script in scripts:  # the scripts the pages load (the theme's add an icon or two)
        if script.is_file() and "mathjax" not in script.parts:
            named |= set(re.findall(r"fa-[\w-]+", script.read_text(encoding="utf-8", errors="ignore")))
    return codepoints | {icons[name] for name in named if name in icons}


def subset_icon_font(app: Sphinx, exception: Exception | None) -> None:
    """The icon font cut to the glyphs the site shows (cnslbp-icons.css points the theme's icons at it).

    The theme's full solid icon font is 157 kB, fetched by every page before its
    first paint; the site uses about twenty icons.
    """
    if exception is not None or app.builder.format != "html":
        return
    from fontTools import subset  # type: ignore[import-untyped]  # noqa: PLC0415 (only needed here)
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # noqa: PLC0415

    source, target = Path(app.outdir) / ICON_FONT, Path(app.outdir) / ICON_SUBSET
    if not source.is_file():
        logger.warning("cnslbp: the theme's icon font %s is missing; icons will not show", ICON_FONT)
        return
    font = TTFont(source)
    options = subset.Options()
    options.flavor = "woff"  # woff2 would need brotli, which is not installed; woff is zlib
    options.layout_features = ["*"]
    cutter = subset.Subsetter(options)
    cutter.populate(unicodes=sorted(icon_codepoints(Path(app.outdir))))
    cutter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(target)
