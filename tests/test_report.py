"""The reviewer's report (``cnslbp report``): one offline page per paper file, its verdicts and what it draws."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from scipy import stats

from cnslbp_lib.data.instruments import DEFAULT_PAPER
from cnslbp_lib.paper.paired_result import PairedResult
from cnslbp_lib.paper.reported import STUDY, load_paper
from cnslbp_lib.paper.row_ensemble import conflicting_columns
from cnslbp_lib.publish.report import write_report

from . import papers
from .conftest import ROOT
from .test_site_checks import _nu_check

pytestmark = pytest.mark.slow(
    seconds=50, reason="draws change vectors for the study's and three example papers' reports"
)


class _Loads(HTMLParser):
    """Every URL the page would fetch by itself (stylesheets, scripts, images), and its headings."""

    def __init__(self) -> None:
        super().__init__()
        self.fetched: list[str] = []
        self.headings: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "img", "iframe", "source") and values.get("src"):
            self.fetched.append(values["src"] or "")
        if tag == "link" and values.get("href"):
            self.fetched.append(values["href"] or "")
        self._in_h2 = tag == "h2"
        if self._in_h2:
            self.headings.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data: str) -> None:
        if self._in_h2:
            self.headings[-1] += data


def _text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", re.sub(r"<svg.*?</svg>", "", page, flags=re.S)).split())


def _cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cnslbp_lib.cli", *arguments], capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The study's report as a reviewer makes it: ``cnslbp report PAPER --out DIR`` (drawing takes seconds)."""
    folder = tmp_path_factory.mktemp("report")
    return folder, _cli("report", str(DEFAULT_PAPER), "--out", str(folder))


@pytest.fixture(scope="module")
def study_report(written):
    folder, made = written
    assert made.returncode == 0, made.stderr
    return folder, (folder / "index.html").read_text(encoding="utf-8")


def test_the_study_report_flags_what_scipy_finds_and_draws_without_the_one_number_that_cannot_hold(study_report):
    _, page = study_report
    text = _text(page)
    # independently: the PSEQ CI 6.03 to 29.83 around +17.93 on 13 df gives p = 0.0062 to 0.0063, not 0.007 as printed
    half_width = (29.83 - 6.03) / 2
    t = 17.93 / (half_width / stats.t.ppf(0.975, 13))
    assert round(2 * stats.t.sf(t, 13), 3) == 0.006
    # three grades: PSEQ's p fits if every p is rounded up (or 12 df); 78.5% fits no rule the other percentage follows
    assert (
        "3 printed results: 1 consistent, 1 consistent under one reading applied to the whole paper, "
        "1 inconsistent as printed" in text
    )
    assert "PSEQ: could you confirm whether the printed values were rounded up?" in text
    assert "Drawn without the printed p (0.007), the one number that cannot hold with the others" in text
    # and 78.5% is no count out of 14 (11/14 = 78.57%)
    assert round(100 * 11 / 14, 1) == 78.6
    assert "No count out of 14 gives 78.5%" in text
    # PIQ's numbers all hold for a t-test: its changes are drawn with every printed t-based number
    assert "The printed mean_change, ci_low, ci_high, p, effect_size allow about" in text
    headings = _Loads()
    headings.feed(page)
    assert headings.headings[:3] == [
        "PIQ (Pain Interference Questionnaire), post-education to post-MRI",
        "PSEQ (Pain Self-Efficacy Questionnaire), post-education to post-MRI",
        "PSQ (Pain Severity Questionnaire), post-education to post-MRI",
    ]
    assert headings.headings[-1] == "Across the paper"


def test_the_report_loads_nothing_from_elsewhere_and_is_the_same_bytes_each_time(study_report, tmp_path):
    folder, page = study_report
    loads = _Loads()
    loads.feed(page)
    assert sorted(loads.fetched) == ["cnslbp-provenance.css", "cnslbp-report.css", "cnslbp.css"]
    assert all((folder / name).is_file() for name in loads.fetched)
    assert "<script" not in page and "cdn" not in page.lower()
    again = write_report(STUDY, tmp_path).read_text(encoding="utf-8")
    assert again == page  # in this process, the bytes the command wrote in its own
    other_seed = write_report(STUDY, tmp_path / "seed", seed=7).read_text(encoding="utf-8")
    assert other_seed != page  # the draws follow the seed


EXAMPLES = sorted((ROOT / "papers" / "examples").glob("*.yaml"))


@pytest.fixture(scope="module")
def example_reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("examples")
    return {path.stem: write_report(load_paper(path), folder / path.stem) for path in EXAMPLES}


def test_every_example_paper_gets_a_complete_report(example_reports):
    assert len(example_reports) >= 3
    for name, page in example_reports.items():
        paper = load_paper(ROOT / "papers" / "examples" / f"{name}.yaml")
        text = _text(page.read_text(encoding="utf-8"))
        loads = _Loads()
        loads.feed(page.read_text(encoding="utf-8"))
        # one section per printed result, and each either drawn or said why not
        assert len(loads.headings) == len(paper.design.instruments) + 1, name
        drawn = text.count("were drawn exactly uniformly") + text.count("were drawn approximately")
        assert drawn + text.count("Not drawn:") == len(paper.design.instruments), name
        # a sampler's limit is never worded as the numbers' failure
        assert "may be empty" not in text, name


@pytest.mark.skipif(shutil.which("java") is None, reason="Java is not installed: the Nu Html Checker is skipped")
def test_the_reports_are_valid_html_by_the_nu_html_checker(study_report, example_reports, tmp_path):
    synthetic = write_report(load_paper(papers.write_paper(tmp_path, papers.dataset())), tmp_path / "synthetic")
    pages = [study_report[0] / "index.html", synthetic, *example_reports.values()]
    messages = _nu_check().run_nu(pages)
    assert [f"{message.file}:{message.line}: {message.message}" for message in messages if message.is_error] == []


def test_a_paper_printed_from_known_data_is_consistent_throughout(tmp_path):
    data = papers.dataset()
    paper = load_paper(papers.write_paper(tmp_path, data))
    text = _text(write_report(paper, tmp_path / "out").read_text(encoding="utf-8"))
    assert (
        "3 printed results: 3 consistent, 0 consistent under one reading applied to the whole paper, 0 inconsistent"
        in text
    )
    assert "Drawn without" not in text and "cannot be drawn" not in text
    assert "ODI (ODI), week 0 to week 12" in text and "ODI (ODI), week 0 to week 18" in text


def test_conflicting_columns_names_the_printed_number_that_cannot_hold():
    pseq = {"id": "pseq", "n": "14", "scale_min": "0", "scale_max": "60", "score_step": "1"}
    assert conflicting_columns(
        PairedResult.from_mapping({**pseq, "mean_change": "17.93", "ci_low": "6.03", "ci_high": "29.83", "p": "0.007"})
    ) == ("p",)
    # the same numbers with the p scipy gives: nothing conflicts
    assert (
        conflicting_columns(
            PairedResult.from_mapping(
                {**pseq, "mean_change": "17.93", "ci_low": "6.03", "ci_high": "29.83", "p": "0.006"}
            )
        )
        == ()
    )


def test_cnslbp_report_writes_the_page_and_a_bad_paper_file_leaves_nothing_behind(written, tmp_path):
    folder, made = written
    assert made.returncode == 0, made.stderr
    assert (folder / "index.html").is_file() and "wrote" in made.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEFAULT_PAPER.read_text(encoding="utf-8").replace("schema: 1", "schema: 9"), encoding="utf-8")
    failed = _cli("report", str(bad), "--out", str(tmp_path / "bad"))
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert str(bad) in failed.stderr and "schema" in failed.stderr
    assert not (tmp_path / "bad").exists()


def test_the_report_page_says_what_a_flag_does_not_mean(study_report):
    text = _text(study_report[1])
    assert "never evidence of misconduct by itself" in text
