"""Reading times: words counted as a reader sees them, minutes in every page, paths that add up."""

import math
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.errors import ExtensionError

from cnslbp_lib.publish.build.reader_paths import load_paths
from cnslbp_lib.publish.build.reading import minutes, stop_words, visible_words
from cnslbp_lib.publish.build.reproduce import REPRODUCE_PAGE, book_chapters

ARTICLE = (
    '<html><nav>Menu words here</nav><article class="bd-article"><section id="s">'
    '<h1>Pain scores<a class="headerlink" href="#s">#</a></h1><p class="cnslbp-reading">About 1 minute</p>'
    '<p>The mean fell by <a class="cnslbp-num">18.79<span class="cnslbp-tip">a long hover note</span></a> points.</p>'
    '<div class="cell_input"><pre>paired_change(cohort, "piq")</pre></div><script>var x = 1;</script>'
    "<details><summary>Solution</summary><p>It is smaller.</p></details></section></article></html>"
)


def test_a_page_counts_prose_and_folded_text_but_not_code_tips_menus_or_its_own_time():
    # Pain scores / The mean fell by 18.79 points / Solution It is smaller (counted by hand)
    assert visible_words(ARTICLE) == 2 + 6 + 4


def test_a_section_counts_only_its_own_words():
    assert visible_words(ARTICLE, section="s") == visible_words(ARTICLE)
    with pytest.raises(ValueError, match="no section with the id 'missing'"):
        visible_words(ARTICLE, section="missing")


def test_minutes_round_up_at_two_hundred_words_a_minute():
    assert [minutes(words) for words in (1, 200, 201, 12_000, 12_001)] == [1, 1, 2, 60, 61]


def _reading_line(page: Path) -> tuple[int, int]:
    found = re.search(
        r'<p class="cnslbp-reading">About (\d+) minutes? to read \(([\d,]+) words\)</p>', page.read_text()
    )
    assert found, f"{page} has no reading time"
    return int(found.group(1)), int(found.group(2).replace(",", ""))


def _words_by_soup(page: Path) -> int:
    """An independent count: BeautifulSoup's text of the article without code, scripts, tips and the time line."""
    article = BeautifulSoup(page.read_text(), "html.parser").find("article", class_="bd-article")
    for tag in article.select(
        "script, style, pre, code, svg, noscript, template, .cell_input, .cnslbp-tip, .headerlink, "
        ".cnslbp-reading, .cnslbp-minutes, .cnslbp-selfcheck__key"
    ):
        tag.decompose()
    return sum(1 for token in article.get_text(" ").split() if re.search(r"[^\W_]", token))


def test_every_chapter_prints_its_reading_time_from_its_own_words(reconstruction_site: Path):
    for name in [*book_chapters(), REPRODUCE_PAGE]:
        page = reconstruction_site / f"{name}.html"
        shown_minutes, shown_words = _reading_line(page)
        assert shown_minutes == math.ceil(shown_words / 200), name
        assert shown_words == _words_by_soup(page), name
    assert "cnslbp-reading" not in (reconstruction_site / "book" / "reference_stats.html").read_text()


def test_the_start_page_paths_add_up_their_stops(reconstruction_site: Path):
    start = (reconstruction_site / "book/start_here.html").read_text()
    for path in load_paths():
        total = re.search(rf'id="path-{path.key}"><p><strong>[^<]+</strong>, about <span [^>]+>(\d+) minutes?', start)
        assert total, path.key
        words = sum(stop_words(reconstruction_site, stop) for stop in path.stops)
        assert int(total.group(1)) == math.ceil(words / 200), path.key
        for stop in path.stops:
            page, _, section = stop.partition("#")
            assert f'href="{Path(page).name}.html{"#" + section if section else ""}"' in start


def test_a_bad_paths_file_names_itself_and_the_rule(tmp_path: Path):
    bad = tmp_path / "paths.yaml"
    bad.write_text("paths:\n  - key: Clinician\n    title: A clinician\n    aim: x\n    stops: []\n")
    with pytest.raises(ExtensionError, match=r"paths\.yaml: not a valid file of readers' paths.*key"):
        load_paths(bad)
