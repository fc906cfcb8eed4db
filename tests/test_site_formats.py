"""A clinic's file builds the same site as its long CSV.

One end-to-end build, of the most demanding kind: a wide workbook whose scores are on its second sheet, so the
sheet has to reach every chapter's kernel. The other kinds are compared where a difference would come from: the
tidy cohort (test_convert.py) and every value the chapters show (below).
"""

from __future__ import annotations

import pytest

import cnslbp_lib as cl
from cnslbp_lib.publish.chapters import chapter_values

from . import clinic_files
from .conftest import shared_build
from .test_convert import WRITERS, gappy_cohort
from .test_site_own_data import write_cohort

pytestmark = pytest.mark.slow(
    seconds=75, reason="builds a whole site from a workbook and every chapter's values for six files"
)

# Files that differ between two builds of the same data, or that hold the data file's name and hash in a form
# no text substitution undoes: Sphinx's hash of its configuration (which includes the SHA-256), the search
# index (the file name's words and the SHA-256 are indexed terms, sorted; it is built from the pages compared
# here), and the icon font (fontTools stamps the time of the build into it).
BUILD_SPECIFIC = {".buildinfo", "searchindex.js", "_static/cnslbp-icons/fa-solid-900.woff"}


def normalised_site(site, data, sheet=None):
    """Every file of a built site, with the data file's name and SHA-256 (which the banner shows) replaced."""
    cohort = cl.load_cohort(data, sheet=sheet)
    files = {}
    for path in sorted(site.rglob("*")):
        relative = str(path.relative_to(site))
        if path.is_file() and relative not in BUILD_SPECIFIC:
            content = path.read_bytes().replace(data.name.encode(), b"<data file>")
            files[relative] = content.replace(cohort.sha256.encode(), b"<sha256>")
    return files


@pytest.fixture(scope="module")
def workbook_and_long_sites(tmp_path_factory, worker_id):
    folder = tmp_path_factory.mktemp("formats")
    # the same file test_site_own_data.py builds (same name and bytes), so its build is shared, not repeated
    long = folder / "large-clinic.csv"
    write_cohort(long, 40, seed=12, global_change=True, gaps=True)
    workbook = clinic_files.write_wide_workbook(long, folder / "large.xlsx", sheet="Scores", first_sheet="About")
    workbook_site = folder / "site-workbook"
    from cnslbp_lib.publish.build.sitebuild import build_site

    # the workbook first: meanwhile test_site_own_data.py builds the long CSV on the other worker
    build_site(workbook, workbook_site, sheet="Scores", quiet=True)  # a wide sheet behind another: the sheet travels
    long_site = shared_build(tmp_path_factory, worker_id, "large", long)
    return (workbook_site, workbook), (long_site, long)


def test_a_wide_workbook_on_its_second_sheet_builds_the_same_site_as_its_long_csv(workbook_and_long_sites):
    (workbook_site, workbook), (long_site, long) = workbook_and_long_sites
    built = normalised_site(workbook_site, workbook, sheet="Scores")
    reference = normalised_site(long_site, long)
    assert sorted(built) == sorted(reference)
    assert sum(name.endswith(".html") for name in built) > 10
    differing = [name for name in reference if built[name] != reference[name]]
    assert differing == []
    start = (workbook_site / "book" / "start_here.html").read_text(encoding="utf-8")
    assert "user-supplied cohort file <code>large.xlsx</code>" in start


@pytest.fixture(scope="module")
def gappy(tmp_path_factory):
    long = gappy_cohort(tmp_path_factory.mktemp("gappy") / "gappy.csv")
    return long, chapter_values(cl.load_cohort(long))


@pytest.mark.parametrize("kind", [kind for kind in WRITERS if kind != "wide workbook"])  # built end to end above
def test_each_other_kind_of_file_gives_every_value_the_chapters_show_as_its_long_csv_does(gappy, tmp_path, kind):
    # every number, sentence, table and chart of every chapter comes from publish.chapters, given the cohort
    long, expected = gappy
    found = chapter_values(cl.load_cohort(WRITERS[kind](long, tmp_path)))
    assert len(found) > 100
    assert found == expected
