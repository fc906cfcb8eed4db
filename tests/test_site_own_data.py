"""Rebuilding the whole book on a clinic's cohort file (a wide workbook): adapts, excludes openly, never leaks ids.

The clinic's file has lost follow-ups, blank scores and no global change column, and the book is built with
its paper file plus one more printed number: every chapter a cohort of one's own gets, through a whole build.
Cohorts whose statistics collapse are checked value by value in ``test_site_degenerate.py``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from scipy import stats

import cnslbp_lib as cl
from cnslbp_lib.publish import phrases

from . import clinic_files, papers
from .conftest import HEADER, ROOT, shared_build, tree_digest
from .degenerate import NASTY_IDS, assert_complete_and_finite, assert_ids_never_appear, page_text

pytestmark = pytest.mark.slow(seconds=55, reason="builds a whole site")


SHEET = "Scores"


@pytest.fixture(scope="module")
def own_site(tmp_path_factory, worker_id):
    """A clinic's cohort of 40 participants with lost follow-ups and blank scores and no global change column,
    kept as a wide workbook whose scores are on its second sheet (so the sheet has to reach every chapter's
    kernel, or the build fails on the first sheet); its long CSV is what the workbook's numbers are compared
    with. The book is built with its paper file plus one more printed number (papers.ONE_MORE_NUMBER)."""
    folder = tmp_path_factory.mktemp("cohorts")
    before = tree_digest(ROOT / "data", ROOT / "book")
    long = folder / "large-clinic.csv"
    # the hostile ids a workbook keeps as text (one starting "=" or "+" it would take for a formula)
    ids = clinic_files.write_clinic_cohort(long, hostile=tuple(i for i in NASTY_IDS if not i.startswith(("=", "+"))))
    workbook = clinic_files.write_wide_workbook(long, folder / "large-clinic.xlsx", sheet=SHEET, first_sheet="About")
    paper = papers.study_with_one_more_number(tmp_path_factory.mktemp("paper"))
    site = shared_build(tmp_path_factory, worker_id, "clinic-workbook", workbook, sheet=SHEET, paper=paper)
    assert tree_digest(ROOT / "data", ROOT / "book") == before, "building changed data/ or book/"
    return site, workbook, ids, long


def test_participant_ids_never_appear_in_the_built_site(own_site):
    site, _, ids, _ = own_site
    assert_ids_never_appear(site, ids)


def test_every_chapter_is_built_and_shows_no_nan(own_site):
    assert_complete_and_finite(own_site[0])


def test_pages_say_the_data_were_user_supplied_with_the_files_hash(own_site):
    site, data, _, _ = own_site
    digest = cl.load_cohort(data, sheet=SHEET).sha256
    start = (site / "book" / "start_here.html").read_text(encoding="utf-8")
    assert f"user-supplied cohort file <code>{data.name}</code>" in start
    assert digest in start
    assert "reconstructed dataset" not in start


def test_chapters_show_this_cohorts_numbers_in_place(own_site):
    site, _, _, long = own_site
    # the workbook's site shows the numbers its long CSV gives
    table = cl.audit(cl.load_cohort(long)).set_index("key")
    text = (site / "book" / "start_here.html").read_text(encoding="utf-8")
    for key in ("piq_mean_change", "pseq_mean_change", "psq_p_val", "piq_responders"):
        shown = re.search(rf'data-key="{key}">([^<]+)<', text).group(1)
        # a percentage keeps its sign inside the checked number
        assert shown == table.loc[key, "recomputed_printed"] + ("%" if key == "piq_responders" else "")
    count = cl.paper.formatting.count_in_words(cl.load_cohort(long).n_participants, capital=True)
    assert f"{count} participants.</p>" in text
    # the full hash is in the announcement bar; the per-chapter notice does not repeat a short one
    assert "file SHA-256" not in text


def test_the_downloadable_notebooks_are_this_cohorts_as_run_for_this_build(own_site, cohort):
    site, data, _, _ = own_site
    table = cl.audit(cl.load_cohort(data, sheet=SHEET)).set_index("key")
    reconstruction = cl.audit(cohort).set_index("key")
    notebook = json.loads((site / "notebooks" / "start_here.ipynb").read_text(encoding="utf-8"))
    html = "".join(
        "".join(output.get("data", {}).get("text/html", ""))
        for cell in notebook["cells"]
        for output in cell.get("outputs", [])
    )
    shown = re.findall(r'data-key="piq_mean_change">([^<]+)<', html)
    # the same number the page shows, recomputed from this cohort (not the reconstruction's stored output)
    assert shown and set(shown) == {table.loc["piq_mean_change", "recomputed_printed"]}
    assert set(shown) != {reconstruction.loc["piq_mean_change", "recomputed_printed"]}


def test_prose_follows_the_numbers_not_the_paper(own_site):
    site, data, _, _ = own_site
    row = cl.paired_change(cl.load_cohort(data, sheet=SHEET).data, "psq")
    text = (site / "book" / "start_here.html").read_text(encoding="utf-8")
    verb = phrases.change_verb(row.mean_change)
    assert f"Pain severity {verb} by {cl.format_number(abs(row.mean_change), 2)} points" in re.sub(r"<[^>]+>", "", text)


def test_a_file_without_global_change_says_the_rating_was_not_collected(own_site):
    site = own_site[0]
    secondary = page_text(site, "secondary_outcomes")
    assert "Global perceived change was not collected in this cohort file" in secondary


def test_the_book_builds_with_one_more_printed_number_audited_against_its_own_stages(own_site):
    """The PSQ change from stage 1 to 2 with its CI, one entry added to the paper file: its audit row shows that
    change as scipy computes it from the long CSV, not the stage 2 → 3 one the abstract's numbers describe."""
    site, _, _, long = own_site
    psq = clinic_files.read_long(long).pivot(index="participant", columns="stage", values="psq")
    changes = (psq[2] - psq[1]).dropna().to_numpy()
    later = (psq[3] - psq[2]).dropna().to_numpy()
    assert f"{changes.mean():.2f}" != f"{later.mean():.2f}"  # the two comparisons give different numbers here
    interval = stats.ttest_1samp(changes, 0).confidence_interval(0.95)
    html = (site / "book" / "number_audit.html").read_text(encoding="utf-8")
    for key, value in (
        ("psq_12_mean_change", changes.mean()),
        ("psq_12_ci_low", interval.low),
        ("psq_12_ci_high", interval.high),
    ):
        row = re.search(rf'<tr id="audit-{key}".*?</tr>', html, re.S).group(0)
        assert f"{abs(value):.2f}" in re.sub(r"<[^>]+>", " ", row), (key, value)
    assert "PSQ mean change, stage 1 → 2" in page_text(site, "number_audit")


def test_exclusions_are_named_and_analyses_state_their_n(own_site):
    site, _, _, _ = own_site
    design = re.sub(r"<[^>]+>", " ", (site / "book" / "design.html").read_text(encoding="utf-8"))
    assert "no row for this stage" in design and "piq is blank" in design
    primary = re.sub(r"<[^>]+>", "", (site / "book" / "primary_outcomes.html").read_text(encoding="utf-8"))
    assert re.search(r"35 of 40 participants had both scores; excluded: P\d\d \(", primary)


def test_a_bad_file_stops_the_build_before_anything_is_written(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\nA,1,99,20,20,\n", encoding="utf-8")
    out = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "cnslbp_lib.cli", "build", "--data", str(bad), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "line 2, column 'piq', value '99': PIQ total must be a whole number from 0 to 70" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_build_refuses_to_overwrite_a_folder_that_is_not_a_build(tmp_path):
    keep = tmp_path / "notes"
    keep.mkdir()
    (keep / "mine.txt").write_text("precious", encoding="utf-8")
    with pytest.raises(cl.BuildError, match="does not hold a previous build"):
        cl.publish.build.sitebuild.build_site(out=keep)
    with pytest.raises(cl.BuildError, match="refusing to build into"):
        cl.publish.build.sitebuild.build_site(out=ROOT / "data")
    assert (keep / "mine.txt").read_text(encoding="utf-8") == "precious"
