"""The schema's value rules, checked with pandera on the parsed records, every failure kept.

The rules come from :func:`cnslbp_lib.data.schema.cohort_table_schema`
(ranges, allowed values, non-blank ids, a column empty at a stage, one row per
participant and stage); :func:`check_values` translates them into a pandera
schema, validates lazily and turns each failure into a finding on one
record's cell, citing the value as the file wrote it. Used by
:func:`cnslbp_lib.data.load.load_cohort`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from ..exceptions import Problem
from .records import Records
from .schema import KEY_COLUMNS, cohort_table_schema

__all__ = ["Finding", "check_values"]

Finding = tuple[int | None, str | None, str | None, str]  # record, column, value as written, rule


def _pandera_schema(columns: list[dict[str, Any]]) -> tuple[pa.DataFrameSchema, dict[str, str]]:
    """Translate the Table Schema fields present in the file into pandera checks.

    Also returns, for each row-level rule, the column it is about: pandera
    reports such failures against every column of the row.
    """
    schema_columns = {}
    frame_checks = []
    frame_rule_columns = {}
    for field in columns:
        column, constraints = field["name"], field.get("constraints", {})
        checks = []
        if "enum" in constraints:
            allowed = constraints["enum"]
            words = ", ".join(str(value) for value in allowed[:-1]) + f" or {allowed[-1]}"
            checks.append(pa.Check.isin(allowed, error=f"{column} must be {words}"))
        if "minimum" in constraints:
            low, high = constraints["minimum"], constraints["maximum"]
            checks.append(
                pa.Check.in_range(low, high, error=f"{field['title']} must be a whole number from {low} to {high}")
            )
        if "minLength" in constraints:
            checks.append(
                pa.Check(
                    lambda series: pd.Series(
                        # one entry per category, plus a last one for code -1 (missing, checked as not_nullable)
                        np.append(series.cat.categories.str.strip().str.len().to_numpy() > 0, True)[
                            series.cat.codes.to_numpy()
                        ],
                        index=series.index,
                    ),
                    error=f"{column} must not be blank",
                )
            )
        dtype = "Int64" if field["type"] == "integer" else "category"
        schema_columns[column] = pa.Column(dtype, checks=checks, nullable=not constraints.get("required", False))
        if "blankAtStage" in field:
            stage = field["blankAtStage"]
            rule = f"{column} must be empty at stage {stage}"
            frame_rule_columns[rule] = column
            frame_checks.append(
                pa.Check(
                    lambda data, column=column, stage=stage: (
                        ~((data["stage"] == stage) & data[column].notna()).fillna(False)
                    ),
                    error=rule,
                )
            )
    key = cohort_table_schema()["primaryKey"]
    return pa.DataFrameSchema(schema_columns, checks=frame_checks, unique=key), frame_rule_columns


def check_values(
    typed: pd.DataFrame, cells: pd.DataFrame, columns: list[dict[str, Any]], records: Records
) -> tuple[list[Finding], list[Problem]]:
    """Check the parsed records (``typed``) against the rules of the Table Schema ``columns``.

    Returns one finding per failing cell, citing its value as written in
    ``cells`` (the caller locates it in the file and leaves out the cells it
    has already refused), and the repeated participant × stage pairs as
    located problems.
    """
    schema, frame_rule_columns = _pandera_schema(columns)
    try:
        schema.validate(typed, lazy=True)
    except SchemaErrors as errors:
        return _problems_from_pandera(errors.failure_cases, typed, cells, records, frame_rule_columns)
    return [], []


def _problems_from_pandera(
    failures: pd.DataFrame,
    typed: pd.DataFrame,
    cells: pd.DataFrame,
    records: Records,
    frame_rule_columns: dict[str, str],
) -> tuple[list[Finding], list[Problem]]:
    """One finding per failure, citing each value as written in the file (``cells``), not as parsed.

    Repeated participant × stage pairs are returned as located problems
    (their rule cites the other rows); every other failure as a finding on a
    record's cell, which the caller locates.
    """

    def as_written(record: int, column: str) -> str | None:
        text = cells.loc[record, column]
        return None if pd.isna(text) else str(text)

    findings: list[Finding] = []
    duplicates = failures[failures["check"] == "multiple_fields_uniqueness"]
    repeated = _repeated_pairs(sorted(set(duplicates["index"].astype(int))), typed, records)
    frame_rules = failures[failures["check"].isin(list(frame_rule_columns))]
    for rule, group in frame_rules.groupby("check", sort=False):
        column = frame_rule_columns[str(rule)]
        for index in sorted(set(group["index"].astype(int))):
            findings.append((index, column, as_written(index, column), str(rule)))
    column_failures = failures[failures["schema_context"] == "Column"]
    for row in column_failures.itertuples(index=False):
        index = None if pd.isna(row.index) else int(row.index)
        if row.check == "not_nullable":  # an empty cell, or a number cell of only spaces and tabs
            rule = f"{row.column} must not be blank"
            value = None if index is None else as_written(index, str(row.column))
        else:
            rule = str(row.check)
            value = str(row.failure_case) if index is None else as_written(index, str(row.column))
        findings.append((index, str(row.column), value, rule))
    return findings, repeated


def _repeated_pairs(indices: list[int], typed: pd.DataFrame, records: Records) -> list[Problem]:
    """One problem per record whose participant × stage pair another record repeats, citing the others' rows.

    Where the stage has a column (long and REDCap files) the problem names
    both columns; in a wide file, where one row holds every stage, it names
    the participant's column, and each repeated row is cited once.
    """
    if not indices:
        return []
    problems = []
    origin = records.grid.origin
    rows = typed.loc[indices, list(KEY_COLUMNS)]
    for _, group in rows.groupby(list(KEY_COLUMNS), sort=False):
        participant, stage = group.iloc[0]
        first = int(group.index[0])
        sources = [source for key in KEY_COLUMNS if (source := records.source(first, key)) is not None]
        value = f"{participant}, {stage}" if len(sources) == len(KEY_COLUMNS) else str(participant)
        file_rows = [int(records.rows[record]) for record in group.index]
        for file_row in file_rows:
            others = ", ".join(str(other) for other in file_rows if other != file_row)
            each = "one row" if records.layout.kind == "wide" else "one row per stage"
            rule = f"each participant may have {each}; this one repeats {origin.unit} {others}"
            problems.append(origin.problem(file_row, ", ".join(sources), value, rule))
    return problems
