"""Degenerate but valid cohort files: what a small clinic's file can look like, and how to check what they show.

Each function writes one file and returns its participant ids. The ids are
hostile on purpose (markup, quotes, spreadsheet formulas, very long, other
scripts): none may reach the built site.

Each is checked on every value the chapters show
(:func:`cnslbp_lib.publish.chapters.chapter_values`, which is what the chapters
glue and display), each chart drawn as the build draws it; between them they
carry every hostile id. The checks on a whole built site (``page_text``,
``assert_complete_and_finite``, ``assert_ids_never_appear``) are used on the
clinic's workbook built in ``test_site_own_data.py``.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

from bs4 import BeautifulSoup

import cnslbp_lib as cl
from cnslbp_lib.publish import charts
from cnslbp_lib.publish.build.reproduce import book_chapters
from cnslbp_lib.publish.chapters import CHAPTERS as CHAPTER_VALUES
from cnslbp_lib.publish.chapters import chapter_values
from cnslbp_lib.publish.charts.render import find_charts, static_chart_html, static_svg

NASTY_IDS = (
    '<script>alert("id")</script>',
    'O\'Brien "the elder"',
    "=1+1",
    '=HYPERLINK("http://example.invalid","open")',
    "+cmd|' /C calc'!A0",
    "x" * 300,
    "患者一号",
    "مريض-٣",
    "Пациент №5",
    "<b>bold</b> & co",
)
HEADER = ["participant", "stage", "piq", "pseq", "psq", "global_change"]


def _write(path: Path, rows: list[list[object]], *, global_change: bool = True) -> list[str]:
    header = HEADER if global_change else HEADER[:-1]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row if global_change else row[:-1])
    return sorted({str(row[0]) for row in rows})


def identical_changes(path: Path) -> list[str]:
    """8 participants whose changes are all the same at each step (every SD of changes is 0)."""
    rows = []
    for number, participant in enumerate(NASTY_IDS[:8]):
        piq, pseq, psq = 30 + 2 * number, 15 + number, 20 + number
        rows += [
            [participant, 1, piq + 1, pseq - 1, psq + 1, ""],
            [participant, 2, piq, pseq, psq, 0],
            [participant, 3, piq - 9, pseq + 12, psq - 3, 2],
        ]
    return _write(path, rows)


def no_change(path: Path) -> list[str]:
    """6 participants whose scores never change (every change is 0)."""
    rows = []
    for number in range(6):
        participant = f"clinic/{number}"
        scores = [40 + number, 20 + 3 * number, 25 - number]
        rows += [[participant, stage, *scores, "" if stage == 1 else 0] for stage in (1, 2, 3)]
    return _write(path, rows)


def one_participant(path: Path) -> list[str]:
    """A single participant with all three stages."""
    participant = NASTY_IDS[8]
    rows = [[participant, 1, 44, 18, 26, ""], [participant, 2, 43, 20, 25, 0], [participant, 3, 30, 35, 18, 2]]
    return _write(path, rows)


def no_follow_up(path: Path) -> list[str]:
    """5 participants with no stage 3 row yet (lost, or still collecting), and no global change column."""
    rows = []
    for number, participant in enumerate(NASTY_IDS[5:10]):
        rows += [
            [participant, 1, 50 - number, 12 + number, 30, ""],
            [participant, 2, 48 - number, 15 + 2 * number, 29, ""],
        ]
    return _write(path, rows, global_change=False)


def scale_limits(path: Path) -> list[str]:
    """7 participants whose every score sits at the bottom or the top of its scale."""
    pattern = [(70, 0, 40), (70, 0, 40), (0, 60, 0)]  # high, high, then low (PSEQ the other way round)
    rows = []
    for number, participant in enumerate(NASTY_IDS[:7]):
        stages = pattern if number % 3 else [(70, 0, 40), (0, 60, 0), (0, 60, 0)]
        for stage, (piq, pseq, psq) in enumerate(stages, start=1):
            rows.append([participant, stage, piq, pseq, psq, "" if stage == 1 else (3 if piq == 0 else -3)])
    return _write(path, rows)


COHORTS = {
    "identical-changes": identical_changes,
    "no-change": no_change,
    "one-participant": one_participant,
    "no-follow-up": no_follow_up,
    "scale-limits": scale_limits,
}


NOT_A_NUMBER = re.compile(r"\b(nan|inf|infinity)\b", re.IGNORECASE)
# the book's chapters (the reproduce page and the library reference do not depend on the data)
CHAPTERS = [Path(chapter).name for chapter in book_chapters()]


def page_text(site: Path, chapter: str) -> str:
    """What a reader sees on a chapter page: its article's text, without code, scripts and closed tooltips."""
    soup = BeautifulSoup((site / "book" / f"{chapter}.html").read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article")
    for hidden in article.select("script, style, div.cell_input, span.cnslbp-tip"):
        hidden.decompose()
    return re.sub(r"\s+", " ", article.get_text(""))


def chart_descriptions(site: Path, chapter: str) -> list[str]:
    soup = BeautifulSoup((site / "book" / f"{chapter}.html").read_text(encoding="utf-8"), "html.parser")
    return [element["data-description"] for element in soup.select("[data-description]")]


def assert_complete_and_finite(site: Path) -> None:
    for chapter in CHAPTERS:
        text = page_text(site, chapter) + " ".join(chart_descriptions(site, chapter))
        assert not NOT_A_NUMBER.search(text), f"{chapter} shows {NOT_A_NUMBER.search(text)!r}"
        soup = BeautifulSoup((site / "book" / f"{chapter}.html").read_text(encoding="utf-8"), "html.parser")
        for number in soup.select("a.cnslbp-num--not-computable"):
            assert not number.select(".cnslbp-flag"), f"{chapter}: a number not computable is flagged as differing"


def assert_ids_never_appear(site: Path, ids: list[str]) -> None:
    forms = {
        form for participant in ids for form in (participant, html.escape(participant), json.dumps(participant)[1:-1])
    }
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".js", ".json", ".txt", ".csv", ".ipynb", ".log"}:
            text = path.read_text(encoding="utf-8", errors="ignore")
            leaked = [form for form in forms if form in text]
            assert not leaked, f"{path.relative_to(site)} shows {leaked[:2]}"


# --- the same checks on the values the chapters show, without building a site ---------------------------------
def cohort_values(name: str, folder: Path) -> tuple[dict[str, str], list[str]]:
    """Every value the chapters show for the cohort ``name`` (see :data:`COHORTS`), and its participant ids.

    Besides :func:`~cnslbp_lib.publish.chapters.chapter_values`, the one figure of "What the abstract
    determines" drawn from the cohort itself: the responders at every threshold against the ensemble's band.
    """
    data = folder / f"{name}.csv"
    ids = COHORTS[name](data)
    cohort = cl.load_cohort(data)
    values = chapter_values(cohort)
    summary = cl.load_summary()
    for instrument in ("piq", "pseq"):
        sweep = cl.responder_sweep(cohort.pseudonymised().data, instrument)
        chart = charts.responder_band_chart(summary.bands[instrument], sweep, instrument)
        values[f"abstract_determines:{instrument}_responders"] = charts.to_html(chart.to_dict())
    return values, ids


def value_text(value: str) -> str:
    """A value as a reader sees it: markup, scripts and closed tooltips removed, spaces collapsed."""
    soup = BeautifulSoup(value, "html.parser")
    for hidden in soup.select("script, style, span.cnslbp-tip"):
        hidden.decompose()
    return re.sub(r"\s+", " ", soup.get_text(" "))


def assert_values_complete_and_finite(values: dict[str, str]) -> None:
    """What a built page would show: no NaN in any text or chart, no not-computable number flagged as differing,
    and every chart drawn to its static SVG as the site build draws it."""
    assert {key.split(":")[0] for key in values} == {*CHAPTER_VALUES, "abstract_determines"}
    for key, value in values.items():
        soup = BeautifulSoup(value, "html.parser")
        descriptions = " ".join(element["data-description"] for element in soup.select("[data-description]"))
        text = value_text(value) + " " + descriptions
        assert not NOT_A_NUMBER.search(text), f"{key} shows {NOT_A_NUMBER.search(text)!r}"
        for number in soup.select("a.cnslbp-num--not-computable"):
            assert not number.select(".cnslbp-flag"), f"{key}: a number not computable is flagged as differing"
        for chart in find_charts(value):
            drawn = static_chart_html(chart, static_svg(chart.spec, element=chart.element))
            label = re.search(r'<svg[^>]*aria-label="([^"]+)"', drawn)
            assert label, f"{key}: a chart is drawn without its accessible name"
            assert not NOT_A_NUMBER.search(value_text(drawn)), f"{key}: a chart draws {value_text(drawn)[:200]!r}"


def assert_ids_never_in(values: dict[str, str], ids: list[str]) -> None:
    forms = {
        form for participant in ids for form in (participant, html.escape(participant), json.dumps(participant)[1:-1])
    }
    for key, value in values.items():
        leaked = [form for form in forms if form in value]
        assert not leaked, f"{key} shows {leaked[:2]}"
