"""The loader accepts what spreadsheets write and rejects everything else with a precise message."""

from __future__ import annotations

import string

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cnslbp_lib as cl
from cnslbp_lib.data.schema import WHOLE_NUMBER_RULE
from cnslbp_lib.exceptions import CohortValidationError

from .conftest import COHORT_CSV, HEADER

GOOD_ROWS = "A,1,40,20,20,\nA,2,41,22,21,0\nA,3,20,40,15,2\n"


def problems_of(path):
    with pytest.raises(CohortValidationError) as caught:
        cl.load_cohort(path)
    return [(p.line, p.column, p.value, p.rule) for p in caught.value.problems]


def test_committed_cohort_loads_as_fourteen_complete_participants(cohort):
    assert cohort.n_participants == 14
    assert len(cohort.data) == 42
    assert cohort.incomplete.empty
    assert list(cohort.data.columns) == ["participant", "stage", "piq", "pseq", "psq", "global_change"]
    assert cohort.data.loc[cohort.data["stage"] == 1, "global_change"].isna().all()


def test_byte_order_mark_crlf_and_any_column_order_are_accepted(write_csv):
    plain = cl.load_cohort(write_csv(f"{HEADER}\n{GOOD_ROWS}", "plain.csv"))
    reordered = "global_change,psq,pseq,piq,stage,participant\r\n,20,20,40,1,A\r\n0,21,22,41,2,A\r\n2,15,40,20,3,A\r\n"
    spreadsheet = cl.load_cohort(write_csv(b"\xef\xbb\xbf" + reordered.encode(), "excel.csv"))
    pd.testing.assert_frame_equal(plain.data, spreadsheet.data)


def test_file_without_global_change_is_valid(write_csv):
    cohort = cl.load_cohort(write_csv("participant,stage,piq,pseq,psq\nA,1,40,20,20\nA,2,41,22,21\n"))
    assert not cohort.has_global_change


def test_missing_file_is_reported_by_name(tmp_path):
    missing = tmp_path / "nowhere.csv"
    assert problems_of(missing) == [(None, None, None, "file does not exist")]


def test_directory_and_empty_file_are_rejected(tmp_path, write_csv):
    assert problems_of(tmp_path) == [(None, None, None, "path is not a regular file")]
    assert problems_of(write_csv(b"\xef\xbb\xbf \n")) == [(None, None, None, "file is empty")]
    assert problems_of(write_csv(f"{HEADER}\n")) == [(None, None, None, "file has a header but no data rows")]


def test_unreadable_file_is_reported(write_csv, monkeypatch):
    path = write_csv(f"{HEADER}\n{GOOD_ROWS}")

    def refuse(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(type(path), "read_bytes", refuse)
    assert problems_of(path) == [(None, None, None, "file cannot be read (Permission denied)")]


def test_wrong_delimiter_is_named(write_csv):
    [(line, _, _, rule)] = problems_of(write_csv(HEADER.replace(",", ";") + "\nA;1;2;3;4;\n"))
    assert (line, rule) == (1, "columns must be separated by commas; this header uses semicolons")


def test_non_utf8_bytes_are_located_by_line(write_csv):
    content = f"{HEADER}\nA,1,40,20,20,\nB\xe9,1,40,20,20,\n".encode("latin-1")
    assert problems_of(write_csv(content)) == [
        (3, None, "0xE9", "file must be UTF-8 text; these bytes are not (save it as 'CSV UTF-8')")
    ]


def test_missing_extra_and_misspelt_columns_are_all_reported(write_csv):
    found = problems_of(write_csv("participant,stge,piq,pseqq,note\nA,1,2,3,x\n"))
    assert found == [
        (1, "stge", None, "unknown column; did you mean 'stage'?"),
        (1, "pseqq", None, "unknown column; did you mean 'pseq'?"),
        (1, "note", None, "unknown column; expected columns are participant, stage, piq, pseq, psq, global_change"),
        (1, "stage", None, "required column is missing from the header"),
        (1, "pseq", None, "required column is missing from the header"),
        (1, "psq", None, "required column is missing from the header"),
    ]


def test_every_bad_value_in_a_file_is_reported_at_once(write_csv):
    content = (
        f"{HEADER}\n"
        "A,1,40,20,20,\n"
        "A,1,41,22,21,\n"  # duplicate participant × stage
        "A,4,2.5,abc,41,\n"  # unknown stage, non-integer, non-numeric, out of range
        ",2,3,3,3,9\n"  # blank id, global_change out of range
        "B,1,80,-1,3,2\n"  # out of range both ways; global_change at stage 1
        "C,2,3,3\n"  # too few fields
    )
    found = problems_of(write_csv(content))
    assert found == [
        (2, "participant, stage", "A, 1", "each participant may have one row per stage; this one repeats line 3"),
        (3, "participant, stage", "A, 1", "each participant may have one row per stage; this one repeats line 2"),
        (4, "piq", "2.5", WHOLE_NUMBER_RULE),
        (4, "pseq", "abc", WHOLE_NUMBER_RULE),
        (4, "psq", "41", "PSQ total must be a whole number from 0 to 40"),
        (4, "stage", "4", "stage must be 1, 2 or 3"),
        (5, "global_change", "9", "Global perceived change must be a whole number from -3 to 3"),
        (5, "participant", None, "participant must not be blank"),
        (6, "global_change", "2", "global_change must be empty at stage 1"),
        (6, "piq", "80", "PIQ total must be a whole number from 0 to 70"),
        (6, "pseq", "-1", "PSEQ total must be a whole number from 0 to 60"),
        (
            7,
            None,
            "C,2,3,3",
            "row has 4 fields but the header has 6 "
            "(a missing value needs an empty field; a comma inside a value needs quotes)",
        ),
    ]


def test_problem_message_names_file_line_column_value_and_rule(write_csv):
    path = write_csv(f"{HEADER}\nA,1,99,20,20,\n")
    with pytest.raises(CohortValidationError) as caught:
        cl.load_cohort(path)
    assert str(caught.value).splitlines() == [
        f"{path}: 1 problem found",
        f"  - {path}, line 2, column 'piq', value '99': PIQ total must be a whole number from 0 to 70",
    ]


def test_quoted_values_are_read_with_their_commas(write_csv):
    cohort = cl.load_cohort(write_csv(f'{HEADER}\n"Smith, J",1,40,20,20,\n"Smith, J",2,40,20,20,1\n'))
    assert cohort.data["participant"].astype(str).unique().tolist() == ["Smith, J"]


def test_blank_scores_and_missing_stages_are_warnings_not_errors(write_csv):
    cohort = cl.load_cohort(write_csv(f"{HEADER}\nA,1,40,20,20,\nA,2,,22,21,0\n\nB,1,30,30,20,\n"))
    assert cohort.incomplete.to_dict("records") == [
        {"participant": "A", "stage": 2, "column": "piq", "issue": "piq is blank"},
        {"participant": "A", "stage": 3, "column": None, "issue": "no row for this stage"},
        {"participant": "B", "stage": 2, "column": None, "issue": "no row for this stage"},
        {"participant": "B", "stage": 3, "column": None, "issue": "no row for this stage"},
    ]
    assert cohort.skipped_lines == (4,)
    assert cohort.warnings[0].endswith("participant 'A', stage 2: piq is blank")


def test_pseudonymised_copy_hides_ids_behind_stable_labels(write_csv):
    cohort = cl.load_cohort(write_csv(f"{HEADER}\nzeta-9,1,40,20,20,\nalpha-3,1,30,30,20,\n"))
    labelled = cohort.pseudonymised()
    assert labelled.data["participant"].astype(str).tolist() == ["P01", "P02"]
    assert set(labelled.incomplete["participant"]) == {"P01", "P02"}
    assert "alpha-3" not in labelled.data.to_csv() + labelled.incomplete.to_csv()


def test_labels_widen_for_large_cohorts():
    labels = cl.data.load.participant_labels([str(i) for i in range(150)])
    assert sorted(labels.values())[:2] == ["P001", "P002"]


# --- property-based: random malformed tables never crash the loader ------------------------------------

CELL = st.one_of(
    st.integers(-200, 200).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(alphabet=string.printable + "é√−\u00a0", max_size=6),
    st.just(""),
)
COLUMNS = ["participant", "stage", "piq", "pseq", "psq", "global_change"]


@st.composite
def malformed_tables(draw):
    header = draw(st.lists(st.one_of(st.sampled_from(COLUMNS), st.text(string.ascii_letters, max_size=8)), max_size=8))
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=9), max_size=8))
    delimiter = draw(st.sampled_from([",", ",", ";", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(delimiter.join(cells) for cells in [header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]))
    return text.encode(encoding, errors="replace")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=malformed_tables())
def test_random_malformed_tables_give_a_clean_error_never_a_crash(write_csv, content):
    path = write_csv(content)
    try:
        cohort = cl.load_cohort(path)
    except CohortValidationError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.file == str(path)
            assert problem.rule
    else:
        assert set(cohort.data["stage"]) <= {1, 2, 3}


@st.composite
def valid_cohorts(draw):
    n = draw(st.integers(1, 6))
    rows = []
    for participant in range(n):
        for stage in draw(st.lists(st.sampled_from([1, 2, 3]), min_size=1, max_size=3, unique=True)):
            scores = [draw(st.one_of(st.just(""), st.integers(0, top).map(str))) for top in (70, 60, 40)]
            change = "" if stage == 1 else draw(st.one_of(st.just(""), st.integers(-3, 3).map(str)))
            rows.append([f"id{participant}", str(stage), *scores, change])
    order = draw(st.permutations(range(len(COLUMNS))))
    lines = [[COLUMNS[i] for i in order]] + [[row[i] for i in order] for row in rows]
    return "\n".join(",".join(line) for line in lines) + "\n", rows


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(generated=valid_cohorts())
def test_valid_tables_load_with_every_value_intact(write_csv, generated):
    text, rows = generated
    cohort = cl.load_cohort(write_csv(text))
    assert len(cohort.data) == len(rows)
    expected = {(row[0], int(row[1])): [None if value == "" else int(value) for value in row[2:]] for row in rows}
    for record in cohort.data.itertuples(index=False):
        values = [None if pd.isna(value) else int(value) for value in record[2:]]
        assert values == expected[(str(record.participant), record.stage)]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    line=st.integers(0, 41),
    column=st.sampled_from(["piq", "pseq", "psq"]),
    value=st.sampled_from(["-5", "500", "x", "3.5"]),
)
def test_one_bad_cell_in_the_real_cohort_is_found_exactly(write_csv, line, column, value):
    frame = pd.read_csv(COHORT_CSV, dtype=str, keep_default_na=False)
    frame.loc[line, column] = value
    found = problems_of(write_csv(frame.to_csv(index=False)))
    assert [(found_line, found_column) for found_line, found_column, *_ in found] == [(line + 2, column)]


# --- what a number cell may hold, and files that used to crash the loader ----------------------------

SPECIAL_FLOAT_WORDS = ["nan", "NaN", "inf", "-Infinity", "infinity", "+INF", "1e400", "-1e400", "1e-400"]
HUGE_INTEGERS = ["99999999999999999999999", "-99999999999999999999999", "9" * 5000]


@pytest.mark.parametrize("column", ["stage", "piq", "pseq", "psq", "global_change"])
@pytest.mark.parametrize("value", SPECIAL_FLOAT_WORDS)
def test_special_float_words_are_named_as_malformed_numbers_in_every_number_column(write_csv, column, value):
    row = {"participant": "A", "stage": "2", "piq": "40", "pseq": "20", "psq": "20", "global_change": "1"}
    row[column] = value
    assert problems_of(write_csv(f"{HEADER}\n{','.join(row.values())}\n")) == [(2, column, value, WHOLE_NUMBER_RULE)]


@pytest.mark.parametrize(
    ("column", "rule"),
    [
        ("stage", "stage must be 1, 2 or 3"),
        ("piq", "PIQ total must be a whole number from 0 to 70"),
        ("global_change", "Global perceived change must be a whole number from -3 to 3"),
    ],
)
@pytest.mark.parametrize("value", HUGE_INTEGERS)
def test_integers_too_large_for_64_bits_are_out_of_range_and_cited_as_written(write_csv, column, rule, value):
    row = {"participant": "A", "stage": "2", "piq": "40", "pseq": "20", "psq": "20", "global_change": "1"}
    row[column] = value
    assert problems_of(write_csv(f"{HEADER}\n{','.join(row.values())}\n")) == [(2, column, value, rule)]


@pytest.mark.parametrize(
    "value",
    [
        "٣",
        "３",
        "𝟑",
        "²",
        "1e1",
        "7.5",
        "7.01",
        "7.",
        ".5",
        ".0",
        "7.0.0",
        "1_000",
        "0x10",
        "--1",
        "+-1",
        "\u22123",
        "3-",
        "1 000",
        "\u00a05",
    ],
)
def test_only_ascii_digits_with_one_leading_sign_make_a_number(write_csv, value):
    content = f'{HEADER}\nA,1,"{value}",20,20,\n"thousands",1,"1,000",20,20,\n'
    assert problems_of(write_csv(content)) == [
        (2, "piq", value, WHOLE_NUMBER_RULE),
        (3, "piq", "1,000", WHOLE_NUMBER_RULE),
    ]


def test_signs_leading_zeros_and_surrounding_spaces_are_accepted_and_values_cited_as_written(write_csv):
    cohort = cl.load_cohort(write_csv(f"{HEADER}\nA, 1 ,+40,007,\t20\t,\nA,+2,-0,20,20, -3\n"))
    assert cohort.data[["stage", "piq", "pseq", "psq", "global_change"]].astype(object).to_numpy().tolist() == [
        [1, 40, 7, 20, pd.NA],
        [2, 0, 20, 20, -3],
    ]
    assert problems_of(write_csv(f"{HEADER}\nA,1,+080,20,20,\n")) == [
        (2, "piq", "+080", "PIQ total must be a whole number from 0 to 70")
    ]


def test_a_number_cell_of_only_spaces_is_blank_and_an_id_of_only_spaces_is_an_error(write_csv):
    cohort = cl.load_cohort(write_csv(f"{HEADER}\nA,1,  ,20,20,\t\n"))
    assert cohort.incomplete["issue"].iloc[0] == "piq is blank"
    assert problems_of(write_csv(f"{HEADER}\n  ,1,40,20,20,\n")) == [
        (2, "participant", "  ", "participant must not be blank")
    ]
    assert problems_of(write_csv(f"{HEADER}\n,1,40,20,20,\n,2,40,20,20,\n")) == [
        (2, "participant", None, "participant must not be blank"),
        (3, "participant", None, "participant must not be blank"),
    ]


@pytest.mark.parametrize(
    "participant",
    [
        "<script>alert(1)</script>",
        '"O""Brien"',
        "=HYPERLINK(1)",
        "x" * 200_000,
        "مريض ٣",
        "患者",
        '"two\nlines"',
        "a\x00b",
    ],
)
def test_any_non_blank_text_is_an_id_and_is_kept_verbatim(write_csv, participant):
    cohort = cl.load_cohort(write_csv(f"{HEADER}\n{participant},1,40,20,20,\n"))
    expected = participant[1:-1].replace('""', '"') if participant.startswith('"') else participant
    assert cohort.data["participant"].astype(str).tolist() == [expected]


def test_broken_quoting_is_reported_on_the_line_where_the_record_starts(write_csv):
    content = f'{HEADER}\nA,1,40,20,20,\n"B"x,1,40,20,20,\nC,1,40,20,20,\n"D,1,40,20,20,\nE,1,40,20,20,\n'
    assert problems_of(write_csv(content)) == [
        (
            3,
            None,
            '"B"x,1,40,20,20,',
            "a closing quote must be followed by a comma or the end of the line (a quote inside a quoted value is "
            'written twice: "")',
        ),
        (
            5,
            None,
            '"D,1,40,20,20,',
            "a quoted value starting on this line is never closed (its closing quote is missing)",
        ),
    ]


def test_lines_are_counted_across_quoted_line_breaks_and_lone_carriage_returns(write_csv):
    content = f'{HEADER}\r"A\r\nB",1,40,20,20,\r\n"C",1,99,20,20,\n'
    assert problems_of(write_csv(content)) == [(4, "piq", "99", "PIQ total must be a whole number from 0 to 70")]


def test_records_are_read_with_the_csv_module_when_pandas_disagrees(write_csv, monkeypatch):
    path = write_csv(f'{HEADER}\n"A",1,40,20,20,\nbroken\n"A",2,41,22,21,0\n')
    expected = [
        (
            3,
            None,
            "broken",
            "row has 1 fields but the header has 6 "
            "(a missing value needs an empty field; a comma inside a value needs quotes)",
        )
    ]
    assert problems_of(path) == expected

    def disagree(*args, **kwargs):
        raise pd.errors.ParserError("simulated")

    monkeypatch.setattr(cl.data.load.pd, "read_csv", disagree)
    assert problems_of(path) == expected
    path = write_csv(f'{HEADER}\n"A",1,40,20,20,\n\n"A",2,41,22,99,0\n', "again.csv")
    assert problems_of(path) == [(4, "psq", "99", "PSQ total must be a whole number from 0 to 40")]


# --- whole numbers written as decimals ------------------------------------------------------------------


@pytest.mark.parametrize("column", ["stage", "piq", "pseq", "psq", "global_change"])
@pytest.mark.parametrize(("written", "number"), [("2.0", 2), ("2.00", 2), ("+2.0", 2), (" 2.000\t", 2), ("002.0", 2)])
def test_a_whole_number_written_as_a_decimal_is_that_number_in_every_number_column(write_csv, column, written, number):
    row = {"participant": "A", "stage": "2", "piq": "40", "pseq": "20", "psq": "20", "global_change": "1"}
    row[column] = f'"{written}"'
    cohort = cl.load_cohort(write_csv(f"{HEADER}\n{','.join(row.values())}\n"))
    assert int(cohort.data[column].iloc[0]) == number
    assert (cohort.file_reading.decimal_cells, cohort.file_reading.decimal_example) == (1, written)
    assert cohort.file_reading.all_notes == [
        f"1 cell held a whole number written as a decimal (such as {written!r}); read as the whole number"
    ]


@pytest.mark.parametrize("written", ["40.5", "40.05", "1e3", "1.0e1", "40.", ".0", "inf", "nan", "-nan", "40.0.0"])
def test_a_decimal_that_is_not_a_plain_whole_number_stays_a_located_error(write_csv, written):
    assert problems_of(write_csv(f"{HEADER}\nA,1,{written},20,20,\n")) == [(2, "piq", written, WHOLE_NUMBER_RULE)]


def test_a_decimal_out_of_range_is_cited_as_written(write_csv):
    assert problems_of(write_csv(f"{HEADER}\nA,4.0,70.0,60.00,-0.0,\nB,1,71.0,20,20,\n")) == [
        (2, "stage", "4.0", "stage must be 1, 2 or 3"),
        (3, "piq", "71.0", "PIQ total must be a whole number from 0 to 70"),
    ]


def test_a_pandas_export_of_a_cohort_with_blanks_loads_as_the_original(tmp_path):
    # pandas writes a column with a blank as floats (3.0, -2.0): the reason the rule reads them as whole numbers
    pd.read_csv(COHORT_CSV).to_csv(tmp_path / "export.csv", index=False)
    text = (tmp_path / "export.csv").read_text(encoding="utf-8")
    written = [line.split(",")[-1] for line in text.splitlines()[1:]]
    assert {value for value in written if value} <= {f"{number}.0" for number in range(-3, 4)}
    exported, original = cl.load_cohort(tmp_path / "export.csv"), cl.load_cohort(COHORT_CSV)
    pd.testing.assert_frame_equal(exported.data, original.data)
    assert exported.file_reading.decimal_cells == sum(1 for value in written if value)
