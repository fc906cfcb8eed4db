"""Where each number comes from: the classes the ensemble assigns, and how pages show them."""

from __future__ import annotations

import re

import numpy as np
import pytest
from bs4 import BeautifulSoup

from cnslbp_lib.paper.derived import DERIVED, Derived, classify, get_derived
from cnslbp_lib.paper.reconstruction import load_summary
from cnslbp_lib.publish.provenance import DERIVED_PAGE, RangedNumber, Ranges, spread_table


@pytest.fixture(scope="module")
def summary():
    return load_summary()


@pytest.mark.parametrize(
    ("key", "expected", "verdict"),
    [
        ("piq_wilcoxon_p", "same verdict", "p below .05"),  # the printed mean, CI and dz leave no room
        ("pseq_loo_p", "same verdict", "p below .05"),
        ("psq_wilcoxon_p", "depends", ""),  # crosses .05 between allowed datasets
        ("assoc_r_p", "depends", ""),
        ("assoc_r", "same verdict", "inverse"),  # the book's reading fixes the sign only
        ("piq_12_p", "assumption", ""),  # no stage 1 numbers in the abstract
        ("global_improved_3", "assumption", ""),
    ],
)
def test_the_ensemble_classifies_what_the_abstract_fixes(summary, key, expected, verdict):
    spread = summary.spread(key)
    assert (spread.derived_class, spread.verdict) == (expected, verdict)


def test_classes_follow_their_definitions_on_constructed_values():
    number = Derived("x", "x", "number", 2)
    p_value = get_derived("psq_wilcoxon_p")
    assert classify(number, np.array([1.001, 1.004, 0.996])).derived_class == "fixed"  # all print 1.00
    assert classify(number, np.array([1.0, 1.2])).derived_class == "depends"
    assert classify(p_value, np.array([0.01, 0.02, 0.049])).derived_class == "same verdict"
    assert classify(p_value, np.array([0.01, 0.2])).derived_class == "depends"
    assumed = get_derived("piq_12_p")
    assert classify(assumed, np.array([0.01, 0.2])).derived_class == "assumption"


def test_a_ranged_number_shows_its_range_links_to_its_row_and_explains_on_focus(summary):
    value = summary.worked_value("psq_wilcoxon_p")
    number = Ranges(summary).number("psq_wilcoxon_p", value)
    assert isinstance(number, RangedNumber)
    markup = number._repr_html_()
    spread = summary.spread("psq_wilcoxon_p")
    item = get_derived("psq_wilcoxon_p")
    assert f'href="{DERIVED_PAGE}#derived-psq_wilcoxon_p"' in markup
    assert (
        f'<span class="cnslbp-range"> [90%: {item.printed(spread.low)} to {item.printed(spread.high)}]</span>' in markup
    )
    assert "cnslbp-prov--depends" in markup and 'role="tooltip"' in markup
    assert f"median {item.printed(spread.median)}" in markup


def test_own_data_numbers_are_plain():
    assert Ranges(None).number("psq_wilcoxon_p", 0.1234) == "0.123"


def test_the_spread_table_has_an_anchored_row_for_every_derived_number(summary):
    soup = BeautifulSoup(spread_table(summary), "html.parser")
    ids = [row.get("id") for row in soup.select("tbody tr")]
    assert ids == [f"derived-{item.key}" for item in DERIVED]


def test_every_ranged_number_on_the_site_links_to_an_existing_row(reconstruction_site):
    target = BeautifulSoup((reconstruction_site / "book" / DERIVED_PAGE).read_text(encoding="utf-8"), "html.parser")
    anchors = {element.get("id") for element in target.find_all(id=True)}
    pages_with_ranges = set()
    for page in (reconstruction_site / "book").glob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for link in soup.select("a.cnslbp-prov"):
            assert link["href"].split("#")[1] in anchors, (page.name, link["href"])
            assert re.fullmatch(r"cnslbp-prov--(fixed|same-verdict|depends|assumption)", link["class"][-1])
        if soup.select(".cnslbp-range"):
            pages_with_ranges.add(page.stem)
    assert {"primary_outcomes", "association", "stages", "limitations", "secondary_outcomes"} <= pages_with_ranges
