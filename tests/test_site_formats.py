"""A clinic's file shows the same values as its long CSV, whatever its format and layout.

Every kind of file is compared where a difference would come from: the tidy cohort (test_convert.py) and every
value the chapters show (below). The most demanding kind, a wide workbook whose scores are on its second sheet
(so the sheet has to reach every chapter's kernel), is built as a whole site in test_site_own_data.py.
"""

from __future__ import annotations

import pytest

import cnslbp_lib as cl
from cnslbp_lib.publish.chapters import chapter_values

from .test_convert import WRITERS, gappy_cohort

pytestmark = pytest.mark.slow(seconds=40, reason="every chapter's values for each kind of file and its long CSV")


@pytest.fixture(scope="module")
def gappy(tmp_path_factory):
    long = gappy_cohort(tmp_path_factory.mktemp("gappy") / "gappy.csv")
    return long, chapter_values(cl.load_cohort(long))


@pytest.mark.parametrize("kind", list(WRITERS))
def test_each_kind_of_file_gives_every_value_the_chapters_show_as_its_long_csv_does(gappy, tmp_path, kind):
    # every number, sentence, table and chart of every chapter comes from publish.chapters, given the cohort
    long, expected = gappy
    found = chapter_values(cl.load_cohort(WRITERS[kind](long, tmp_path)))
    assert len(found) > 100
    assert found == expected
