"""The built website (reconstructed data): complete, self-contained, every number checked in place."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import cnslbp_lib as cl

from .conftest import ROOT

CHAPTER_OF = {
    "participants_completed": "design",
    "missing_data": "design",
    "association_direction": "association",
    **{record.key: "primary_outcomes" for record in cl.REPORTED if record.instrument in ("piq", "pseq")},
    **{record.key: "secondary_outcomes" for record in cl.REPORTED if record.instrument == "psq"},
}


class Assets(HTMLParser):
    """Collect every URL a page would fetch by itself: scripts, stylesheets, images, frames, preloads."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in {"script", "img", "iframe", "source", "audio", "video"} and values.get("src"):
            self.urls.append(values["src"] or "")
        if tag == "link" and values.get("href"):
            self.urls.append(values["href"] or "")


def pages(site):
    return sorted(site.rglob("*.html"))


def test_every_chapter_of_the_toc_is_built(reconstruction_site):
    names = re.findall(r"(?:file|root): book/(\w+)", (ROOT / "_toc.yml").read_text(encoding="utf-8"))
    for name in names:
        assert (reconstruction_site / "book" / f"{name}.html").exists(), name


def test_no_page_loads_anything_from_another_host(reconstruction_site):
    for page in pages(reconstruction_site):
        parser = Assets()
        parser.feed(page.read_text(encoding="utf-8"))
        outside = [url for url in parser.urls if re.match(r"^(https?:)?//", url)]
        assert not outside, f"{page.name} loads {outside}"


def test_charts_math_and_vega_are_served_by_the_site_itself(reconstruction_site):
    assert (reconstruction_site / "_vendor" / "vega-bundle.js").stat().st_size > 500_000
    assert (reconstruction_site / "_static" / "mathjax" / "tex-chtml.js").exists()
    stages = (reconstruction_site / "book" / "stages.html").read_text(encoding="utf-8")
    assert "window.CNSLBP_VEGA = '../_vendor/vega-bundle.js';" in stages  # cnslbp.js loads it when needed
    background = (reconstruction_site / "book" / "background.html").read_text(encoding="utf-8")
    assert "vega-bundle.js" not in background  # only on pages with interactive charts


def test_every_page_names_its_dataset_and_hash(reconstruction_site):
    digest = cl.data.source.reconstruction_sha256()
    for page in pages(reconstruction_site):
        text = page.read_text(encoding="utf-8")
        if "bd-header-announcement" in text:
            assert "reconstructed dataset (not patient data)" in text, page.name
            assert digest in text, page.name


def test_every_reported_number_is_checked_in_its_chapter(reconstruction_site, cohort):
    table = cl.audit(cohort).set_index("key")
    for key, chapter in CHAPTER_OF.items():
        text = (reconstruction_site / "book" / f"{chapter}.html").read_text(encoding="utf-8")
        shown = re.search(rf'data-key="{key}">([^<]+)<', text)
        assert shown, f"{key} is not checked in place in {chapter}"
        # a percentage keeps its sign inside the checked number
        unit = "%" if cl.paper.reported.get_reported(key).style == "percent" else ""
        assert shown.group(1) == table.loc[key, "recomputed_printed"] + unit


def test_every_check_links_to_an_existing_audit_row(reconstruction_site):
    audit_page = (reconstruction_site / "book" / "number_audit.html").read_text(encoding="utf-8")
    for page in pages(reconstruction_site):
        for key in re.findall(r'href="number_audit\\.html#audit-(\\w+)"', page.read_text(encoding="utf-8")):
            assert f'id="audit-{key}"' in audit_page, f"{page.name} links to a missing audit row {key}"


def test_disagreements_are_flagged_in_the_text(reconstruction_site):
    text = (reconstruction_site / "book" / "primary_outcomes.html").read_text(encoding="utf-8")
    assert 'cnslbp-num--disagrees" href="number_audit.html#audit-pseq_p_val"' in text
    assert "≠ paper 0.007" in text
