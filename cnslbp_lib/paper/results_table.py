"""A results table: many printed paired results in one CSV, checked, and written as text, JSON or CSV.

The table has one row per printed paired (pre–post) result and the fixed
columns of :data:`~cnslbp_lib.paper.paired_result.COLUMNS` (any subset, in
any order, plus ``ci_level``); every value is kept as printed. Other columns
are carried through to the output untouched. ``data/results_table.md``
documents the format and what each check does.

A value that cannot be read is not an error of the file: that row's notes
name it and the row is checked without it. What makes the file itself
unusable (not UTF-8 CSV, no ``id`` column, a row with the wrong number of
fields, a missing or repeated id) raises
:class:`~cnslbp_lib.exceptions.ResultsTableError` naming file, line, column
and rule, with every problem at once.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..exceptions import Problem, ResultsTableError
from .paired_checks import VERDICTS, CheckedResult, check_paired_result
from .paired_intervals import describe
from .paired_result import COLUMNS, OPTIONAL_COLUMNS, PairedResult
from .printed import Interval
from .t_test_checks import p_places

__all__ = [
    "CSV_COLUMNS",
    "ResultsTable",
    "TableRow",
    "check_results_table",
    "read_results_table",
    "results_to_csv",
    "results_to_json",
    "results_to_text",
]

_KNOWN = (*COLUMNS, *OPTIONAL_COLUMNS)
_BOM = "\ufeff"
CSV_COLUMNS = (
    "id", "row_verdict", "check", "verdict", "subject", "interval_low", "interval_high",
    "explained_by", "detail", "notes",
)  # fmt: skip
"""The CSV output's own columns (one line per check of each row), before the table's extra columns."""


@dataclass(frozen=True)
class TableRow:
    """One row of a results table: the line it starts on, its printed result and its other columns."""

    line: int
    result: PairedResult
    extra: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ResultsTable:
    """A read results table: its rows, the names of its extra columns and warnings about its header."""

    name: str
    rows: tuple[TableRow, ...]
    extra_columns: tuple[str, ...]
    warnings: tuple[str, ...]


def read_results_table(path: str | Path) -> ResultsTable:
    """Read a results table (UTF-8 CSV, comma-separated, a header with ``id``).

    Raises
    ------
    ResultsTableError
        With every problem found: the file cannot be read or is not UTF-8,
        the header lacks ``id`` or repeats a column, a row has the wrong number
        of fields or broken quoting, an id is empty or repeated.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "t.csv").write_text("id,n,p,source\\na,14,0.003,Table 2\\n", encoding="utf-8")
    >>> table = read_results_table(folder / "t.csv")
    >>> table.rows[0].result.p, table.rows[0].extra, table.extra_columns
    ('0.003', (('source', 'Table 2'),), ('source',))
    """
    name = str(path)

    def fail(rule: str, line: int | None = None, column: str | None = None) -> ResultsTableError:
        return ResultsTableError([Problem(name, line, column, None, rule)])

    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise fail("file does not exist") from None
    except OSError as error:
        raise fail(f"file cannot be read ({error.strerror or error})") from None
    try:
        text = raw.decode("utf-8").removeprefix(_BOM)
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise fail("file must be UTF-8 text (save it as 'CSV UTF-8')", line) from None
    if not text.strip():
        raise fail("file is empty")
    records = _records(text, name)
    header = records[0][1]
    warnings = _check_header(header, name)
    return _rows(records, header, name, warnings)


def _records(text: str, name: str) -> list[tuple[int, list[str]]]:
    """Each record with the line it starts on; broken quoting raises with its line."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for record in reader:
            records.append((start, record))
            start = reader.line_num + 1
    except csv.Error as error:
        raise ResultsTableError([Problem(name, start, None, None, f"line cannot be read as CSV ({error})")]) from None
    return records


def _check_header(header: list[str], name: str) -> tuple[str, ...]:
    problems: list[Problem] = []
    if len(header) == 1 and any(mark in header[0] for mark in ";\t|"):
        problems.append(Problem(name, 1, None, header[0][:60], "columns must be separated by commas"))
    seen: set[str] = set()
    for column in header:
        if column in seen:
            problems.append(Problem(name, 1, column, None, "column appears more than once in the header"))
        seen.add(column)
    if "id" not in seen and not problems:
        problems.append(Problem(name, 1, "id", None, "the header must have an id column (one id per result)"))
    if problems:
        raise ResultsTableError(problems)
    warnings = []
    for column in header:
        if column not in _KNOWN:
            close = difflib.get_close_matches(column.strip().lower(), _KNOWN, n=1, cutoff=0.8)
            if close and close[0] not in seen:
                warnings.append(
                    f"{name}: column {column!r} is not one of the fixed columns (did you mean {close[0]!r}?); "
                    "it is kept as an extra column and not checked"
                )
    return tuple(warnings)


def _rows(
    records: list[tuple[int, list[str]]], header: list[str], name: str, warnings: tuple[str, ...]
) -> ResultsTable:
    problems: list[Problem] = []
    rows: list[TableRow] = []
    first_line: dict[str, int] = {}
    extra_columns = tuple(column for column in header if column not in _KNOWN)
    for line, record in records[1:]:
        if not any(field.strip() for field in record):
            continue  # a blank line
        if len(record) != len(header):
            problems.append(
                Problem(
                    name,
                    line,
                    None,
                    ",".join(record)[:60],
                    f"row has {len(record)} fields but the header has {len(header)} "
                    "(a missing value needs an empty field; a comma inside a value needs quotes)",
                )
            )
            continue
        cells = dict(zip(header, record, strict=True))
        identifier = cells["id"].strip()
        if not identifier:
            problems.append(Problem(name, line, "id", None, "every row needs an id"))
            continue
        if identifier in first_line:
            rule = f"id is repeated (first on line {first_line[identifier]}); ids must be unique"
            problems.append(Problem(name, line, "id", identifier, rule))
            continue
        first_line[identifier] = line
        extra = tuple((column, cells[column]) for column in extra_columns)
        rows.append(TableRow(line, PairedResult.from_mapping(cells), extra))
    if problems:
        raise ResultsTableError(problems)
    return ResultsTable(name, tuple(rows), extra_columns, warnings)


def check_results_table(table: ResultsTable) -> list[CheckedResult]:
    """Check every row of a table, in order."""
    return [check_paired_result(row.result) for row in table.rows]


def _bound(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _end(value: float) -> str:
    return repr(value) if math.isfinite(value) else ""


def _interval(interval: Interval | None) -> dict[str, float | None] | None:
    return None if interval is None else {"low": _bound(interval.low), "high": _bound(interval.high)}


def results_to_json(table: ResultsTable, results: Sequence[CheckedResult]) -> str:
    """An array with one object per row: id, verdict, checks, notes, implied values and the extra columns.

    Each check has ``name``, ``verdict``, ``subject``, ``detail``, ``interval``
    (``{"low", "high"}``, null ends when unbounded, or null) and
    ``explained_by``.
    """
    rows: list[dict[str, Any]] = []
    for row, result in zip(table.rows, results, strict=True):
        checks = [
            {
                "name": check.name,
                "verdict": check.verdict,
                "subject": check.subject,
                "detail": check.detail,
                "interval": _interval(check.interval),
                "explained_by": list(check.explained_by),
            }
            for check in result.checks
        ]
        rows.append(
            {
                "id": result.id,
                "line": row.line,
                "verdict": result.verdict,
                "checks": checks,
                "notes": list(result.notes),
                "implied": [
                    {"name": item.name, "interval": _interval(item.interval), "sources": list(item.sources)}
                    for item in result.implied
                ],
                "extra": dict(row.extra),
            }
        )
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


def results_to_csv(table: ResultsTable, results: Sequence[CheckedResult]) -> str:
    """The long layout: one line per check of each row (:data:`CSV_COLUMNS`), then the table's extra columns.

    ``explained_by`` joins its entries with ``;``, ``notes`` with ``" | "``;
    an unbounded interval end is empty.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS, *table.extra_columns])
    for row, result in zip(table.rows, results, strict=True):
        notes = " | ".join(result.notes)
        extra = [value for _, value in row.extra]
        for check in result.checks:
            ends = ("", "") if check.interval is None else (_end(check.interval.low), _end(check.interval.high))
            head = (result.id, result.verdict, check.name, check.verdict, check.subject)
            writer.writerow([*head, *ends, ";".join(check.explained_by), check.detail, notes, *extra])
    return buffer.getvalue()


def _indented(text: str, width: int, indent: int) -> str:
    return textwrap.fill(
        text,
        width=width,
        initial_indent=" " * indent,
        subsequent_indent=" " * (indent + 2),
        break_long_words=False,
        break_on_hyphens=False,
    )


def results_to_text(results: Sequence[CheckedResult], *, width: int = 100) -> str:
    """A summary table (one line per row), then each row's checks that ran, its notes and what could not run."""
    counts = {verdict: sum(result.verdict == verdict for result in results) for verdict in VERDICTS[:2]}
    lines = [
        f"{len(results)} result{'s' if len(results) != 1 else ''}: {counts['consistent']} consistent, "
        f"{counts['inconsistent']} inconsistent, {len(results) - sum(counts.values())} not checkable"
    ]
    if not results:
        return lines[0] + "\n"
    id_width = min(max(len("id"), *(len(result.id) for result in results)), 30)
    lines += ["", f"{'id':<{id_width}}  {'verdict':<13}  {'ran':>3}  inconsistent checks"]
    for result in results:
        ran = sum(check.verdict != "not checkable" for check in result.checks)
        flagged = ", ".join(
            check.name + (f" ({'; '.join(check.explained_by)})" if check.explained_by else "")
            for check in result.checks
            if check.verdict == "inconsistent"
        )
        lines.append(f"{result.id[:id_width]:<{id_width}}  {result.verdict:<13}  {ran:>3}  {flagged or '—'}")
    for result in results:
        lines += ["", f"{result.id}: {result.verdict}"]
        for check in result.checks:
            if check.verdict != "not checkable":
                lines.append(f"  {check.verdict:<12}  {check.name}")
                lines.append(_indented(check.detail, width, 4))
        skipped = [check.name for check in result.checks if check.verdict == "not checkable"]
        if skipped:
            lines.append(_indented("not checkable: " + ", ".join(skipped), width, 2))
        lines += [_indented("note: " + note, width, 2) for note in result.notes]
        if result.implied:
            implied = "; ".join(
                f"{item.name} {describe(item.interval, p_places(item.interval, 3) if item.name == 'p' else 3)}"
                for item in result.implied
            )
            lines.append(_indented(f"implied: {implied}", width, 2))
    return "\n".join(lines) + "\n"
