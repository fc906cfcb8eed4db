"""Read any cohort file into a :class:`~cnslbp_lib.data.grid.Grid`: CSV, Excel workbooks, SPSS and Stata files.

The format is told from the file's first bytes, not its name, so a workbook
saved as ``cohort.csv`` is still read as a workbook. Workbooks (``.xlsx``)
are read with openpyxl (the values of formulas as Excel last calculated
them; error values such as ``#DIV/0!`` kept as text, so they are refused at
their cell); SPSS (``.sav``, ``.zsav``) and Stata (``.dta``) files with
pyreadstat. Every value becomes text before the one validation in
:mod:`cnslbp_lib.data.load` reads it: a number stored as a number is written
in its exact shortest form (see :func:`~cnslbp_lib.data.grid.cell_text`).
Value labels are set aside in favour of the codes, and the grid's notes say
so.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
from openpyxl.utils import get_column_letter

from .csvfile import CSV_KIND, decode_utf8, read_file_bytes, read_table
from .grid import Grid, Origin, cell_text, column_texts, reject_repeated_columns

__all__ = ["WORKBOOK_KIND", "read_grid", "sniff_kind"]

WORKBOOK_KIND = "Excel workbook"
SPSS_KIND = "SPSS data file"
STATA_KIND = "Stata data file"
_OLD_EXCEL_KIND = "old Excel workbook (.xls)"
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .xls files
_STATA_XML = b"<stata_dta>"
_STATA_OLD_VERSIONS = range(104, 116)  # format 104-115: the first byte is the version, the second the byte order


def sniff_kind(raw: bytes) -> str:
    """The file's format, told from its first bytes.

    Examples
    --------
    >>> sniff_kind(b"participant,stage\\n"), sniff_kind(b"$FL2@(#) IBM SPSS"), sniff_kind(b"PK\\x03\\x04...")
    ('CSV file', 'SPSS data file', 'Excel workbook')
    """
    if raw.startswith(_ZIP):
        return WORKBOOK_KIND
    if raw.startswith((b"$FL2", b"$FL3")):
        return SPSS_KIND
    if raw.startswith(_STATA_XML) or (len(raw) > 1 and raw[0] in _STATA_OLD_VERSIONS and raw[1] in (1, 2)):
        return STATA_KIND
    if raw.startswith(_OLE):
        return _OLD_EXCEL_KIND
    return CSV_KIND


def read_grid(path: Path, name: str, *, sheet: str | None = None) -> tuple[Grid, bytes]:
    """Read the file at ``path`` (called ``name`` in messages) into a grid; also return its bytes.

    Parameters
    ----------
    path : pathlib.Path
        A CSV file, an Excel workbook (``.xlsx``), an SPSS file (``.sav``) or
        a Stata file (``.dta``), told apart by their content.
    name : str
        What messages call the file.
    sheet : str, optional
        The workbook's sheet to read; the first sheet if not given. Naming a
        sheet for a file that has none is a problem.

    Raises
    ------
    CohortValidationError
        If the file cannot be read, the sheet does not exist, or the header
        repeats a column name.
    """
    raw = read_file_bytes(path, name)
    kind = sniff_kind(raw)
    if kind == _OLD_EXCEL_KIND:
        raise Origin(name, kind, "row").fail(
            "old Excel workbooks (.xls) are not read; save the sheet as an Excel workbook (.xlsx) or as CSV UTF-8"
        )
    if sheet is not None and kind != WORKBOOK_KIND:
        raise Origin(name, kind, "line").fail(f"a sheet was named, but a {kind} has no sheets", sheet)
    if kind == WORKBOOK_KIND:
        return _read_workbook(raw, name, sheet), raw
    if kind in (SPSS_KIND, STATA_KIND):
        return _read_statistics_file(path, name, kind), raw
    return read_table(decode_utf8(raw, name), name), raw


def _read_workbook(raw: bytes, name: str, sheet: str | None) -> Grid:
    """One sheet of a workbook: the first non-empty row is the header; rows keep the spreadsheet's numbers.

    Cells are read with openpyxl directly (the values Excel last calculated,
    as pandas reads them) rather than through ``pandas.read_excel``, which
    turns an error value such as ``#DIV/0!`` into a missing value: a score
    that failed to compute would then pass as a blank one.
    """
    origin = Origin(name, WORKBOOK_KIND, "row")

    def unreadable(error: Exception) -> Exception:
        return origin.fail(f"file cannot be read as an Excel workbook ({type(error).__name__}: {error})")

    with warnings.catch_warnings():
        # openpyxl warns about parts it does not read (styles, data validation); values are unaffected
        warnings.simplefilter("ignore", UserWarning)
        try:
            book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            names = [str(sheet_name) for sheet_name in book.sheetnames]
        except Exception as error:  # a damaged workbook can fail in any layer: zipfile, XML parsing, openpyxl
            raise unreadable(error) from None
        chosen = sheet if sheet is not None else (names[0] if names else "")
        if chosen not in names:
            listed = ", ".join(repr(sheet_name) for sheet_name in names)
            raise origin.fail(f"the workbook has no sheet of this name; its sheets are {listed}", chosen)
        try:
            worksheet = book[chosen]
            if worksheet.calculate_dimension() == "A1:A1":  # some writers leave no size; then measure it
                worksheet.reset_dimensions()
            rows = [list(row) for row in worksheet.iter_rows(values_only=True)]
        except Exception as error:  # as above
            raise unreadable(error) from None
        finally:
            book.close()
    width = max((len(row) for row in rows), default=0)
    frame = pd.DataFrame([row + [None] * (width - len(row)) for row in rows], columns=range(width), dtype=object)
    notes = []
    if len(names) > 1:
        which = "the first" if sheet is None else "the one named"
        notes.append(
            f"read the sheet {chosen!r}, {which} of the workbook's {len(names)} sheets "
            f"({', '.join(repr(n) for n in names)}); choose another with --sheet"
        )
    return _grid_of_sheet(frame, Origin(name, WORKBOOK_KIND, "row", sheet=chosen), tuple(notes), names)


def _grid_of_sheet(frame: pd.DataFrame, origin: Origin, notes: tuple[str, ...], sheets: list[str]) -> Grid:
    texts = pd.DataFrame(
        {column: pd.Series([cell_text(value) for value in frame[column]], dtype=object) for column in frame.columns}
    )
    filled = texts.notna().to_numpy()
    nonblank_rows = np.flatnonzero(filled.any(axis=1)) if filled.size else np.array([], dtype=np.int64)
    if nonblank_rows.size == 0:
        raise origin.fail("the sheet is empty" + _other_sheets(sheets))
    header_at = int(nonblank_rows[0])
    header_row = header_at + 1  # pandas counts rows from 0, the spreadsheet from 1
    body = filled[header_at + 1 : int(nonblank_rows[-1]) + 1]
    named = filled[header_at]
    unnamed = [i for i in range(texts.shape[1]) if not named[i] and body[:, i].any()]
    if unnamed:
        raise origin.fail(
            f"column{'s' if len(unnamed) > 1 else ''} "
            + ", ".join(get_column_letter(i + 1) for i in unnamed)
            + f" hold{'' if len(unnamed) > 1 else 's'} values but no name in the header (row {header_row}, "
            "the sheet's first row that is not empty)"
        )
    used = [i for i in range(texts.shape[1]) if named[i]]
    header = tuple(str(texts.iloc[header_at, i]) for i in used)
    reject_repeated_columns(header, origin, header_row)
    cells = texts.iloc[header_at + 1 : int(nonblank_rows[-1]) + 1, used].set_axis(list(header), axis=1)
    cells.index = pd.Index(cells.index.to_numpy(dtype=np.int64) + 1)
    blank = cells.isna().all(axis=1)
    return Grid(
        origin=origin,
        header=header,
        header_row=header_row,
        cells=cells[~blank],
        blank_rows=tuple(int(row) for row in cells.index[blank]),
        notes=notes,
        header_hint=f"the header is the sheet's first row that is not empty (row {header_row})" + _other_sheets(sheets),
    )


def _other_sheets(sheets: list[str]) -> str:
    if len(sheets) < 2:
        return ""
    return f"; the workbook's sheets are {', '.join(repr(sheet) for sheet in sheets)}: choose one with --sheet"


def _read_statistics_file(path: Path, name: str, kind: str) -> Grid:
    """An SPSS or Stata file: variables are columns, cases (observations) are rows 1, 2, …."""
    unit = "case" if kind == SPSS_KIND else "observation"
    origin = Origin(name, kind, unit)
    reader: Any = pyreadstat.read_sav if kind == SPSS_KIND else pyreadstat.read_dta
    try:
        # user-defined missing values are read as missing (the default); codes, not value labels
        frame, meta = reader(str(path), apply_value_formats=False)
        ranges: dict[str, Any] = {}
        if kind == SPSS_KIND:
            ranges = reader(str(path), metadataonly=True, user_missing=True)[1].missing_ranges or {}
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, OSError, ValueError) as error:
        raise origin.fail(f"file cannot be read as an {kind} ({error})") from None
    header = tuple(str(column) for column in frame.columns)
    cells = pd.DataFrame({column: column_texts(frame[column]) for column in frame.columns})
    cells.index = pd.RangeIndex(1, len(frame) + 1)
    blank = cells.isna().all(axis=1)
    return Grid(
        origin=origin,
        header=header,
        header_row=None,
        cells=cells[~blank],
        blank_rows=tuple(int(row) for row in cells.index[blank]),
        notes=_statistics_notes(meta.variable_value_labels or {}, ranges, kind),
    )


def _statistics_notes(labels: dict[str, dict[Any, str]], ranges: dict[str, Any], kind: str) -> tuple[str, ...]:
    notes = []
    if labels:
        columns = ", ".join(sorted(labels))
        example_column = sorted(labels)[0]
        code, label = next(iter(sorted(labels[example_column].items(), key=lambda item: str(item[0]))))
        notes.append(
            f"value labels ({columns}) are not used: each cell is read as its code "
            f"(such as {cell_text(code)} in {example_column}, not {label!r})"
        )
    if ranges:
        described = []
        for column, spans in sorted(ranges.items()):
            values = [
                cell_text(span["lo"])
                if span["lo"] == span["hi"]
                else f"{cell_text(span['lo'])}-{cell_text(span['hi'])}"
                for span in spans
            ]
            described.append(f"{column} ({', '.join(str(value) for value in values)})")
        notes.append(f"{kind}'s user-defined missing values are read as blank: {'; '.join(described)}")
    return tuple(notes)
