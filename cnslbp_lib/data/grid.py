"""The one raw form every reader produces: a header and rows of text, and where each came from.

A CSV file (:mod:`~cnslbp_lib.data.csvfile`), a workbook sheet or a
statistics-package file (:mod:`~cnslbp_lib.data.readers`) is read into a
:class:`Grid`: the header's column names, and each row's cells as text or
missing, indexed by the row's number as the file numbers it. Nothing is
interpreted here; which column holds what is the work of
:mod:`~cnslbp_lib.data.layout`, and checking values that of
:mod:`~cnslbp_lib.data.load`. :class:`Origin` turns a row and a column into a
:class:`~cnslbp_lib.exceptions.Problem` that names the file, the sheet where
there is one, and the row in the file's own unit (a CSV line, a spreadsheet
row, an SPSS case, a Stata observation).
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import CohortValidationError, Problem

__all__ = ["Grid", "Origin", "cell_text", "column_texts", "reject_repeated_columns"]


@dataclass(frozen=True)
class Origin:
    """Where a grid's rows come from, as messages name it.

    ``kind`` names the file's format in words (``CSV file``, ``Excel
    workbook``, ``SPSS data file``, ``Stata data file``); ``unit`` is the word
    for what its row numbers count (``line``, ``row``, ``case``,
    ``observation``).
    """

    file: str
    kind: str
    unit: str
    sheet: str | None = None

    def problem(self, row: int | None, column: str | None, value: str | None, rule: str) -> Problem:
        """A problem located in this file (and sheet), at ``row`` in its own unit."""
        return Problem(self.file, row, column, value, rule, sheet=self.sheet, unit=self.unit)

    def fail(self, rule: str, value: str | None = None) -> CohortValidationError:
        """An error about the whole file, with one problem."""
        return CohortValidationError([self.problem(None, None, value, rule)])

    @property
    def place(self) -> str:
        """The file and sheet in words, e.g. ``clinic.xlsx, sheet 'Scores'``."""
        return self.file if self.sheet is None else f"{self.file}, sheet {self.sheet!r}"


@dataclass(frozen=True)
class Grid:
    """A file's header and rows as text, before any value or column is interpreted.

    ``cells`` has one column per header name (names are unique) and one row
    per non-blank row of the file; each cell is a ``str`` or missing, and the
    index is each row's number as the file numbers it (``origin.unit``).
    ``header_row`` is the header's own row number (``None`` for files whose
    header is not a row, such as SPSS and Stata files). ``problems`` are
    problems with single rows found while reading (a wrong field count, say);
    ``notes`` are things the reader did that the user should know (value
    labels set aside, the sheet chosen); ``header_hint`` is said beside any
    problem with the header (which row was read as the header, which other
    sheets there are).
    """

    origin: Origin
    header: tuple[str, ...]
    header_row: int | None
    cells: pd.DataFrame
    blank_rows: tuple[int, ...] = ()
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()
    header_hint: str | None = None


def reject_repeated_columns(header: list[str] | tuple[str, ...], origin: Origin, header_row: int | None) -> None:
    """Raise one problem per column name that appears more than once in the header.

    A file's columns are named by their header; a repeated name could not be
    told apart in any message, so it is refused before anything is read.
    """
    seen: set[str] = set()
    problems = []
    for column in header:
        if column in seen:
            problems.append(origin.problem(header_row, column, None, "column appears more than once in the header"))
        seen.add(column)
    if problems:
        raise CohortValidationError(problems)


def cell_text(value: Any) -> str | None:  # noqa: PLR0911 (one return per kind of value)
    """The text of one typed cell (a workbook or statistics-package value), or ``None`` if it is empty.

    A number stored as a number has no written form, so it is given its
    exact shortest one: a whole number without a decimal point, however it
    was stored (``40.0`` as ``40``), any other as the shortest decimal that
    reads back as the same number. Missing values (``NaN``, an empty
    string) are empty.

    Examples
    --------
    >>> [cell_text(value) for value in (40, 40.0, -0.0, 40.5, float("nan"), "", " 7.0 ", True, 1e20)]
    ['40', '40', '0', '40.5', None, None, ' 7.0 ', 'TRUE', '100000000000000000000']
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return None
        if number.is_integer():
            return str(int(number))
        return repr(number)
    if isinstance(value, str):
        return value or None
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def column_texts(values: pd.Series) -> pd.Series:
    """:func:`cell_text` of every value of one column, fast for numeric columns.

    Examples
    --------
    >>> column_texts(pd.Series([40.0, None, 40.5])).tolist()
    ['40', None, '40.5']
    """
    array = values.to_numpy()
    if array.dtype.kind in "iu":
        return pd.Series(array.astype(str).astype(object), index=values.index, dtype=object)
    if array.dtype.kind == "f":
        texts = np.full(array.size, None, dtype=object)
        # below 2**53 every whole float is exactly an int64; larger ones go one by one
        whole = np.isfinite(array) & (np.floor(array) == array) & (np.abs(array) < 2.0**53)
        texts[whole] = array[whole].astype(np.int64).astype(str)
        others = np.flatnonzero(~whole & ~np.isnan(array))
        texts[others] = [cell_text(array[i]) for i in others]
        return pd.Series(texts, index=values.index, dtype=object)
    return pd.Series([cell_text(value) for value in array], index=values.index, dtype=object)
