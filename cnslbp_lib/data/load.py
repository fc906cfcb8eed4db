"""Load a cohort file into a tidy DataFrame, validating it against the schema.

Every rule lives in :func:`cnslbp_lib.data.schema.cohort_table_schema`; values are
checked with pandera. All problems are collected and raised together as one
:class:`~cnslbp_lib.exceptions.CohortValidationError`, each naming file, line,
column, value and rule. Incomplete records (a blank score, a missing stage row)
are not errors: they are listed in :attr:`Cohort.incomplete` and every analysis
states who it excluded.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from ..exceptions import CohortValidationError, Problem
from .schema import cohort_table_schema

__all__ = ["Cohort", "load_cohort", "participant_labels"]

_BOM = b"\xef\xbb\xbf"
_OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}
_SURROGATE = re.compile("[\udc80-\udcff]")


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
        order; ``global_change`` may be omitted.

    Returns
    -------
    Cohort

    Raises
    ------
    CohortValidationError
        Listing every problem found, each with file, line, column, value and rule.

    Examples
    --------
    >>> cohort = load_cohort("data/cohort.csv")
    >>> cohort.n_participants, len(cohort.data)
    (14, 42)
    """
    name = str(path)
    raw = _read_bytes(Path(path), name)
    text = _decode(raw, name)
    header, columns = _check_header(text, name)
    record_lines, blank_lines, problems = _check_field_counts(text, len(header), name)
    unreadable_lines = [problem.line for problem in problems if problem.line is not None]
    frame = pd.read_csv(
        io.StringIO(text),
        dtype={"participant": str},
        keep_default_na=False,
        na_values=[""],
        skip_blank_lines=False,
        skiprows=sorted(line - 1 for line in unreadable_lines),
    )
    kept = record_lines[~np.isin(record_lines, unreadable_lines)]
    # the frame's index is the line number of each record, so every message can cite it
    frame.index = pd.Index(kept if kept.size == len(frame) else np.arange(2, len(frame) + 2))
    frame = frame.drop(index=[line for line in blank_lines if line in frame.index])
    if frame.empty and not problems:
        raise CohortValidationError([Problem(name, None, None, None, "file has a header but no data rows")])
    typed, parse_problems = _parse_integers(frame, columns, name)
    problems += parse_problems
    unparsed = {(problem.line, problem.column) for problem in parse_problems}
    problems += [
        problem for problem in _validate(typed, columns, name) if (problem.line, problem.column) not in unparsed
    ]
    if problems:
        raise CohortValidationError(sorted(problems, key=_problem_order))
    return _tidy(typed, name, hashlib.sha256(raw).hexdigest(), blank_lines)


def _read_bytes(path: Path, name: str) -> bytes:
    def fail(rule: str) -> CohortValidationError:
        return CohortValidationError([Problem(name, None, None, None, rule)])

    if not path.exists():
        raise fail("file does not exist")
    if not path.is_file():
        raise fail("path is not a regular file")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise fail(f"file cannot be read ({error.strerror or error})") from None
    if not raw.removeprefix(_BOM).strip():
        raise fail("file is empty")
    return raw


def _decode(raw: bytes, name: str) -> str:
    body = raw.removeprefix(_BOM)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lenient = body.decode("utf-8", errors="surrogateescape")
    problems = []
    for number, line in enumerate(lenient.splitlines(), start=1):
        bad = _SURROGATE.findall(line)
        if bad:
            shown = " ".join(f"0x{ord(char) - 0xDC00:02X}" for char in bad[:4])
            problems.append(
                Problem(
                    name,
                    number,
                    None,
                    shown,
                    "file must be UTF-8 text; these bytes are not (save it as 'CSV UTF-8')",
                )
            )
    raise CohortValidationError(problems)


def _check_header(text: str, name: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Check the header against the schema; return it and the fields present."""
    schema = cohort_table_schema()
    fields = {field["name"]: field for field in schema["fields"]}
    optional = set(schema["optionalFields"])
    first_line = text.split("\n", 1)[0].rstrip("\r")
    header = next(csv.reader([first_line]))
    problems = []
    if len(header) == 1:
        for delimiter, called in _OTHER_DELIMITERS.items():
            if delimiter in first_line:
                problems.append(
                    Problem(
                        name,
                        1,
                        None,
                        first_line[:60],
                        f"columns must be separated by commas; this header uses {called}",
                    )
                )
                raise CohortValidationError(problems)
    seen: set[str] = set()
    for column in header:
        if column in seen:
            problems.append(Problem(name, 1, column, None, "column appears more than once in the header"))
        seen.add(column)
        if column not in fields:
            close = difflib.get_close_matches(column.strip().lower(), list(fields), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"expected columns are {', '.join(fields)}"
            problems.append(Problem(name, 1, column, None, f"unknown column; {hint}"))
    for column in fields:
        if column not in seen and column not in optional:
            problems.append(Problem(name, 1, column, None, "required column is missing from the header"))
    if problems:
        raise CohortValidationError(problems)
    return header, [fields[column] for column in header]


def _check_field_counts(text: str, expected: int, name: str) -> tuple[np.ndarray, tuple[int, ...], list[Problem]]:
    """Find rows whose field count differs from the header's.

    Returns the line number of every record (as an array), the blank lines,
    and one problem per malformed row. Counting separators with numpy keeps
    this linear and fast for large files; a file with quotes falls back to the
    csv module, which respects them.
    """
    if '"' in text:
        reader = csv.reader(io.StringIO(text))
        next(reader)
        lines, counts, contents = [], [], {}
        for row in reader:
            blank = not row or (len(row) == 1 and not row[0].strip())
            lines.append(reader.line_num)
            counts.append(0 if blank else len(row))
            if not blank and len(row) != expected:
                contents[reader.line_num] = ",".join(row)
        line_numbers, fields = np.array(lines, dtype=np.int64), np.array(counts, dtype=np.int64)
    else:
        codes = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
        newline = np.flatnonzero(codes == ord("\n"))
        starts = np.concatenate(([0], newline + 1))
        ends = np.concatenate((newline, [codes.size]))
        if codes[-1] == ord("\n"):  # the text after the final line break is not a line
            starts, ends = starts[:-1], ends[:-1]
        starts, ends = starts[1:], ends[1:]
        commas = np.flatnonzero(codes == ord(","))
        fields = np.searchsorted(commas, ends) - np.searchsorted(commas, starts) + 1
        line_numbers = np.arange(2, starts.size + 2)

        def line_text(i: int) -> str:
            return codes[starts[i] : ends[i]].tobytes().decode("utf-8").rstrip("\r")

        for i in np.flatnonzero(fields == 1):  # a line without commas may be blank
            if not line_text(int(i)).strip():
                fields[i] = 0
        bad = np.flatnonzero((fields != expected) & (fields != 0))
        contents = {int(line_numbers[i]): line_text(int(i)) for i in bad}
    wrong = np.flatnonzero((fields != expected) & (fields != 0))
    problems = [
        Problem(
            name,
            int(line_numbers[i]),
            None,
            contents[int(line_numbers[i])][:60],
            f"row has {fields[i]} fields but the header has {expected} "
            "(a missing value needs an empty field; a comma inside a value needs quotes)",
        )
        for i in wrong
    ]
    blank_lines = tuple(int(line) for line in line_numbers[fields == 0])
    return line_numbers, blank_lines, problems


def _parse_integers(
    frame: pd.DataFrame, columns: list[dict[str, Any]], name: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Convert integer columns to nullable Int64; one problem per non-integer cell.

    A cell that cannot be read becomes missing, so the other rules can still
    be checked on the rest of the file.
    """
    problems = []
    typed = {}
    for field in columns:
        column = field["name"]
        values = frame[column]
        if field["type"] != "integer":
            typed[column] = _sorted_categorical(values)
            continue
        if pd.api.types.is_numeric_dtype(values):
            numbers = values.astype("float64")
            unreadable = pd.Series(False, index=values.index)
        else:
            numbers = pd.to_numeric(values.astype("str").str.strip(), errors="coerce")
            unreadable = values.notna() & numbers.isna()
        fractional = numbers.notna() & (np.floor(numbers) != numbers)
        for line, value in values[unreadable | fractional].items():
            problems.append(Problem(name, int(line), column, str(value), "must be a whole number"))
        typed[column] = numbers.where(~fractional).astype("Int64")
    return pd.DataFrame(typed, index=frame.index), problems


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
    sorted_codes = np.where(codes >= 0, rank[np.maximum(codes, 0)], -1)
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
                        series.cat.categories.str.strip().str.len().to_numpy()[series.cat.codes] > 0,
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


def _validate(typed: pd.DataFrame, columns: list[dict[str, Any]], name: str) -> list[Problem]:
    schema, frame_rule_columns = _pandera_schema(columns)
    try:
        schema.validate(typed, lazy=True)
    except SchemaErrors as errors:
        return _problems_from_pandera(errors.failure_cases, typed, name, frame_rule_columns)
    return []


def _problems_from_pandera(
    failures: pd.DataFrame, typed: pd.DataFrame, name: str, frame_rule_columns: dict[str, str]
) -> list[Problem]:
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
            problems.append(Problem(name, index, column, str(typed.loc[index, column]), str(rule)))
    cells = failures[failures["schema_context"] == "Column"]
    for row in cells.itertuples(index=False):
        index = None if pd.isna(row.index) else int(row.index)
        if row.check == "not_nullable":
            rule, value = f"{row.column} must not be blank", None
        else:
            rule, value = str(row.check), str(row.failure_case)
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
    schema = cohort_table_schema()
    stages = schema["fields"][1]["constraints"]["enum"]
    parts = []
    for field in schema["fields"][2:]:
        column = field["name"]
        if column not in data.columns:
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
