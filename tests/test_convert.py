"""Converting keeps everything: the long CSV it writes loads as exactly the cohort the original gave."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cnslbp_lib as cl
from cnslbp_lib.data.convert import cohort_csv, convert_cohort
from cnslbp_lib.exceptions import CohortValidationError

from . import clinic_files
from .conftest import COHORT_CSV, HEADER

WRITERS = {
    "pandas export with blanks": lambda long, folder: clinic_files.write_pandas_export(long, folder / "export.csv"),
    "wide workbook": lambda long, folder: clinic_files.write_wide_workbook(long, folder / "wide.xlsx"),
    "wide SPSS with value labels": lambda long, folder: clinic_files.write_wide_spss(long, folder / "wide.sav"),
    "Stata": lambda long, folder: clinic_files.write_stata(long, folder / "long.dta"),
    "REDCap export": lambda long, folder: clinic_files.write_redcap(long, folder / "redcap.csv"),
}


def gappy_cohort(path):
    """The committed cohort with what clinics' files have: blank scores and a participant lost to follow-up."""
    frame = pd.read_csv(COHORT_CSV, dtype=str, keep_default_na=False)
    frame.loc[4, "piq"] = ""
    frame.loc[10, ["pseq", "global_change"]] = ""
    frame = frame[~((frame["participant"] == frame["participant"].iloc[-1]) & (frame["stage"] == "3"))]
    frame.to_csv(path, index=False)
    return path


def assert_same_cohort(loaded, reference):
    pd.testing.assert_frame_equal(loaded.data, reference.data)
    pd.testing.assert_frame_equal(loaded.incomplete, reference.incomplete)


@pytest.mark.parametrize("kind", list(WRITERS))
def test_each_kind_of_clinic_file_converts_to_a_long_csv_that_loads_as_the_same_cohort(tmp_path, kind):
    long = gappy_cohort(tmp_path / "gappy.csv")
    original = WRITERS[kind](long, tmp_path)
    reference = cl.load_cohort(long)
    assert_same_cohort(cl.load_cohort(original), reference)  # read directly, the same as its long CSV
    converted, _ = convert_cohort(original, tmp_path / "converted.csv")
    assert_same_cohort(converted, reference)
    assert_same_cohort(cl.load_cohort(tmp_path / "converted.csv"), reference)  # and again after converting
    # every kind converts to the very same bytes: the long CSV, sorted by participant and stage
    assert (tmp_path / "converted.csv").read_text(encoding="utf-8") == cohort_csv(reference)


def test_the_books_own_file_converts_to_itself_byte_for_byte(tmp_path):
    _, digest = convert_cohort(COHORT_CSV, tmp_path / "again.csv")
    assert (tmp_path / "again.csv").read_bytes() == COHORT_CSV.read_bytes()
    assert digest == cl.load_cohort(COHORT_CSV).sha256


IDS = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), min_size=1, max_size=8).filter(
    lambda text: text.strip() != ""
)


@st.composite
def cohorts(draw):
    ids = draw(st.lists(IDS, min_size=1, max_size=5, unique=True))
    lines = [HEADER]
    for participant in ids:
        for stage in draw(st.lists(st.sampled_from([1, 2, 3]), min_size=1, max_size=3, unique=True)):
            scores = [draw(st.one_of(st.just(""), st.integers(0, top).map(str))) for top in (70, 60, 40)]
            change = "" if stage == 1 else draw(st.one_of(st.just(""), st.integers(-3, 3).map(str)))
            quoted = '"' + participant.replace('"', '""') + '"'
            lines.append(",".join([quoted, str(stage), *scores, change]))
    return "\n".join(lines) + "\n"


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=cohorts())
def test_any_valid_cohort_survives_conversion_with_every_id_and_value_intact(tmp_path, text):
    # ids with commas, quotes, line breaks, spaces and other scripts: written back so they read the same
    source = tmp_path / "source.csv"
    source.write_text(text, encoding="utf-8", newline="")
    converted, _ = convert_cohort(source, tmp_path / "converted.csv")
    assert_same_cohort(cl.load_cohort(tmp_path / "converted.csv"), converted)


def test_a_refused_file_writes_nothing_and_leaves_an_earlier_file_as_it_was(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\nA,1,99,20,20,\n", encoding="utf-8")
    out = tmp_path / "cohort.csv"
    out.write_text("an earlier file\n", encoding="utf-8")
    with pytest.raises(CohortValidationError):
        convert_cohort(bad, out)
    assert out.read_text(encoding="utf-8") == "an earlier file\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bad.csv", "cohort.csv"]  # no temporary file left


def run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cnslbp_lib.cli", *arguments], capture_output=True, text=True, check=False
    )


def test_cnslbp_convert_writes_the_long_csv_and_says_how_it_read_the_file(tmp_path):
    workbook = clinic_files.write_wide_workbook(COHORT_CSV, tmp_path / "wide.xlsx", first_sheet="About")
    out = tmp_path / "cohort.csv"
    result = run("convert", str(workbook), "--sheet", "Scores", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == COHORT_CSV.read_bytes()
    assert result.stdout.splitlines()[0].startswith(
        f"wrote {out}: 14 participants, 42 rows, long layout (read from {workbook}, sheet 'Scores', Excel workbook, "
        "layout wide; SHA-256 "
    )


def test_cnslbp_convert_of_a_refused_file_exits_one_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,piq_pre,piq_post,pseq_pre,psq_pre\na,1,2,3,4\n", encoding="utf-8")
    result = run("convert", str(bad), "--out", str(tmp_path / "out.csv"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{bad}, line 1, column 'piq_post': the stage 'post' could be stage 2" in result.stderr
    assert not (tmp_path / "out.csv").exists()
