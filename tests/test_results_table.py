"""Results tables: reading, writing the checks as text, JSON and CSV, and the `cnslbp check` command."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from cnslbp_lib.cli import main
from cnslbp_lib.exceptions import ResultsTableError
from cnslbp_lib.paper.paired_checks import CHECK_NAMES
from cnslbp_lib.paper.results_table import (
    CSV_COLUMNS,
    check_results_table,
    read_results_table,
    results_to_csv,
    results_to_json,
    results_to_text,
)

from .conftest import ROOT

EXAMPLE = ROOT / "data" / "examples" / "results_table_example.csv"
HEADER = "id,n,mean_change,ci_low,ci_high,p,source"


def run(*arguments: str) -> subprocess.CompletedProcess[str]:
    """The command in a process of its own, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "cnslbp_lib.cli", *arguments], capture_output=True, text=True, check=False
    )


def run_here(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    """The command in this process (faster): its exit code, output and error output."""
    code = main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_table_keeps_its_rows_in_order_and_its_extra_columns(write_csv):
    path = write_csv(
        f'\ufeff{HEADER}\npseq,14,+17.93,6.03,29.83,0.007,"Table 2, row 3"\n\nsleep,10,1.58,0.70,2.46,.003,R\n'
    )
    table = read_results_table(path)
    assert [row.result.id for row in table.rows] == ["pseq", "sleep"]
    assert [row.line for row in table.rows] == [2, 4]
    assert table.extra_columns == ("source",)
    assert table.rows[0].extra == (("source", "Table 2, row 3"),)
    assert table.rows[1].result.p == ".003" and table.rows[1].result.t is None


def test_a_header_with_only_some_fixed_columns_is_enough(write_csv):
    table = read_results_table(write_csv("id,p\na,0.04\n"))
    assert check_results_table(table)[0].verdict == "not checkable"


def test_a_near_miss_column_name_is_kept_with_a_warning(write_csv):
    table = read_results_table(write_csv("id,n,pre_means\na,14,3.2\n"))
    assert table.extra_columns == ("pre_means",)
    assert "did you mean 'pre_mean'?" in table.warnings[0]


def test_every_problem_of_a_bad_table_is_reported_at_once_with_file_line_and_column(write_csv):
    path = write_csv(f"{HEADER}\na,14,1,0,2,0.5,x\na,14,1,0,2,0.5,y\n,14,1,0,2,0.5,z\nb,14,1\n")
    with pytest.raises(ResultsTableError) as raised:
        read_results_table(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: 3 problems found")
    assert f"{path}, line 3, column 'id', value 'a': id is repeated (first on line 2)" in message
    assert f"{path}, line 4, column 'id': every row needs an id" in message
    assert f"{path}, line 5, value 'b,14,1': row has 3 fields but the header has 7" in message


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        ("n,p\n14,0.04\n", "line 1, column 'id': the header must have an id column"),
        ("id,p,p\na,1,2\n", "line 1, column 'p': column appears more than once"),
        ("id;n;p\na;14;0.04\n", "columns must be separated by commas"),
        ("", "file is empty"),
        (b"id,n\n\xff,14\n", "line 2: file must be UTF-8 text"),
        ('id,n\n"a,14\n', "line 2: line cannot be read as CSV"),
    ],
)
def test_an_unusable_table_names_the_rule(write_csv, content, rule):
    path = write_csv(content)
    with pytest.raises(ResultsTableError, match="problem") as raised:
        read_results_table(path)
    assert rule in str(raised.value)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ResultsTableError, match=r"nowhere\.csv: file does not exist"):
        read_results_table(tmp_path / "nowhere.csv")


def test_json_holds_every_check_of_every_row_with_intervals_and_explanations():
    table = read_results_table(EXAMPLE)
    rows = json.loads(results_to_json(table, check_results_table(table)))
    assert [row["id"] for row in rows] == ["piq", "pseq", "psq", "sleep", "nrs", "nrs-sem", "nrs-typo"]
    pseq = rows[1]
    assert pseq["verdict"] == "inconsistent"
    assert [check["name"] for check in pseq["checks"]] == list(CHECK_NAMES)
    p_vs_ci = next(check for check in pseq["checks"] if check["name"] == "p_vs_ci")
    assert p_vs_ci["verdict"] == "inconsistent" and "p_df_n_minus_2" in p_vs_ci["explained_by"]
    assert 0.0062 < p_vs_ci["interval"]["low"] < p_vs_ci["interval"]["high"] < 0.0063  # scipy: 0.00627 on 13 df
    assert pseq["extra"] == {"source": "this study's abstract (PSEQ)"}
    assert rows[3]["verdict"] == "consistent"  # R's sleep data


def test_csv_has_one_line_per_check_and_the_extra_columns():
    table = read_results_table(EXAMPLE)
    text = results_to_csv(table, check_results_table(table))
    lines = list(csv.DictReader(io.StringIO(text)))
    assert list(lines[0]) == [*CSV_COLUMNS, "source"]
    assert len(lines) == len(table.rows) * len(CHECK_NAMES)
    responder = next(line for line in lines if line["id"] == "piq" and line["check"] == "responder")
    assert responder["verdict"] == "inconsistent" and responder["explained_by"] == "truncation"
    assert float(responder["interval_low"]) == pytest.approx(100 * 11 / 14)


def test_text_opens_with_a_summary_line_per_row():
    table = read_results_table(EXAMPLE)
    text = results_to_text(check_results_table(table))
    assert text.startswith("7 results: 3 consistent, 4 inconsistent, 0 not checkable\n")
    assert "pseq      inconsistent     6  p_vs_ci (rounding_up; p_df_n_minus_2)" in text
    assert "nrs-typo  inconsistent    18  mean_change, grim_post_mean" in text


def test_the_command_checks_the_example_table_and_exits_zero(capsys):
    code, out, err = run_here(capsys, "check", "--table", str(EXAMPLE))
    assert code == 0, err
    assert "7 results: 3 consistent, 4 inconsistent, 0 not checkable" in out


def test_the_command_writes_json_and_csv(capsys):
    assert len(json.loads(run_here(capsys, "check", "--table", str(EXAMPLE), "--format", "json")[1])) == 7
    header = run_here(capsys, "check", "--table", str(EXAMPLE), "--format", "csv")[1].splitlines()[0]
    assert header == ",".join([*CSV_COLUMNS, "source"])


def test_the_command_exits_three_on_inconsistencies_only_when_asked(capsys):
    assert run_here(capsys, "check", "--table", str(EXAMPLE), "--fail-on-inconsistent")[0] == 3


def test_the_command_exits_one_without_a_traceback_for_a_bad_table(write_csv):
    path = write_csv("id,n\na,14\na,15\n")
    result = run("check", "--table", str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{path}, line 3, column 'id', value 'a': id is repeated (first on line 2)" in result.stderr


def test_the_command_takes_a_paper_file_or_a_table_but_not_both_or_neither(capsys):
    from cnslbp_lib.data.instruments import DEFAULT_PAPER

    code, out, _ = run_here(capsys, "check", str(DEFAULT_PAPER))
    assert code == 0
    assert "piq: inconsistent" in out and "pseq: inconsistent" in out and "psq: consistent" in out
    code, _, err = run_here(capsys, "check", str(DEFAULT_PAPER), "--table", "results.csv")
    assert code == 2 and "give a paper file (PAPER) or a results table (--table FILE), not both" in err
    assert run_here(capsys, "check")[0] == 2


def test_the_abstract_checks_command_still_works(capsys):
    code, out, _ = run_here(capsys, "checks")
    assert code == 0
    assert "[inconsistent] p from CI (" in out
