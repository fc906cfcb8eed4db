"""The command line: exit codes and messages, run as a user would run it."""

from __future__ import annotations

import json
import subprocess
import sys

import cnslbp_lib as cl

from . import clinic_files
from .conftest import COHORT_CSV, HEADER


def run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cnslbp_lib.cli", *arguments], capture_output=True, text=True, check=False
    )


def test_validate_accepts_the_committed_cohort():
    result = run("validate", str(COHORT_CSV))
    assert result.returncode == 0
    assert "valid. 14 participants, 42 rows over 3 stages" in result.stdout


def test_validate_rejects_a_bad_file_with_every_problem_and_no_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\nA,1,99,20,20,\nA,2,41,x,21,0\n", encoding="utf-8")
    result = run("validate", str(bad))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{bad}, line 2, column 'piq', value '99': PIQ total must be a whole number from 0 to 70" in result.stderr
    assert f"{bad}, line 3, column 'pseq', value 'x': must be a whole number" in result.stderr


def test_validate_lists_incomplete_records_as_warnings(tmp_path):
    partial = tmp_path / "partial.csv"
    partial.write_text(f"{HEADER}\nA,1,40,20,20,\nA,2,,22,21,0\n", encoding="utf-8")
    result = run("validate", str(partial))
    assert result.returncode == 0
    assert "participant 'A', stage 2: piq is blank" in result.stdout
    assert "participant 'A', stage 3: no row for this stage" in result.stdout


def test_validate_says_how_it_read_the_file_its_layout_mapping_and_notes(tmp_path):
    workbook = clinic_files.write_wide_workbook(COHORT_CSV, tmp_path / "wide.xlsx", first_sheet="About")
    result = run("validate", str(workbook), "--sheet", "Scores")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"{workbook}, sheet 'Scores': valid. 14 participants, 42 rows over 3 stages, global_change present."
    )
    assert lines[1] == (
        "Read as: Excel workbook, sheet 'Scores'; "
        "layout wide: one row per participant, one column per measure and stage."
    )
    assert lines[2] == "Columns:"
    assert lines[3].split() == ["id", "->", "participant", "id"]
    assert lines[4].split() == ["piq_1", "->", "piq", "at", "stage", "1", "(pre-education)"]
    assert "  - read the sheet 'Scores', the one named of the workbook's 2 sheets ('About', 'Scores');" in result.stdout


def test_validate_counts_the_cells_written_as_decimals(tmp_path):
    export = clinic_files.write_pandas_export(COHORT_CSV, tmp_path / "export.csv")
    result = run("validate", str(export))
    assert result.returncode == 0
    assert "  - 28 cells held whole numbers written as decimals (such as '3.0'); read as the whole numbers" in (
        result.stdout
    )


def test_audit_reads_any_format_and_gives_the_same_table(tmp_path):
    spss = clinic_files.write_wide_spss(COHORT_CSV, tmp_path / "wide.sav")
    expected = cl.audit(cl.load_cohort(COHORT_CSV)).to_csv(index=False, lineterminator="\n")
    assert run("audit", str(spss), "--format", "csv").stdout == expected


def test_audit_prints_every_reported_number_with_its_verdict():
    result = run("audit", str(COHORT_CSV))
    assert result.returncode == 0
    assert "15 of 17 reported numbers agree." in result.stdout
    assert "pseq_p_val" in result.stdout and "DISAGREES" in result.stdout


def test_audit_as_json_and_csv():
    records = json.loads(run("audit", str(COHORT_CSV), "--format", "json").stdout)
    assert [record["key"] for record in records if not record["agrees"]] == ["pseq_p_val", "piq_responders"]
    csv_text = run("audit", str(COHORT_CSV), "--format", "csv").stdout
    assert csv_text.splitlines()[0] == "key,label,reported,recomputed,recomputed_printed,agrees,verdict,explanation"


# `cnslbp reconstruct --out ... --summary ...` writing the committed files is in test_reconstruct.py (it runs once)


def test_unwritable_output_is_a_clean_error(tmp_path):
    missing = tmp_path / "no" / "such" / "dir"
    # the error the file writer meets, and reconstruct's check before its minute of drawing
    for command in (
        ("schema", "--paper", "--out", str(missing / "x.json")),
        ("reconstruct", "--out", str(missing / "x.csv")),
    ):
        result = run(*command)
        assert result.returncode == 1, command
        assert result.stderr.startswith("error: "), command
        assert "Traceback" not in result.stderr
        assert not missing.exists()
    assert result.stderr == f"error: {missing}: the folder to write into does not exist\n"


def test_checks_show_the_inconsistent_numbers():
    result = run("checks")
    assert result.returncode == 0
    assert "[inconsistent] p from CI" in result.stdout


def test_wrong_usage_exits_two():
    assert run("audit").returncode == 2
