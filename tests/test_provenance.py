"""Where each number comes from: one rule for its class, exact bounds where they exist, and marks on every page."""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pytest
from bs4 import BeautifulSoup
from scipy import stats

from cnslbp_lib.paper.bounds import change_bounds, extreme_pairings
from cnslbp_lib.paper.derived import DERIVED, Bounds, Derived, classify, get_derived
from cnslbp_lib.paper.reconstruction import load_summary
from cnslbp_lib.paper.targets import change_targets
from cnslbp_lib.publish.provenance import DERIVED_PAGE, MarkedNumber, Marks, Phrase
from cnslbp_lib.publish.provenance_tables import assumptions_table, spread_table
from cnslbp_lib.stats.correlation import change_pairs
from cnslbp_lib.stats.lattice import VectorConstraints, VectorLattice


@pytest.fixture(scope="module")
def summary():
    return load_summary()


@pytest.mark.parametrize(
    ("key", "expected", "verdict", "basis"),
    [
        ("piq_wilcoxon_p", "same verdict", "p below .05", "drawn"),  # the printed mean, CI and dz leave no room
        ("pseq_loo_p", "same verdict", "p below .05", "drawn"),
        ("psq_wilcoxon_p", "depends", "", "drawn"),  # crosses .05 between drawn datasets
        ("assoc_r", "depends", "", "exact"),  # its sign is the book's reading, its size anything
        ("assoc_r_p", "depends", "", "exact"),
        ("psq_ci_low", "fixed", "", "exact"),  # −10.24 or −10.23: within one unit of the last digit
        ("psq_dz", "fixed", "", "exact"),
        ("piq_holm_p", "fixed", "", "exact"),
        ("piq_12_p", "assumption", "", "drawn"),  # no stage 1 numbers in the abstract
        ("global_improved_3", "assumption", "", "drawn"),
        ("piq_rtm_low", "assumption", "", "inputs"),  # computed from the stage 2 SD, a prior
        ("rtm_reliability", "assumption", "", "assumed"),
        ("power_dz", "fixed", "", "abstract"),
    ],
)
def test_one_rule_classifies_every_number(summary, key, expected, verdict, basis):
    spread = summary.spread(key)
    assert (spread.derived_class, spread.verdict, spread.basis) == (expected, verdict, basis)


def test_classes_follow_their_definitions_on_constructed_values():
    number = Derived("x", "x", "number", 2)
    p_value = get_derived("psq_wilcoxon_p")
    assert classify(number, np.array([1.001, 1.004, 0.996])).derived_class == "fixed"  # all print 1.00
    within = classify(number, np.array([1.004, 1.006]))  # 1.00 and 1.01: neighbours
    assert (within.derived_class, within.within_last_digit) == ("fixed", True)
    assert classify(number, np.array([1.0, 1.02])).derived_class == "depends"  # 1.00 and 1.02 are not
    assert classify(p_value, np.array([0.01, 0.02, 0.049])).derived_class == "same verdict"
    assert classify(p_value, np.array([0.01, 0.2])).derived_class == "depends"
    assert classify(get_derived("piq_12_p"), np.array([0.01, 0.2])).derived_class == "assumption"
    # bounds, not the drawn values, decide: a sample that happens to agree does not fix a number that can move
    bounded = classify(p_value, np.array([0.01, 0.02]), bounds=Bounds((0.01, 0.01), (0.2, 0.2), "test"))
    assert (bounded.derived_class, bounded.basis) == ("depends", "exact")
    fixed, assumed = classify(number, np.array([1.0])), classify(get_derived("rtm_reliability"))
    assert classify(get_derived("piq_rtm_low"), inputs=(fixed, fixed)).derived_class == "fixed"
    assert classify(get_derived("piq_rtm_low"), inputs=(fixed, assumed)).derived_class == "assumption"


def test_t_based_bounds_are_the_extremes_over_every_allowed_sum_of_squares():
    # independent reference: scipy's one-sample t interval of an actual vector at each allowed sum of squares
    target = next(found for found in change_targets() if found.instrument == "psq")
    n, rng = 14, np.random.default_rng(3)
    lows = []
    for squares in target.sums_of_squares:
        lattice = VectorLattice(
            VectorConstraints(n=n, low=-40, high=40, total=target.total, sums_of_squares=(squares,))
        )
        vector = lattice.sample(1, rng)[0].astype(float)
        lows.append(stats.ttest_1samp(vector, 0).confidence_interval().low)
    bounds = change_bounds(change_targets(), n)["psq_ci_low"]
    assert bounds.exact
    assert bounds.low[0] == pytest.approx(min(lows), abs=1e-9)
    assert bounds.high[1] == pytest.approx(max(lows), abs=1e-9)


def test_opposite_and_same_order_pairings_are_the_extremes_of_every_permutation():
    # brute force over all 6! pairings of two small vectors
    x = np.array([3.0, -1.0, 4.0, 1.0, -5.0, 9.0])
    y = np.array([2.0, 7.0, -1.0, 8.0, 2.0, -8.0])
    every = [np.corrcoef(x, y[list(order)])[0, 1] for order in itertools.permutations(range(6))]
    lowest, highest = extreme_pairings(x[np.newaxis], y[np.newaxis])
    assert lowest.r == pytest.approx(min(every), abs=1e-12)
    assert highest.r == pytest.approx(max(every), abs=1e-12)


def test_the_books_own_re_pairings_lie_inside_every_bound_shown(summary, cohort):
    pairs = change_pairs(cohort.data, "pseq", "piq")
    pseq, piq = pairs["pseq_change"].to_numpy(float), pairs["piq_change"].to_numpy(float)
    opposite = stats.pearsonr(np.sort(pseq), np.sort(piq)[::-1]).statistic
    same = stats.pearsonr(np.sort(pseq), np.sort(piq)).statistic
    assert opposite < -0.97 and same > 0.97  # every printed number is unchanged by re-pairing
    r_bounds = summary.bounds["assoc_r"]
    assert r_bounds.low[0] <= opposite  # allowed under the book's reading, so inside the bounds
    assert r_bounds.low[1] <= opposite  # and no less extreme than the construction the bound rests on
    assert same > r_bounds.high[1]  # the book's reading (r < 0) rules the same-order pairing out
    for key, bounds in summary.bounds.items():
        worked = summary.worked_value(key)
        slack = 1e-5 * max(1.0, abs(worked))  # the stored summary keeps six significant digits
        assert bounds.low[0] - slack <= worked <= bounds.high[1] + slack, key


def test_the_weakest_significant_correlation_has_p_of_exactly_05():
    from cnslbp_lib.stats.core import critical_correlation

    r, n = critical_correlation(14), 14
    # two vectors whose Pearson r is exactly -r: scipy's test of them gives p = 0.05
    rng = np.random.default_rng(0)
    first = rng.standard_normal(n)
    first = (first - first.mean()) / np.linalg.norm(first - first.mean())
    other = rng.standard_normal(n)
    other -= other.mean() + (other @ first) * first
    other /= np.linalg.norm(other)
    second = -r * first + math.sqrt(1 - r**2) * other
    assert stats.pearsonr(first, second).pvalue == pytest.approx(0.05, abs=1e-10)


def test_a_drawn_number_shows_its_drawn_range_links_to_its_row_and_explains_on_focus(summary):
    value = summary.worked_value("psq_wilcoxon_p")
    number = Marks(summary).number("psq_wilcoxon_p", value)
    assert isinstance(number, MarkedNumber)
    markup = number._repr_html_()
    spread, item = summary.spread("psq_wilcoxon_p"), get_derived("psq_wilcoxon_p")
    assert f'href="{DERIVED_PAGE}#derived-psq_wilcoxon_p"' in markup
    low, high = item.printed(spread.low), item.printed(spread.high)
    assert f'<span class="cnslbp-range"> [drawn 90%: {low} to {high}]</span>' in markup
    assert "cnslbp-prov--depends" in markup and 'role="tooltip"' in markup
    assert f"Across {summary.members:,} drawn datasets: median {item.printed(spread.median)}" in markup


def test_a_bounded_number_shows_its_allowed_range_and_how_it_was_found(summary):
    number = Marks(summary).number("assoc_r", summary.worked_value("assoc_r"))
    markup = number._repr_html_()
    assert "[allowed: −1.00 to 0.00]" in markup
    assert "rearrangement" in markup and "lowest and highest drawn" in markup


def test_numbers_about_the_paper_keep_their_marks_on_own_data():
    own = Marks(None)
    assert own.number("psq_wilcoxon_p", 0.1234) == "0.123"  # the cohort's own result: plain
    printed = own.printed("piq_mean_change")._repr_html_()
    assert "cnslbp-prov--fixed" in printed and "printed in the abstract" in printed and ">−18.79<" in printed
    arithmetic = own.from_abstract("19.20", "the SD the printed CI implies")._repr_html_()
    assert "computed from the abstract" in arithmetic and 'tabindex="0"' in arithmetic
    assumed = own.assumed("rtm_reliability", "0.75")._repr_html_()
    assert "cnslbp-prov--assumption" in assumed
    with pytest.raises(ValueError, match="assumed constant"):
        own.assumed("piq_sd_2", "17.1")
    phrase = Phrase(("fell by ", own.printed("piq_mean_change"), " points"))
    assert str(phrase) == "fell by −18.79 points" and "cnslbp-prov--fixed" in phrase._repr_html_()


CLASSES = ("fixed", "same verdict", "depends", "assumption")


def _spread_tables(summary):
    return {name: BeautifulSoup(spread_table(summary, name), "html.parser") for name in CLASSES}


def test_the_spread_tables_have_one_anchored_row_for_every_number_they_describe_in_its_class(summary):
    tables = _spread_tables(summary)
    described = {item.key for item in DERIVED if item.basis in ("drawn", "inputs", "abstract")}
    found = []
    for name, soup in tables.items():
        for row in soup.select("tbody tr[id]"):
            key = row["id"].removeprefix("derived-")
            found.append(key)
            assert summary.spread(key).derived_class == name, key
            assert row["class"] == [f"cnslbp-row--{name.replace(' ', '-')}"]
    assert sorted(found) == sorted(described)  # each once
    headers = [cell.get_text() for cell in tables["depends"].select("thead th")]
    assert "Allowed by the abstract" in headers


def test_a_same_verdict_row_shows_the_middle_90_percent_and_the_extremes_of_the_drawn_values(summary):
    row = _spread_tables(summary)["same verdict"].select_one("#derived-piq_wilcoxon_p")
    values = summary.values("piq_wilcoxon_p")
    item = get_derived("piq_wilcoxon_p")
    # numpy's quantiles of the stored per-dataset values, independently of the Spread the table reads
    low, high = (item.printed(value) for value in np.quantile(values, [0.05, 0.95]))
    least, most = item.printed(values.min()), item.printed(values.max())
    cells = [cell.get_text() for cell in row.select("td")]
    assert cells == ["Wilcoxon signed-rank p", "p below .05", f"[{low}, {high}] ({least}, {most})"]
    assert float(most) < 0.05  # the verdict the row claims holds at the highest drawn value


def test_a_fixed_row_shows_its_value_over_everything_the_abstract_allows(summary):
    tables = _spread_tables(summary)
    # −10.24 or −10.23: a rounding boundary falls inside the exact bounds
    ci_low = tables["fixed"].select_one("#derived-psq_ci_low").select("td")[-1].get_text()
    bounds = summary.bounds["psq_ci_low"]
    item = get_derived("psq_ci_low")
    assert ci_low == f"{item.printed(bounds.low[0])} to {item.printed(bounds.high[0])}"
    assert round(abs(bounds.high[0] - bounds.low[0]), 2) == 0.01
    # dz from the printed p alone (p = 0.096, n = 14, a two-sided paired t-test): t = t.isf(p / 2, 13), dz = t / √14
    shown = float(tables["fixed"].select_one("#derived-psq_dz").select("td")[-1].get_text())
    ends = [stats.t.isf(p / 2, 13) / math.sqrt(14) for p in (0.0965, 0.0955)]
    assert round(ends[0], 2) <= shown <= round(ends[1], 2)


def test_the_spread_tables_name_each_outcome_once_as_a_heading_over_its_rows(summary):
    soup = _spread_tables(summary)["assumption"]
    headings = [cell.get_text() for cell in soup.select("tbody tr.cnslbp-group th")]
    assert headings[:3] == [
        "Pain Interference Questionnaire (PIQ)",
        "Pain Self-Efficacy Questionnaire (PSEQ)",
        "Pain Severity Questionnaire (PSQ)",
    ]
    first = soup.select_one("#derived-piq_sd_2").select("td")
    assert first[0].get_text() == "stage 2 SD" and first[1].get_text() == "a"
    # what a number is computed from: the prior of its drawn input, then the assumed constants
    computed = soup.select_one("#derived-piq_rtm_chance").select("td")
    assert computed[1].get_text() == "a, e, g" and computed[2].get_text() == "—"


def test_each_assumption_is_stated_once_and_every_letter_the_tables_use_is_stated(summary):
    soup = BeautifulSoup(assumptions_table(), "html.parser")
    rows = {row.select("td")[0].get_text(): row.select("td")[1].get_text() for row in soup.select("tbody tr")}
    texts = list(rows.values())
    assert len(texts) == len(set(texts))
    assert any("reliabilit" in text for text in texts)
    # the prior on stage levels is written out once; assumptions that extend it name it by its letter
    prior = get_derived("piq_sd_2").assumption
    assert rows["(a)"] == prior and sum(prior in text for text in texts) == 1
    assert rows["(b)"].startswith("(a); ") and rows["(c)"].startswith("(b); ")
    used = {
        letter.strip()
        for cell in _spread_tables(summary)["assumption"].select("tbody tr[id] td:nth-of-type(2)")
        for letter in cell.get_text().split(",")
    }
    assert {f"({letter})" for letter in used} <= set(rows)


def test_every_marked_number_on_the_site_links_to_an_existing_row(reconstruction_site):
    rows = {}
    for page in ("abstract_determines", "number_audit"):
        soup = BeautifulSoup((reconstruction_site / "book" / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
        rows[f"{page}.html"] = {element.get("id") for element in soup.find_all(id=True)}
    pages_with_ranges = set()
    for page in (reconstruction_site / "book").glob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for link in soup.select("a.cnslbp-prov"):
            target, anchor = link["href"].split("#")
            assert anchor in rows[target], (page.name, link["href"])
            assert re.fullmatch(r"cnslbp-prov--(fixed|same-verdict|depends|assumption)", link["class"][-1])
        if soup.select(".cnslbp-range"):
            pages_with_ranges.add(page.stem)
    # the PSQ interval is fixed to within one unit of its last digit, so the secondary outcomes show no ranges
    assert {"primary_outcomes", "association", "stages", "limitations"} <= pages_with_ranges


# What counts as a mark: a marked number, a passage or table marked as a whole, a row marked by its class,
# or a number that is not about this study at all ({external}).
MARKED = (
    ".cnslbp-num, .cnslbp-prov, .cnslbp-external, .cnslbp-block, table[class*='cnslbp-table--'], "
    "tr[class*='cnslbp-row--']"
)
# not prose: code, formulas, charts (their numbers are axes and data), references, the data notice
NOT_PROSE = "pre, code, .math, script, style, svg, .vega-embed, .citation, .cnslbp-dataset, #bibliography"
# conventions every reader knows, not numbers about the study
CONVENTIONS = {"0.05", ".05", "1.96", "2.5", "97.5", "0.975"}
DECIMAL = re.compile(r"(?<![\w.])[−+-]?\d*\.\d+")


def unmarked_decimals(markup: str) -> list[str]:
    """Every decimal number in a page's article that no mark covers, with a little context."""
    soup = BeautifulSoup(markup, "html.parser")
    article = soup.find("article") or soup
    for element in article.select(f"{NOT_PROSE}, {MARKED}"):
        element.decompose()
    found = []
    for text in article.find_all(string=True):
        line = " ".join(str(text).split())
        for match in DECIMAL.finditer(line):
            software = line[: match.start()].endswith("Python ")  # a version, as the README names it
            if match.group().lstrip("−+-") not in CONVENTIONS and not software:
                found.append(line[max(0, match.start() - 50) : match.end() + 10])
    return found


def test_the_unmarked_decimal_finder_finds_them():
    page = (
        '<article><p>an effect of 0.48 and <span class="cnslbp-prov">0.98</span>, p below 0.05, '
        '<code>3.11</code></p><table class="cnslbp-table--assumption"><tr><td>2.85</td></tr></table></article>'
    )
    assert unmarked_decimals(page) == ["an effect of 0.48 and"]


def test_no_page_holds_a_decimal_without_a_mark(reconstruction_site):
    # every page a reader reads for the study; the library reference documents code, whose docstrings'
    # worked examples are about the functions, not findings
    pages = [page for page in sorted((reconstruction_site / "book").glob("*.html")) if "reference_" not in page.name]
    assert len(pages) >= 15
    found = {page.name: unmarked_decimals(page.read_text(encoding="utf-8")) for page in pages}
    assert {name: hits for name, hits in found.items() if hits} == {}
    # and the pages do quote numbers: the finder is not looking at empty pages
    primary = (reconstruction_site / "book" / "primary_outcomes.html").read_text(encoding="utf-8")
    assert len(BeautifulSoup(primary, "html.parser").select(".cnslbp-prov, .cnslbp-num")) > 50
