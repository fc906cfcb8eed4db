"""Load a cohort file into a tidy DataFrame, validating it against the schema.

:mod:`cnslbp_lib.data.csvfile` reads the file's bytes and text into records of
text (encoding, delimiter, header, field counts, quoting); this module parses
their values as whole numbers, validates them and tidies them into a
:class:`Cohort`.

Every rule lives in :func:`cnslbp_lib.data.schema.cohort_table_schema`; values are
checked with pandera. All problems are collected and raised together as one
:class:`~cnslbp_lib.exceptions.CohortValidationError`, each naming file, line,
column, value and rule. Incomplete records (a blank score, a missing stage row)
are not errors: they are listed in :attr:`Cohort.incomplete` and every analysis
states who it excluded.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from ..exceptions import CohortValidationError, Problem
from .csvfile import decode_utf8, read_file_bytes, read_table
from .instruments import STAGES
from .schema import KEY_COLUMNS, WHOLE_NUMBER_RULE, cohort_table_schema

__all__ = ["Cohort", "load_cohort", "participant_labels"]

_WHOLE_NUMBER = re.compile("[+-]?[0-9]+")  # [0-9] is ASCII only, unlike \d
_NUMBER_PADDING = " \t"
_MAX_DIGITS = 15  # far beyond every range in the registry, and well inside int64
_OUT_OF_EVERY_RANGE: int = 10**_MAX_DIGITS


@dataclass(frozen=True, eq=False)
class Cohort:
    """A validated cohort file.

    Attributes
    ----------
    data : pandas.DataFrame
        Tidy, one row per participant per stage: ``participant`` (categorical),
        ``stage`` (int), one nullable integer column per instrument and, when
        the file has it, ``global_change``. Sorted by participant then stage.
    source : str
        The file as it was named when loaded.
    sha256 : str
        SHA-256 of the file's bytes.
    incomplete : pandas.DataFrame
        ``participant``, ``stage``, ``column`` and ``issue`` for each blank
        value and each missing stage row.
    skipped_lines : tuple of int
        Blank lines, which hold no record and are skipped.
    """

    data: pd.DataFrame
    source: str
    sha256: str
    incomplete: pd.DataFrame
    skipped_lines: tuple[int, ...] = ()

    @property
    def has_global_change(self) -> bool:
        """Whether the file has the optional ``global_change`` column."""
        return "global_change" in self.data.columns

    @property
    def n_participants(self) -> int:
        """Number of distinct participants in the file."""
        return len(self.data["participant"].cat.categories)

    @property
    def warnings(self) -> list[str]:
        """One readable sentence per incomplete record or skipped line."""
        messages = [
            f"{self.source}: participant {row.participant!r}, stage {row.stage}: {row.issue}"
            for row in self.incomplete.itertuples(index=False)
        ]
        messages += [f"{self.source}, line {line}: blank line skipped" for line in self.skipped_lines]
        return messages

    def pseudonymised(self) -> Cohort:
        """Return a copy whose participant ids are replaced by labels P01, P02, ….

        Labels follow the sorted order of the original ids, so they are stable
        for a given file whatever its row order. Use this copy for anything
        that is shown or published.
        """
        mapping = participant_labels(self.data["participant"].cat.categories)
        data = self.data.assign(participant=self.data["participant"].cat.rename_categories(mapping))
        incomplete = self.incomplete.assign(participant=self.incomplete["participant"].map(mapping).astype("str"))
        return replace(self, data=data, incomplete=incomplete)


def participant_labels(ids: Any) -> dict[str, str]:
    """Map each distinct id to a label ``P01``, ``P02``, … in sorted id order.

    >>> participant_labels(["b7", "a3", "c1"])
    {'a3': 'P01', 'b7': 'P02', 'c1': 'P03'}
    """
    unique = sorted(set(ids))
    width = max(2, len(str(len(unique))))
    return {original: f"P{number:0{width}d}" for number, original in enumerate(unique, start=1)}


def load_cohort(path: str | Path) -> Cohort:
    """Read, validate and tidy a cohort CSV file.

    Parameters
    ----------
    path : str or pathlib.Path
        A UTF-8 CSV file (a byte-order mark and CRLF line ends are accepted),
        comma-separated, with the columns of ``data/cohort.schema.json`` in any
        order; ``global_change`` may be omitted. Numbers are whole numbers in
        the digits 0-9 with an optional leading sign (see
        :data:`~cnslbp_lib.data.schema.WHOLE_NUMBER_RULE`); participant ids are
        any non-blank text.

    Returns
    -------
    Cohort

    Raises
    ------
    CohortValidationError
        Listing every problem found, each with file, line, column, value and
        rule. No other exception escapes for a bad file: unreadable bytes,
        broken quoting, special float words and huge numbers all become
        problems.

    Examples
    --------
    >>> cohort = load_cohort("data/cohort.csv")
    >>> cohort.n_participants, len(cohort.data)
    (14, 42)
    """
    name = str(path)
    raw = read_file_bytes(Path(path), name)
    text = decode_utf8(raw, name)
    columns, table = read_table(text, name)
    problems = list(table.problems)
    if table.cells.empty and not problems:
        raise CohortValidationError([Problem(name, None, None, None, "file has a header but no data rows")])
    typed, parse_problems = _parse_integers(table.cells, columns, name)
    problems += parse_problems
    unparsed = {(problem.line, problem.column) for problem in parse_problems}
    problems += [
        problem
        for problem in _validate(typed, table.cells, columns, name)
        if (problem.line, problem.column) not in unparsed
    ]
    if problems:
        raise CohortValidationError(sorted(problems, key=_problem_order))
    return _tidy(typed, name, hashlib.sha256(raw).hexdigest(), table.blank_lines)


def _parse_integers(
    cells: pd.DataFrame, columns: list[dict[str, Any]], name: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Convert integer columns to nullable Int64; one problem per malformed cell.

    A cell must hold a whole number as :data:`WHOLE_NUMBER_RULE` describes; a
    cell of only spaces and tabs is blank. Each distinct text is parsed once,
    with Python's exact integers, so no float reading ("nan", "inf", "1e1",
    "7.0") and no 64-bit overflow can occur. A number too long to be in any
    range is kept as a stand-in beyond every range, so the range check still
    reports it, with the text as written. A malformed cell becomes missing, so
    the other rules can still be checked on the rest of the file.
    """
    problems = []
    typed = {}
    for field in columns:
        column = field["name"]
        values = cells[column]
        if field["type"] != "integer":
            typed[column] = _sorted_categorical(values)
            continue
        codes, texts = pd.factorize(values.to_numpy(dtype=object))
        # one slot per distinct text, plus a last one that code -1 (an empty field) selects
        numbers = np.zeros(len(texts) + 1, dtype=np.int64)
        present = np.zeros(len(texts) + 1, dtype=bool)
        malformed = np.zeros(len(texts) + 1, dtype=bool)
        for i, text in enumerate(texts):
            stripped = str(text).strip(_NUMBER_PADDING)
            if not stripped:  # only spaces and tabs: blank
                continue
            number = _whole_number(stripped)
            if number is None:
                malformed[i] = True
            else:
                numbers[i], present[i] = number, True
        typed[column] = pd.Series(
            pd.arrays.IntegerArray(numbers[codes], ~present[codes]), index=values.index, name=column
        )
        for line, value in values[malformed[codes]].items():
            problems.append(Problem(name, int(line), column, str(value), WHOLE_NUMBER_RULE))
    return pd.DataFrame(typed, index=cells.index), problems


def _whole_number(stripped: str) -> int | None:
    """The integer a cell holds (spaces and tabs around it removed), or None if it is malformed."""
    if _WHOLE_NUMBER.fullmatch(stripped) is None:
        return None
    digits = stripped.lstrip("+-").lstrip("0")
    if len(digits) > _MAX_DIGITS:  # int() refuses beyond 4300 digits; int64 overflows beyond 18
        return -_OUT_OF_EVERY_RANGE if stripped.startswith("-") else _OUT_OF_EVERY_RANGE
    return int(stripped)


def _sorted_categorical(values: pd.Series) -> pd.Series:
    """Text as a categorical with sorted categories; blanks stay missing.

    Checks and the duplicate test then work on integer codes, not millions of
    strings. Factorising without sorting and then sorting only the distinct
    values is much faster than ``astype("category")`` for large files.
    """
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), sort=False)
    order = np.argsort(uniques, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    sorted_codes = np.append(rank, -1)[codes]  # code -1 (missing) stays -1, even when every value is missing
    categories = pd.Index(uniques[order], dtype="str")
    return pd.Series(pd.Categorical.from_codes(sorted_codes, categories=categories), index=values.index)


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


def _validate(typed: pd.DataFrame, cells: pd.DataFrame, columns: list[dict[str, Any]], name: str) -> list[Problem]:
    schema, frame_rule_columns = _pandera_schema(columns)
    try:
        schema.validate(typed, lazy=True)
    except SchemaErrors as errors:
        return _problems_from_pandera(errors.failure_cases, typed, cells, name, frame_rule_columns)
    return []


def _problems_from_pandera(
    failures: pd.DataFrame, typed: pd.DataFrame, cells: pd.DataFrame, name: str, frame_rule_columns: dict[str, str]
) -> list[Problem]:
    """One problem per failure, citing each value as written in the file (``cells``), not as parsed."""

    def as_written(line: int, column: str) -> str | None:
        text = cells.loc[line, column]
        return None if pd.isna(text) else str(text)

    problems = []
    duplicates = failures[failures["check"] == "multiple_fields_uniqueness"]
    if not duplicates.empty:
        indices = sorted(set(duplicates["index"].astype(int)))
        rows = typed.loc[indices, ["participant", "stage"]]
        for _, group in rows.groupby(["participant", "stage"], sort=False):
            lines = [int(line) for line in group.index]
            participant, stage = group.iloc[0]
            for line in lines:
                others = ", ".join(str(other) for other in lines if other != line)
                problems.append(
                    Problem(
                        name,
                        line,
                        "participant, stage",
                        f"{participant}, {stage}",
                        f"each participant may have one row per stage; this one repeats line {others}",
                    )
                )
    frame_rules = failures[failures["check"].isin(list(frame_rule_columns))]
    for rule, group in frame_rules.groupby("check", sort=False):
        column = frame_rule_columns[str(rule)]
        for index in sorted(set(group["index"].astype(int))):
            problems.append(Problem(name, index, column, as_written(index, column), str(rule)))
    column_failures = failures[failures["schema_context"] == "Column"]
    for row in column_failures.itertuples(index=False):
        index = None if pd.isna(row.index) else int(row.index)
        if row.check == "not_nullable":  # an empty cell, or a number cell of only spaces and tabs
            rule = f"{row.column} must not be blank"
            value = None if index is None else as_written(index, str(row.column))
        else:
            rule = str(row.check)
            value = str(row.failure_case) if index is None else as_written(index, str(row.column))
        problems.append(Problem(name, index, str(row.column), value, rule))
    return problems


def _problem_order(problem: Problem) -> tuple[int, str]:
    return (problem.line or 0, problem.column or "")


def _tidy(typed: pd.DataFrame, name: str, sha256: str, skipped: tuple[int, ...]) -> Cohort:
    participant = typed["participant"].cat.remove_unused_categories()
    data = typed.assign(participant=participant, stage=typed["stage"].astype("int64"))
    data = data.sort_values(["participant", "stage"], kind="stable").reset_index(drop=True)
    score_columns = [column for column in data.columns if column not in ("participant", "stage")]
    ordered = ["participant", "stage", *sorted(score_columns, key=_column_rank)]
    data = data[ordered]
    return Cohort(
        data=data,
        source=name,
        sha256=sha256,
        incomplete=_incomplete_records(data),
        skipped_lines=skipped,
    )


def _column_rank(column: str) -> int:
    names = [field["name"] for field in cohort_table_schema()["fields"]]
    return names.index(column)


def _incomplete_records(data: pd.DataFrame) -> pd.DataFrame:
    """Blank values (except where the schema wants them blank) and missing stage rows."""
    stages = [stage.number for stage in STAGES]
    parts = []
    for field in cohort_table_schema()["fields"]:
        column = field["name"]
        if column in KEY_COLUMNS or column not in data.columns:
            continue
        blank = data[column].isna()
        if "blankAtStage" in field:
            blank &= data["stage"] != field["blankAtStage"]
        rows = data.loc[blank, ["participant", "stage"]]
        parts.append(rows.assign(column=column, issue=f"{column} is blank"))
    codes = data["participant"].cat.codes.to_numpy()
    present = np.zeros((len(data["participant"].cat.categories), len(stages)), dtype=bool)
    present[codes, data["stage"].to_numpy() - stages[0]] = True
    missing_code, missing_stage = np.nonzero(~present)
    parts.append(
        pd.DataFrame(
            {
                "participant": data["participant"].cat.categories[missing_code],
                "stage": np.asarray(stages)[missing_stage],
                "column": None,
                "issue": "no row for this stage",
            }
        )
    )
    incomplete = pd.concat(parts, ignore_index=True)
    incomplete["participant"] = incomplete["participant"].astype("str")
    return incomplete.sort_values(["participant", "stage", "column"], na_position="first", kind="stable").reset_index(
        drop=True
    )
