"""Long, wide and REDCap files are told apart by their header, and every column is placed or named as not understood."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cnslbp_lib as cl
from cnslbp_lib.data.grid import Grid, Origin
from cnslbp_lib.data.instruments import STAGES, get_stage
from cnslbp_lib.data.layout import detect_layout, stage_named
from cnslbp_lib.data.schema import WHOLE_NUMBER_RULE
from cnslbp_lib.exceptions import CohortValidationError

from .conftest import COHORT_CSV, HEADER, ROOT


def header_of(*columns: str) -> Grid:
    return Grid(Origin("clinic.csv", "CSV file", "line"), columns, 1, pd.DataFrame(columns=list(columns)))


def refusals(grid: Grid) -> list[tuple[str | None, str]]:
    with pytest.raises(CohortValidationError) as caught:
        detect_layout(grid)
    return [(problem.column, problem.rule) for problem in caught.value.problems]


def problems_of(path, **options):
    with pytest.raises(CohortValidationError) as caught:
        cl.load_cohort(path, **options)
    return [(p.line, p.column, p.value, p.rule) for p in caught.value.problems]


# --- stage tokens ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "stage"),
    [
        ("1", 1),
        ("3", 3),
        ("t2", 2),
        ("T2", 2),
        ("stage_2", 2),
        ("Stage 2", 2),
        ("visit3", 3),
        ("wave 1", 1),
        ("pre-education", 1),
        ("pre_education", 1),
        ("Post-Education", 2),
        ("post_MRI", 3),
        ("postmri", 3),
        ("pre", 1),  # the start of one stage's name only
        ("post-ed", 2),
    ],
)
def test_a_stage_is_named_by_number_by_name_or_by_an_unambiguous_start_of_its_name(token, stage):
    assert stage_named(token).number == stage


@pytest.mark.parametrize(
    ("token", "candidates"),
    [("post", (2, 3)), ("4", ()), ("0", ()), ("baseline", ()), ("mri", ()), ("po", ())],
)
def test_an_ambiguous_or_unknown_stage_is_refused_with_the_candidates_named(token, candidates):
    match = stage_named(token)
    assert match.number is None
    assert match.stages == candidates
    refusal = match.refusal()
    for number in candidates:
        assert f"stage {number} ({get_stage(number).name})" in refusal
    if not candidates:
        assert refusal.endswith(", ".join(f"stage {s.number} ({s.name})" for s in STAGES))


# --- the layouts ---------------------------------------------------------------------------------------


def test_the_books_own_header_is_long_and_maps_each_column_to_itself():
    layout = detect_layout(header_of(*HEADER.split(",")))
    assert layout.kind == "long"
    assert layout.mapping() == [
        ("participant", "participant id"),
        ("stage", "stage"),
        ("piq", "piq"),
        ("pseq", "pseq"),
        ("psq", "psq"),
        ("global_change", "global_change"),
    ]


@pytest.mark.parametrize(
    "spelling",
    ["{m}_{n}", "{M}_{n}", "{m}{n}", "{m}.t{n}", "{m}-stage{n}", " {m}_Visit_{n} ", "{m}_{name}"],
)
def test_wide_headers_are_read_in_every_accepted_spelling(spelling):
    columns = ["Patient_ID"] + [
        spelling.format(m=measure, M=measure.upper(), n=stage.number, name=stage.name)
        for measure in ("piq", "pseq", "psq", "global_change")
        for stage in STAGES
    ]
    layout = detect_layout(header_of(*columns))
    assert layout.kind == "wide"
    mapping = dict(layout.mapping())
    assert mapping["Patient_ID"] == "participant id"
    assert mapping[columns[2]] == "piq at stage 2 (post-education)"
    assert mapping[columns[-1]] == "global_change at stage 3 (post-MRI)"
    assert layout.columns == ("participant", "stage", "piq", "pseq", "psq", "global_change")


def test_a_wide_file_that_cannot_be_mapped_lists_the_columns_understood_and_those_not():
    found = refusals(header_of("id", "piq_pre", "piq_post", "pseq_pre", "pseq_4", "psq_pre", "notes", "pseqq_1"))
    assert found == [
        (
            "piq_post",
            "the stage 'post' could be stage 2 (post-education) or stage 3 (post-MRI); name the stage by its "
            "number or its full name",
        ),
        (
            "pseq_4",
            "the stage '4' names no stage; the stages are stage 1 (pre-education), stage 2 (post-education), "
            "stage 3 (post-MRI)",
        ),
        ("notes", "unknown column; expected an id and columns such as piq_1"),
        ("pseqq_1", "unknown column; did you mean 'pseq_1'?"),
        (
            None,
            "read as a wide file (one row per participant); columns understood: id = participant id; "
            "piq_pre = piq at stage 1 (pre-education); pseq_pre = pseq at stage 1 (pre-education); "
            "psq_pre = psq at stage 1 (pre-education). Columns not understood: 'piq_post', 'pseq_4', 'notes', "
            "'pseqq_1'",
        ),
    ]


def test_a_wide_file_needs_an_id_and_each_instrument_at_some_stage():
    found = refusals(header_of("piq_1", "piq_2", "psq_1"))
    assert [column for column, _ in found] == ["participant", "pseq", None]
    assert found[1][1] == "no column holds pseq at any stage (such as pseq_1, pseq_2, pseq_3)"
    assert found[0][1].startswith("required column is missing from the header (it may also be called")


def test_two_columns_for_the_same_measure_and_stage_are_refused():
    found = refusals(header_of("id", "piq_1", "piq_t1", "pseq_1", "psq_1"))
    assert found[0] == ("piq_t1", "column 'piq_1' already holds the piq at stage 1 (pre-education); keep one of them")
    found = refusals(header_of("participant", "id", "stage", "piq", "pseq", "psq"))
    assert found == [("id", "column 'participant' already holds the participant id; keep one of them")]


def test_a_long_file_with_staged_columns_is_told_how_the_two_layouts_differ():
    found = refusals(header_of("participant", "stage", "piq_1", "piq", "pseq", "psq"))
    assert found == [
        (
            "piq_1",
            "a file with a 'stage' column has one column per measure ('piq'), the stage in its own column; "
            "a file with one row per participant has no stage column",
        )
    ]


def test_redcap_exports_map_events_to_stages_and_set_redcaps_own_columns_aside():
    columns = [
        "record_id",
        "redcap_event_name",
        "redcap_repeat_instrument",
        "redcap_repeat_instance",
        "redcap_data_access_group",
        "piq",
        "pseq",
        "psq",
        "scores_complete",
    ]
    layout = detect_layout(header_of(*columns))
    assert layout.kind == "REDCap"
    assert layout.mapping()[:3] == [
        ("record_id", "participant id"),
        ("redcap_event_name", "stage, from the event"),
        ("redcap_repeat_instrument", "ignored (REDCap's own column)"),
    ]
    assert layout.mapping()[-1] == ("scores_complete", "ignored (REDCap's own column)")


# --- records from files --------------------------------------------------------------------------------


def test_a_wide_file_gives_one_record_per_participant_and_stage_holding_a_value(write_csv):
    content = (
        "id,piq_1,piq_2,pseq_1,pseq_2,psq_1,global_change_2\n"
        "A,40,35,20,30,10,2\n"
        "B,50,,25,,12,\n"  # nothing at stage 2: no stage 2 record
        "C,,,,,,\n"  # nothing at all: kept, every score blank
    )
    cohort = cl.load_cohort(write_csv(content))
    records = cohort.data.astype(object).where(cohort.data.notna(), None).to_numpy().tolist()
    assert records == [
        ["A", 1, 40, 20, 10, None],
        ["A", 2, 35, 30, None, 2],
        ["B", 1, 50, 25, 12, None],
        ["C", 1, None, None, None, None],
    ]
    assert cohort.file_reading.notes == (
        "no column holds psq at stage 2 (post-education): read as blank",
        "no column holds any measure at stage 3 (post-MRI): no participant has a row for it",
    )
    assert "participant 'A', stage 2: psq is blank" in "\n".join(cohort.warnings)
    assert "participant 'C', stage 1: piq is blank" in "\n".join(cohort.warnings)


def test_problems_in_a_wide_file_name_its_own_row_and_column(write_csv):
    content = (
        "id,piq_1,piq_2,pseq_1,pseq_2,psq_1,psq_2,global_change_1\n"
        "A,40,40.5,20,30,10,41,1\n"
        ",1,2,3,4,5,6,\n"
        "A,1,2,3,4,5,6,\n"
    )
    assert problems_of(write_csv(content)) == [
        (2, "global_change_1", "1", "global_change must be empty at stage 1"),
        (2, "id", "A", "each participant may have one row; this one repeats line 4"),
        (2, "piq_2", "40.5", WHOLE_NUMBER_RULE),
        (2, "psq_2", "41", "PSQ total must be a whole number from 0 to 40"),
        (3, "id", None, "participant must not be blank"),
        (4, "id", "A", "each participant may have one row; this one repeats line 2"),
    ]


def test_redcap_events_that_name_no_stage_and_repeating_rows_are_refused_by_cell(write_csv):
    content = (
        "record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,piq,pseq,psq\n"
        "1,baseline_arm_1,,,40,20,10\n"
        "1,stage_2_arm_1,,,40,20,10\n"
        "1,stage_2_arm_1,scores,2,40,20,10\n"
        "2,post_arm_2,,,40,20,10\n"
    )
    assert problems_of(write_csv(content)) == [
        (
            2,
            "redcap_event_name",
            "baseline_arm_1",
            "the REDCap event must name a stage: 'baseline' names no stage; the stages are stage 1 (pre-education), "
            "stage 2 (post-education), stage 3 (post-MRI)",
        ),
        (
            4,
            "redcap_repeat_instance",
            "2",
            "repeating REDCap instruments and events are not read: each record has one row per event and stage",
        ),
        (
            4,
            "redcap_repeat_instrument",
            "scores",
            "repeating REDCap instruments and events are not read: each record has one row per event and stage",
        ),
        (
            5,
            "redcap_event_name",
            "post_arm_2",
            "the REDCap event must name a stage: 'post' could be stage 2 (post-education) or stage 3 (post-MRI); "
            "name the stage by its number or its full name",
        ),
    ]


def test_redcap_records_are_read_at_the_stage_their_event_names(write_csv):
    content = (
        "record_id,redcap_event_name,piq,pseq,psq,global_change,scores_complete\n"
        "7,post_mri_arm_1,30.0,40.0,10.0,2.0,2\n"
        "7,pre_education_arm_1,40.0,20.0,12.0,,2\n"
    )
    cohort = cl.load_cohort(write_csv(content))
    assert cohort.data[["stage", "piq", "global_change"]].astype(object).to_numpy().tolist() == [
        [1, 40, pd.NA],
        [3, 30, 2],
    ]
    assert cohort.file_reading.all_notes == [
        "REDCap events read as stages: post_mri_arm_1 = stage 3 (post-MRI); pre_education_arm_1 = stage 1 "
        "(pre-education)",
        "7 cells held whole numbers written as decimals (such as '30.0'); read as the whole numbers",
    ]


def test_the_readmes_example_of_each_layout_loads_as_it_says(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Files as clinics keep them", 1)[1].split("\n## ", 1)[0]
    blocks, block, language = [], None, ""
    for line in section.splitlines():
        if line.strip().startswith("```"):
            if block is None:
                block, language = [], line.strip().removeprefix("```")
            else:
                if not language:  # file contents; the others are shell commands
                    blocks.append("\n".join(block))
                block = None
        elif block is not None:
            block.append(line.strip())
    examples = [block + "\n" for block in blocks if "\n" in block]  # the ones with a header
    assert len(examples) == 3
    kinds = []
    for number, example in enumerate(examples):
        path = tmp_path / f"example{number}.csv"
        path.write_text(example, encoding="utf-8")
        cohort = cl.load_cohort(path)
        kinds.append(cohort.file_reading.layout.kind)
        assert cohort.n_participants == 1
    assert kinds == ["long", "wide", "REDCap"]
    decimals = next(block for block in blocks if "\n" not in block).strip()
    path = tmp_path / "export.csv"
    path.write_text(examples[0].splitlines()[0] + "\n" + decimals + "\n", encoding="utf-8")
    assert cl.load_cohort(path).file_reading.decimal_cells == 4


# --- properties: any header gets a layout or problems; a corrupted wide file is blamed cell by cell ------------

COLUMN_NAMES = ["participant", "id", "record_id", "stage", "redcap_event_name", "piq", "pseq", "psq", "global_change"]
NAME_PARTS = st.sampled_from(
    [*COLUMN_NAMES, "PIQ", "_", ".", "-", " ", "1", "2", "3", "4", "t", "pre", "post", "mri", "education", "_complete"]
)
HEADERS = st.lists(st.lists(NAME_PARTS, max_size=4).map("".join), min_size=1, max_size=10, unique=True)


@settings(max_examples=300)
@given(header=HEADERS)
def test_any_header_gets_a_layout_or_problems_that_name_columns_of_the_file(header):
    grid = header_of(*header)
    try:
        layout = detect_layout(grid)
    except CohortValidationError as error:
        for problem in error.problems:
            assert problem.rule
            assert problem.column is None or problem.column in header or problem.line == 1
    else:
        assert [column for column, _ in layout.mapping()] == list(header)  # every column placed or set aside
        assert {"participant", "stage"} <= set(layout.columns)


def wide_rows() -> tuple[list[str], list[list[str]]]:
    """The committed cohort as a wide table of text: id, then each measure at each stage that has a value."""
    long = pd.read_csv(COHORT_CSV, dtype=str, keep_default_na=False)
    columns = ["id"] + [f"{m}_{s.number}" for m in ("piq", "pseq", "psq", "global_change") for s in STAGES]
    columns.remove("global_change_1")
    rows = []
    for participant, group in long.groupby("participant", sort=True):
        by_stage = group.set_index("stage")
        rows.append(
            [participant] + [by_stage.loc[name.rsplit("_", 1)[1], name.rsplit("_", 1)[0]] for name in columns[1:]]
        )
    return columns, rows


WIDE_COLUMNS, WIDE_ROWS = wide_rows()
BAD_CELLS = st.sampled_from(
    ["", " ", "x", "7.5", "71", "-1", "99999999999999999999", "inf", "nan", "4.0", "1e1", "A01"]
)


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cells=st.lists(
        st.tuples(st.integers(0, len(WIDE_ROWS) - 1), st.sampled_from(WIDE_COLUMNS), BAD_CELLS),
        min_size=1,
        max_size=4,
        unique_by=lambda cell: cell[:2],
    )
)
def test_every_problem_in_a_corrupted_wide_file_names_a_corrupted_row_and_column(tmp_path, cells):
    rows = [list(row) for row in WIDE_ROWS]
    for row, column, value in cells:
        rows[row][WIDE_COLUMNS.index(column)] = value
    path = tmp_path / "wide.csv"
    path.write_text("\n".join(",".join(row) for row in [WIDE_COLUMNS, *rows]) + "\n", encoding="utf-8")
    corrupted = {(row + 2, column) for row, column, _ in cells}
    corrupted_ids = {rows[row][0] for row, column, _ in cells if column == "id"}
    try:
        cohort = cl.load_cohort(path)
    except CohortValidationError as error:
        for problem in error.problems:
            assert problem.file == str(path)
            if "repeats line" in problem.rule:  # an id changed into another participant's id
                assert problem.column == "id" and problem.value in corrupted_ids, problem
            else:
                assert (problem.line, problem.column) in corrupted, problem
    else:
        assert cohort.n_participants == len({row[0] for row in rows})
