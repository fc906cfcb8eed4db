"""Load a cohort file into a tidy DataFrame, validating it against the schema.

Any file a clinic keeps is read the same way, in three steps with one
validation at the end:

1. :mod:`cnslbp_lib.data.readers` reads the file (CSV, an Excel workbook's
   sheet, an SPSS or Stata file) into a :class:`~cnslbp_lib.data.grid.Grid`
   of text, each row numbered as the file numbers it;
2. :mod:`cnslbp_lib.data.layout` reads the header (long, wide or REDCap) and
   :mod:`cnslbp_lib.data.records` turns the rows into long records of text, one
   per participant and stage, keeping the row and column each cell came from;
3. this module parses the records' values as whole numbers, has
   :mod:`cnslbp_lib.data.validation` check them against the schema's rules,
   and tidies them into a :class:`Cohort`.

Every rule lives in :func:`cnslbp_lib.data.schema.cohort_table_schema`; values are
checked with pandera. All problems are collected and raised together as one
:class:`~cnslbp_lib.exceptions.CohortValidationError`, each naming the file,
the sheet where there is one, the row as the file numbers it, the column as
the file names it, the value as written and the rule. Incomplete records (a
blank score, a missing stage row) are not errors: they are listed in
:attr:`Cohort.incomplete` and every analysis states who it excluded.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import CohortValidationError, Problem
from .grid import Origin
from .instruments import STAGES
from .layout import Layout, detect_layout
from .readers import read_grid
from .records import to_records
from .schema import KEY_COLUMNS, WHOLE_NUMBER_RULE, cohort_table_schema
from .validation import check_values

__all__ = ["Cohort", "FileReading", "load_cohort", "participant_labels"]

# digits with an optional sign, and a decimal point only if zeros alone follow it ([0-9] is ASCII only, unlike \d)
_WHOLE_NUMBER = re.compile("([+-]?)([0-9]+)(\\.0+)?")
_NUMBER_PADDING = " \t"
_MAX_DIGITS = 15  # far beyond every range in the registry, and well inside int64
_OUT_OF_EVERY_RANGE: int = 10**_MAX_DIGITS


@dataclass(frozen=True)
class FileReading:
    """How a file was read: its format and sheet, its layout, which column holds what, and notes.

    ``decimal_cells`` counts the cells that held a whole number written as
    a decimal (``40.0``), each read as the whole number; ``decimal_example``
    is the first such text met.
    """

    origin: Origin
    layout: Layout
    notes: tuple[str, ...] = ()
    decimal_cells: int = 0
    decimal_example: str = ""

    @property
    def all_notes(self) -> list[str]:
        """Every note, the count of decimal cells last."""
        notes = list(self.notes)
        if self.decimal_cells:
            several = self.decimal_cells != 1
            notes.append(
                f"{self.decimal_cells} cell{'s' if several else ''} held {'' if several else 'a '}whole "
                f"number{'s' if several else ''} written as {'decimals' if several else 'a decimal'} "
                f"(such as {self.decimal_example!r}); read as the whole number{'s' if several else ''}"
            )
        return notes

    def describe(self) -> list[str]:
        """Lines that say how the file was read, for ``cnslbp validate``."""
        sheet = f", sheet {self.origin.sheet!r}" if self.origin.sheet is not None else ""
        lines = [f"Read as: {self.origin.kind}{sheet}; layout {self.layout.description}.", "Columns:"]
        mapping = self.layout.mapping()
        width = max(len(column) for column, _ in mapping)
        lines += [f"  {column:<{width}}  -> {what}" for column, what in mapping]
        notes = self.all_notes
        if notes:
            lines.append("Notes:")
            lines += [f"  - {note}" for note in notes]
        return lines


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
    file_reading : FileReading
        The file's format, sheet, layout and column mapping, and notes on
        how its values were read.
    skipped_lines : tuple of int
        Blank rows (lines of a CSV file), which hold no record and are
        skipped, numbered as the file numbers them.
    """

    data: pd.DataFrame
    source: str
    sha256: str
    incomplete: pd.DataFrame
    file_reading: FileReading
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
        """One readable sentence per incomplete record or skipped row."""
        messages = [
            f"{self.source}: participant {row.participant!r}, stage {row.stage}: {row.issue}"
            for row in self.incomplete.itertuples(index=False)
        ]
        origin = self.file_reading.origin
        messages += [f"{origin.place}, {origin.unit} {row}: blank {origin.unit} skipped" for row in self.skipped_lines]
        return messages

    @classmethod
    def from_frame(cls, data: pd.DataFrame, source: str) -> Cohort:
        """A cohort of complete, already valid records held in memory (a drawn dataset of any paper, say).

        ``data`` has ``participant``, ``stage`` and one score column per
        instrument, no blanks; nothing is validated, so use it only for
        frames the library made. Incomplete records are taken to be none.
        """
        if data.isna().any().any():
            raise ValueError(f"data must have no blank values to be taken as complete; {source} has some")
        tidy = data.assign(participant=pd.Categorical(data["participant"].astype(str)))
        tidy = tidy.sort_values(["participant", "stage"], kind="stable").reset_index(drop=True)
        incomplete = pd.DataFrame({"participant": [], "stage": [], "column": [], "issue": []})
        origin = Origin(source, "frame in memory", "row")
        return cls(tidy, source, "", incomplete, FileReading(origin, Layout("long", ())))

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


def load_cohort(path: str | Path, *, sheet: str | None = None) -> Cohort:
    """Read, validate and tidy a cohort file, whatever its format and layout.

    Parameters
    ----------
    path : str or pathlib.Path
        A cohort file, its format told from its content:

        - a CSV file: UTF-8 (a byte-order mark and CRLF line ends are
          accepted), comma-separated;
        - an Excel workbook (``.xlsx``): one sheet, its first non-empty row
          the header;
        - an SPSS (``.sav``) or Stata (``.dta``) file: value labels are set
          aside, the codes read.

        Its layout is told from the header (see
        :func:`~cnslbp_lib.data.layout.detect_layout`): long, as
        ``data/cohort.schema.json`` describes (columns in any order,
        ``global_change`` optional); wide (``id, piq_1, piq_2, ...``); or a
        REDCap export (``record_id, redcap_event_name, piq, ...``). Numbers
        are whole numbers in the digits 0-9 with an optional leading sign,
        also written as decimals with zeros after the point (``40.0``; see
        :data:`~cnslbp_lib.data.schema.WHOLE_NUMBER_RULE`); participant ids
        are any non-blank text.
    sheet : str, optional
        The workbook's sheet to read (default: the first).

    Returns
    -------
    Cohort
        Its :attr:`Cohort.file_reading` says how the file was read.

    Raises
    ------
    CohortValidationError
        Listing every problem found, each with file, sheet (for a workbook),
        row, column, value and rule. No other exception escapes for a bad
        file: unreadable bytes, damaged workbooks, broken quoting, special
        float words and huge numbers all become problems.

    Examples
    --------
    >>> cohort = load_cohort("data/cohort.csv")
    >>> cohort.n_participants, len(cohort.data), cohort.file_reading.layout.kind
    (14, 42, 'long')
    """
    name = str(path)
    grid, raw = read_grid(Path(path), name, sheet=sheet)
    try:
        layout = detect_layout(grid)
    except CohortValidationError as error:
        if grid.header_hint is None:
            raise
        hint = grid.origin.problem(None, None, None, grid.header_hint)
        raise CohortValidationError([*error.problems, hint]) from None
    records = to_records(grid, layout)
    problems = [*grid.problems, *records.problems]
    if records.cells.empty and not problems:
        raise CohortValidationError([grid.origin.problem(None, None, None, "file has a header but no data rows")])
    fields = {field["name"]: field for field in cohort_table_schema()["fields"]}
    columns = [fields[name] for name in records.cells.columns]
    typed, malformed, decimals = _parse_integers(records.cells, columns)
    problems += [records.problem(record, column, value, WHOLE_NUMBER_RULE) for record, column, value in malformed]
    settled = records.settled | {(record, column) for record, column, _ in malformed}
    findings, duplicates = check_values(typed, records.cells, columns, records)
    problems += duplicates
    problems += [
        records.problem(record, column, value, rule)
        for record, column, value, rule in findings
        if record is None or column is None or (record, column) not in settled
    ]
    if problems:
        raise CohortValidationError(sorted(dict.fromkeys(problems), key=_problem_order))
    reading = FileReading(grid.origin, layout, grid.notes + layout.notes + records.notes, *decimals)
    return _tidy(typed, name, hashlib.sha256(raw).hexdigest(), reading, grid.blank_rows)


_Malformed = tuple[int, str, str]  # record, column, the text as written


def _parse_integers(
    cells: pd.DataFrame, columns: list[dict[str, Any]]
) -> tuple[pd.DataFrame, list[_Malformed], tuple[int, str]]:
    """Convert integer columns to nullable Int64; list every malformed cell.

    A cell must hold a whole number as :data:`WHOLE_NUMBER_RULE` describes; a
    cell of only spaces and tabs is blank. Each distinct text is parsed once,
    with Python's exact integers, so no float reading ("nan", "inf", "1e1",
    "7.5") and no 64-bit overflow can occur; ``40.0`` is the whole number
    40, and is counted. A number too long to be in any range is kept as a
    stand-in beyond every range, so the range check still reports it, with
    the text as written. A malformed cell becomes missing, so the other rules
    can still be checked on the rest of the file. Also returns how many cells
    held a whole number written as a decimal, and the first such text.
    """
    malformed_cells: list[_Malformed] = []
    typed = {}
    decimal_cells, decimal_example = 0, ""
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
        decimal = np.zeros(len(texts) + 1, dtype=bool)
        for i, text in enumerate(texts):
            stripped = str(text).strip(_NUMBER_PADDING)
            if not stripped:  # only spaces and tabs: blank
                continue
            number = _whole_number(stripped)
            if number is None:
                malformed[i] = True
            else:
                (numbers[i], decimal[i]), present[i] = number, True
        typed[column] = pd.Series(
            pd.arrays.IntegerArray(numbers[codes], ~present[codes]), index=values.index, name=column
        )
        for record, value in values[malformed[codes]].items():
            malformed_cells.append((int(record), column, str(value)))
        counted = int(decimal[codes].sum())
        if counted and not decimal_cells:
            decimal_example = str(values[decimal[codes]].iloc[0])
        decimal_cells += counted
    return pd.DataFrame(typed, index=cells.index), malformed_cells, (decimal_cells, decimal_example)


def _whole_number(stripped: str) -> tuple[int, bool] | None:
    """The integer a cell holds (spaces and tabs around it removed) and whether it was written as a decimal.

    None if the cell is malformed.
    """
    match = _WHOLE_NUMBER.fullmatch(stripped)
    if match is None:
        return None
    sign, digits, decimals = match.groups()
    digits = digits.lstrip("0")
    if len(digits) > _MAX_DIGITS:  # int() refuses beyond 4300 digits; int64 overflows beyond 18
        return (-_OUT_OF_EVERY_RANGE if sign == "-" else _OUT_OF_EVERY_RANGE), decimals is not None
    return int(sign + (digits or "0")), decimals is not None


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


def _problem_order(problem: Problem) -> tuple[int, str]:
    return (problem.line or 0, problem.column or "")


def _tidy(typed: pd.DataFrame, name: str, sha256: str, reading: FileReading, skipped: tuple[int, ...]) -> Cohort:
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
        file_reading=reading,
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
