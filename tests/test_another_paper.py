"""The chapter "Check another paper": what it says about a published study comes from its file and the engine."""

from __future__ import annotations

from scipy import stats

from cnslbp_lib.paper.consistency import check_paper
from cnslbp_lib.paper.reported import load_paper
from cnslbp_lib.paper.row_ensemble import suspects
from cnslbp_lib.publish.chapters.check_another_paper import EXAMPLE, page

from . import papers


def test_the_flagged_example_names_both_numbers_that_could_be_the_wrong_one():
    found = next(found for found, result in check_paper(load_paper(EXAMPLE)) if result.verdict == "inconsistent")
    assert found.instrument == "hads_depression"
    # exactly, on the grid of 45 whole-point scores: only the mean difference; the engine's interval checks,
    # which ignore the grid, would also let the P value go (a mean of exactly 0.05 is no mean of 45 scores)
    assert suspects(found.result) == ("mean_change",)
    assert not (0.05 * 45).is_integer()
    # by hand with scipy: the only mean change both "0.1" and the CI's midpoint allow is 0.05; with the CI's
    # half-width 0.6 on 44 df, its P is about 0.87, far from ">.99"; a mean change of 0 gives P = 1
    se = 0.6 / stats.t.ppf(0.975, 44)
    assert 0.86 < 2 * stats.t.sf(0.05 / se, 44) < 0.88
    assert 2 * stats.t.sf(0.0, 44) == 1.0
    chapter = page()
    assert repr(chapter.values["flag_implied"]) == "0.86 to 0.88"
    assert repr(chapter.values["flag_midpoint"]) == "0.0"
    assert str(chapter.values["flag_suspects"]).startswith("Set aside the mean difference, and the rest")
    assert (
        str(chapter.values["flag_readings"]) == "For this row, it holds together if the printed values were rounded up."
    )
    assert "hadsd_p_val" in chapter.excerpt and "bpi_" not in chapter.excerpt


def test_every_number_the_chapter_glues_is_marked_as_external(tmp_path):
    chapter = page()
    numbers = {key: value for key, value in chapter.values.items() if any(ch.isdigit() for ch in repr(value))}
    unmarked = [key for key, value in numbers.items() if 'class="cnslbp-external"' not in getattr(value, "markup", "")]
    # counts of results are the book's own tallies of the engine's verdicts, not numbers of the study
    assert set(unmarked) <= {
        "other_results",
        "other_consistent",
        "other_inconsistent",
        "other_where",
        "flag_suspect_count",
    }
    assert all("cnslbp-table--external" in str(table) for table in chapter.shown.values())


def test_a_paper_printed_from_known_data_has_nothing_to_walk_through(tmp_path):
    chapter = page(papers.write_paper(tmp_path, papers.dataset()))
    assert (str(chapter.values["other_consistent"]), str(chapter.values["other_inconsistent"])) == ("3", "0")
    assert not any(key.startswith("flag_") for key in chapter.values) and chapter.excerpt == ""
    assert list(chapter.shown) == ["summary"]
