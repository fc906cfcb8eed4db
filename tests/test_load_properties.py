"""Whatever text a cell holds, the loader answers with a cohort or a precise problem, never a crash.

Property-based tests corrupt cells of the committed cohort with arbitrary text and with a mix of the
values that used to crash or slip through (special float words, huge integers, digits of other
scripts, exponents, separators, control characters, quotes), written as a spreadsheet would write
them (quoted where needed). The command line is then run on a few such files as a user would, and
with its output pipe closed early.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import cnslbp_lib as cl
from cnslbp_lib.data.schema import WHOLE_NUMBER_RULE, cohort_table_schema
from cnslbp_lib.exceptions import CohortValidationError

from .conftest import COHORT_CSV, HEADER

CNSLBP = Path(sys.executable).with_name("cnslbp")
COLUMNS = HEADER.split(",")
ROWS = list(csv.reader(io.StringIO(COHORT_CSV.read_text(encoding="utf-8"))))[1:]
FIELDS = {field["name"]: field for field in cohort_table_schema()["fields"]}
DUPLICATE = "participant, stage"
LINE_BREAK = re.compile("\r\n|\r|\n")
PROPERTY = settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])

# --- the values to try ---------------------------------------------------------------------------------


@st.composite
def any_case(draw, word):
    return "".join(char.upper() if draw(st.booleans()) else char.lower() for char in word)


SPECIAL_FLOAT_WORD = st.sampled_from(["nan", "inf", "infinity", "snan", "1e400", "1e-400"]).flatmap(any_case)
HUGE_INTEGER = st.one_of(
    st.integers(2**63 - 2, 10**40).map(str),
    st.integers(1, 4_400).map(lambda n: "9" * n),  # beyond 4,300 digits int() refuses
)
ATOM = st.one_of(
    st.integers(-5, 75).map(str),  # in range for some column, out of range for others
    SPECIAL_FLOAT_WORD,
    HUGE_INTEGER,
    st.sampled_from(["+", "-", "\u2212", "++", "+-", "e", "E+", "e-", "1e1", "7e0"]),  # signs and exponents
    st.sampled_from(["٣", "３", "𝟑", "৩", "߃", "²", "Ⅲ", "١٠"]),  # digits of other scripts
    st.sampled_from([" ", "\t", "\u00a0", "\u2003", "\u3000"]),  # whitespace, ASCII or not
    st.sampled_from([",", "1,000", "1 000", "1_000", "1'000", "1.000"]),  # thousands separators
    st.sampled_from([".", "7.0", ".5", "5.", "0.0", "40.00", "+3.0", "7.50", "1.0e1"]),  # decimal points
    st.characters(min_codepoint=1, max_codepoint=0x1F).map(str),  # control characters, NUL excepted
    st.sampled_from(["\x7f", "\x85", "\u2028", "\ufeff", "\r", "\n", "\r\n"]),
    st.sampled_from(['"', '""', "'", ",", '","', "=1+1", "<b>", "&amp;"]),  # quotes, commas, markup, formulas
)
NASTY = st.lists(ATOM, min_size=1, max_size=4).map("".join)
CELL = st.one_of(st.text(), NASTY)

# --- what the rule says a cell should give (an independent statement of WHOLE_NUMBER_RULE) ------------


class Verdict(str):
    """BLANK or MALFORMED: never equal to a participant id, however the id is spelt."""

    def __eq__(self, other):
        return self is other

    __hash__ = str.__hash__


BLANK, MALFORMED = Verdict("blank"), Verdict("malformed")


def meaning(column: str, text: str) -> object:
    """The value a cell holds by the documented rule: an int, BLANK, MALFORMED or (for ids) the text."""
    if column == "participant":
        return BLANK if not text.strip() else text
    stripped = text.strip(" \t")
    if not stripped:
        return BLANK
    if not re.fullmatch("[+-]?[0-9]+([.]0+)?", stripped, flags=re.ASCII):  # 40.0 and 40.00 are 40
        return MALFORMED
    whole = stripped.split(".")[0]
    if len(whole.lstrip("+-").lstrip("0")) > 100:  # out of every range; int() refuses over 4,300 digits
        return -(10**100) if whole.startswith("-") else 10**100
    return int(whole)


def in_range(column: str, number: int) -> bool:
    constraints = FIELDS[column]["constraints"]
    if "enum" in constraints:
        return number in constraints["enum"]
    return constraints["minimum"] <= number <= constraints["maximum"]


# --- the file ------------------------------------------------------------------------------------------


def write_cohort(path: Path, rows: list[list[str]], line_end: str) -> list[int]:
    """Write the rows as a spreadsheet would; return the line each record starts on.

    Fields holding a comma, a quote, a CR or an LF are quoted (a writer whose line end is CRLF
    quotes both), whatever line end the file then uses.
    """
    records, starts, line = [], [], 2
    for row in [COLUMNS, *rows]:
        buffer = io.StringIO(newline="")
        csv.writer(buffer, lineterminator="\r\n").writerow(row)
        record = buffer.getvalue().removesuffix("\r\n") + line_end
        if row is not COLUMNS:
            starts.append(line)
            line += len(LINE_BREAK.findall(record))
        records.append(record)
    path.write_text("".join(records), encoding="utf-8", newline="")
    return starts


@st.composite
def corrupted_cohorts(draw, max_cells=1):
    """The committed rows with a few cells replaced by arbitrary text, and which cells those are."""
    cells = draw(
        st.lists(
            st.tuples(st.integers(0, len(ROWS) - 1), st.sampled_from(COLUMNS)),
            min_size=1,
            max_size=max_cells,
            unique=True,
        )
    )
    rows = [list(row) for row in ROWS]
    for row, column in cells:
        rows[row][COLUMNS.index(column)] = draw(CELL)
    return rows, cells, draw(st.sampled_from(["\n", "\r\n"]))


def load(path: Path) -> tuple[cl.Cohort | None, list]:
    """Load the file; only a cohort or a CohortValidationError may come back."""
    try:
        return cl.load_cohort(path), []
    except CohortValidationError as error:
        assert error.problems
        return None, list(error.problems)


def assert_every_problem_points_at_a_corrupted_cell(problems, path, rows, cells, starts):
    corrupted_lines = {starts[row]: row for row, _ in cells}
    corrupted = {(starts[row], column) for row, column in cells}
    for problem in problems:
        assert problem.file == str(path)
        assert problem.rule
        assert problem.line is not None and problem.column is not None, problem
        if problem.value is None:
            assert problem.rule.endswith("must not be blank"), problem
            row = corrupted_lines[problem.line]
            assert rows[row][COLUMNS.index(problem.column)] == "", problem  # an empty cell has no value to cite
        if problem.column == DUPLICATE:
            # the repeated pair is cited on both lines; one of them holds a corrupted id or stage
            participant, stage = problem.value.rsplit(", ", 1)
            assert any(
                column in ("participant", "stage")
                and str(rows[row][0]) == participant
                and meaning("stage", rows[row][1]) == int(stage)
                for row, column in cells
            ), problem
        elif problem.column == "global_change" and problem.rule == "global_change must be empty at stage 1":
            # a stage turned into 1, or a rating put at stage 1
            assert {(problem.line, "stage"), (problem.line, "global_change")} & corrupted, problem
        else:
            assert (problem.line, problem.column) in corrupted, problem
            row = corrupted_lines[problem.line]
            assert problem.value == rows[row][COLUMNS.index(problem.column)] or problem.value is None, problem


def assert_each_corrupted_cell_is_judged_by_the_rule(cohort, problems, rows, cells, starts):
    for row, column in cells:
        text = rows[row][COLUMNS.index(column)]
        value = meaning(column, text)
        here = [(p.value, p.rule) for p in problems if (p.line, p.column) == (starts[row], column)]
        if value == MALFORMED:
            assert here == [(text, WHOLE_NUMBER_RULE)]
        elif isinstance(value, int) and not in_range(column, value):
            assert any(written == text and rule != WHOLE_NUMBER_RULE for written, rule in here), here
        elif value == BLANK and column in ("participant", "stage"):
            assert [rule for _, rule in here] == [f"{column} must not be blank"]
        elif column == "global_change" and value != BLANK and meaning("stage", rows[row][1]) == 1:
            assert here == [(text, "global_change must be empty at stage 1")]
        else:  # a number in range, a blank score or rating, or an id: nothing wrong with the cell itself
            assert here == [], here
    if cohort is not None:  # every accepted cell holds what the rule says it does
        data = cohort.data.set_index(["participant", "stage"])
        for row, column in cells:
            text = rows[row][COLUMNS.index(column)]
            participant, stage = rows[row][0], meaning("stage", rows[row][1])
            if column == "participant":
                assert participant in data.index.get_level_values("participant")
            elif column != "stage":
                held = data.loc[(participant, stage), column]
                expected = meaning(column, text)
                assert (pd.isna(held) and expected == BLANK) or held == expected


# --- properties ----------------------------------------------------------------------------------------


@PROPERTY
@given(case=corrupted_cohorts(max_cells=1))
def test_any_text_in_one_cell_gives_a_cohort_or_problems_at_that_cell(tmp_path, case):
    rows, cells, line_end = case
    path = tmp_path / "cohort.csv"
    starts = write_cohort(path, rows, line_end)
    cohort, problems = load(path)
    [(row, column)] = cells
    value = meaning(column, rows[row][COLUMNS.index(column)])
    kind = value if isinstance(value, Verdict) else type(value).__name__
    event(
        f"{column}: {kind}, {'loaded' if cohort is not None else 'rejected'}"
    )  # shown by --hypothesis-show-statistics
    assert_every_problem_points_at_a_corrupted_cell(problems, path, rows, cells, starts)
    assert_each_corrupted_cell_is_judged_by_the_rule(cohort, problems, rows, cells, starts)


@PROPERTY
@given(case=corrupted_cohorts(max_cells=6))
def test_any_text_in_several_cells_gives_problems_only_at_those_cells(tmp_path, case):
    rows, cells, line_end = case
    path = tmp_path / "cohort.csv"
    starts = write_cohort(path, rows, line_end)
    cohort, problems = load(path)
    assert_every_problem_points_at_a_corrupted_cell(problems, path, rows, cells, starts)
    assert_each_corrupted_cell_is_judged_by_the_rule(cohort, problems, rows, cells, starts)


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(column=st.sampled_from(COLUMNS[1:]), word=SPECIAL_FLOAT_WORD, sign=st.sampled_from(["", "+", "-"]))
def test_special_float_words_in_any_case_and_sign_are_malformed_numbers(tmp_path, column, word, sign):
    rows = [list(row) for row in ROWS]
    rows[4][COLUMNS.index(column)] = sign + word
    path = tmp_path / "cohort.csv"
    write_cohort(path, rows, "\n")
    _, problems = load(path)
    assert [(p.line, p.column, p.value, p.rule) for p in problems] == [(6, column, sign + word, WHOLE_NUMBER_RULE)]


CSV_SYNTAX = st.text(alphabet='",\r\n \t\x00\ufeff0123456789+-.eAé٣', max_size=200)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(CSV_SYNTAX.map(str.encode), st.binary(max_size=200)), line_end=st.sampled_from([b"\n", b"\r\n"]))
def test_any_bytes_after_a_valid_header_give_a_cohort_or_problems_naming_the_file(tmp_path, body, line_end):
    # stray quotes, lone carriage returns, NULs, byte-order marks and invalid UTF-8 after a good header
    path = tmp_path / "cohort.csv"
    path.write_bytes(HEADER.encode() + line_end + body)
    cohort, problems = load(path)
    assert cohort is not None or problems
    for problem in problems:
        assert problem.file == str(path)
        assert problem.rule
        assert problem.line is None or problem.line >= 1
        assert problem.column is None or problem.line is not None


# --- the command line, as a user runs it ---------------------------------------------------------------

NASTY_FILE = (
    f"{HEADER}\n"
    "A,1,inf,NaN,-Infinity,\n"
    "A,2,40,20,20,nan\n"
    "A,99999999999999999999999,40,20,20,\n"
    "B,1,٣,３,1e1,\n"
    'B,2,"1,000",7.5,20,-99999999999999999999999\n'
)
NASTY_CELLS = [
    (2, "piq", "inf"),
    (2, "pseq", "NaN"),
    (2, "psq", "-Infinity"),
    (3, "global_change", "nan"),
    (4, "stage", "99999999999999999999999"),
    (5, "piq", "٣"),
    (5, "pseq", "３"),
    (5, "psq", "1e1"),
    (6, "piq", "1,000"),
    (6, "pseq", "7.5"),
    (6, "global_change", "-99999999999999999999999"),
]


def test_cli_names_file_line_column_value_and_rule_for_nasty_values_without_a_traceback(tmp_path):
    path = tmp_path / "nasty.csv"
    path.write_text(NASTY_FILE, encoding="utf-8")
    result = subprocess.run([CNSLBP, "validate", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: {path}: {len(NASTY_CELLS)} problems found\n")
    for line, column, value in NASTY_CELLS:
        assert f"{path}, line {line}, column {column!r}, value {value!r}: " in result.stderr
    assert f"value 'inf': {WHOLE_NUMBER_RULE}\n" in result.stderr
    assert "value '99999999999999999999999': stage must be 1, 2 or 3\n" in result.stderr


def test_cli_reports_broken_quoting_and_bad_bytes_without_a_traceback(tmp_path):
    quoted = tmp_path / "quotes.csv"
    quoted.write_text(f'{HEADER}\nA,1,40,20,20,\n"B,1,40,20,20,\n', encoding="utf-8")
    binary = tmp_path / "utf16.csv"
    binary.write_bytes(f"{HEADER}\nA,1,40,20,20,\n".encode("utf-16"))
    for path, message in [
        (quoted, f"{quoted}, line 3, value '\"B,1,40,20,20,': a quoted value starting on this line is never closed"),
        (binary, f"{binary}, line 1, value '0xFF 0xFE': file must be UTF-8 text"),
    ]:
        result = subprocess.run([CNSLBP, "validate", str(path)], capture_output=True, text=True, check=False)
        assert result.returncode == 1
        assert message in result.stderr
        assert "Traceback" not in result.stderr


def test_output_piped_into_head_ends_quietly():
    result = subprocess.run(
        f"'{CNSLBP}' validate '{COHORT_CSV}' | head -c 10",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert len(result.stdout) == 10
    assert "Traceback" not in result.stderr
    assert "Exception ignored" not in result.stderr
    assert "BrokenPipeError" not in result.stderr


def test_a_pipe_closed_before_anything_is_written_ends_quietly_with_status_141():
    # the reader is gone before the command has even started writing, so every write fails
    command = subprocess.Popen([CNSLBP, "validate", str(COHORT_CSV)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    command.stdout.close()
    errors = command.stderr.read().decode()
    command.stderr.close()
    assert command.wait() == 141
    assert errors == ""


def test_long_output_cut_short_by_head_ends_quietly_with_status_141(tmp_path):
    # thousands of warnings: far more than a pipe holds, so the writer meets the closed pipe mid-way
    many = tmp_path / "many.csv"
    many.write_text(HEADER + "\n" + "".join(f"p{i},1,40,20,20,\n" for i in range(5000)), encoding="utf-8")
    result = subprocess.run(
        ["bash", "-c", f"'{CNSLBP}' validate '{many}' | head -n 1; echo \"status ${{PIPESTATUS[0]}}\" >&2"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.startswith(f"{many}: valid.")
    assert result.stderr == "status 141\n"
