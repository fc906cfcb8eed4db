"""Read a CSV file's bytes and text into a :class:`~cnslbp_lib.data.grid.Grid`, before any value is interpreted.

Everything about the file as CSV text lives here: its bytes, the UTF-8
encoding and byte-order mark, the delimiter, each record's field count and
quoting, and the line on which each record starts, so that every message can
cite it. Values stay text; which column holds what is the work of
:mod:`cnslbp_lib.data.layout`, and turning the values into a validated, tidy
:class:`~cnslbp_lib.data.load.Cohort` that of :mod:`cnslbp_lib.data.load`.
Problems are raised as :class:`~cnslbp_lib.exceptions.CohortValidationError`,
each naming file, line, column, value and rule.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import CohortValidationError, Problem
from .grid import Grid, Origin, reject_repeated_columns

__all__ = ["CSV_KIND", "RawTable", "decode_utf8", "read_file_bytes", "read_table"]

CSV_KIND = "CSV file"

_BOM = b"\xef\xbb\xbf"
_OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}
_SURROGATE = re.compile("[\udc80-\udcff]")
_LINE_BREAK = re.compile("\r\n|\r|\n")


@dataclass(frozen=True)
class RawTable:
    """The records of a file as text, before any value is interpreted.

    ``cells`` holds every field of every well-formed record as ``str`` (an
    empty field is missing), indexed by the line on which the record starts.
    """

    cells: pd.DataFrame
    blank_lines: tuple[int, ...]
    problems: tuple[Problem, ...]


def read_file_bytes(path: Path, name: str) -> bytes:
    """Return the bytes of the file at ``path``, which messages call ``name``.

    Raises
    ------
    CohortValidationError
        With one problem if the file does not exist, is not a regular file,
        cannot be read, or holds nothing but a byte-order mark and white space.
    """

    def fail(rule: str) -> CohortValidationError:
        return CohortValidationError([Problem(name, None, None, None, rule)])

    try:
        if not path.exists():
            raise fail("file does not exist")
        if not path.is_file():
            raise fail("path is not a regular file")
        raw = path.read_bytes()
    except OSError as error:
        raise fail(f"file cannot be read ({error.strerror or error})") from None
    if not raw.removeprefix(_BOM).strip():
        raise fail("file is empty")
    return raw


def decode_utf8(raw: bytes, name: str) -> str:
    """Decode the file's bytes as UTF-8, without its byte-order mark if it has one.

    Raises
    ------
    CohortValidationError
        With one problem per line that holds bytes which are not UTF-8,
        showing the first few of them.
    """
    body = raw.removeprefix(_BOM)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lenient = body.decode("utf-8", errors="surrogateescape")
    problems = []
    for number, line in enumerate(_LINE_BREAK.split(lenient), start=1):
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


def read_table(text: str, name: str) -> Grid:
    """Split the text into header and records; check the delimiter and each record's field count.

    Returns the header and the records as a :class:`~cnslbp_lib.data.grid.Grid`
    whose rows are numbered by the line on which each record starts. A header
    that is not comma-separated, or that repeats a column name, raises
    :class:`~cnslbp_lib.exceptions.CohortValidationError` at once; problems
    with single records are collected in the grid's ``problems``.

    A file without quotes and without bare carriage returns (nearly every
    file) is split into lines with numpy. Any other file is first scanned with
    the csv module, strictly, which finds where each record starts and
    reports broken quoting by line. Either way pandas' C parser then reads the
    well-formed records; if its count of records ever differed from the scan's,
    the records are read with the csv module instead, so no message can cite
    a wrong line.
    """
    if '"' not in text and text.count("\r") == text.count("\r\n"):
        end = text.find("\n")
        first_line = (text if end < 0 else text[:end]).removesuffix("\r")
        header = first_line.split(",")
        _check_header(header, first_line, name)
        table = _read_plain(text, header, name)
        if table is not None:
            return _grid(header, table, name)
    scan = _scan_csv(text, name)
    if scan.header is None:  # the header itself could not be read
        raise CohortValidationError(scan.problems)
    _check_header(scan.header, _LINE_BREAK.split(text, maxsplit=1)[0], name)
    return _grid(scan.header, _read_scanned(text, scan, name), name)


def _grid(header: list[str], table: RawTable, name: str) -> Grid:
    return Grid(
        origin=Origin(name, CSV_KIND, "line"),
        header=tuple(header),
        header_row=1,
        cells=table.cells,
        blank_rows=table.blank_lines,
        problems=table.problems,
    )


def _check_header(header: list[str], first_line: str, name: str) -> None:
    """Refuse a header that is not comma-separated or that names a column twice.

    Which columns a file must have depends on its layout, which
    :mod:`cnslbp_lib.data.layout` reads from the header once it is split.
    """
    if len(header) == 1:
        for delimiter, called in _OTHER_DELIMITERS.items():
            if delimiter in first_line:
                problem = Problem(
                    name, 1, None, first_line[:60], f"columns must be separated by commas; this header uses {called}"
                )
                raise CohortValidationError([problem])
    reject_repeated_columns(header, Origin(name, CSV_KIND, "line"), 1)


def _field_count_problem(name: str, line: int, count: int, expected: int, content: str) -> Problem:
    return Problem(
        name,
        line,
        None,
        content[:60],
        f"row has {count} fields but the header has {expected} "
        "(a missing value needs an empty field; a comma inside a value needs quotes)",
    )


def _read_plain(text: str, header: list[str], name: str) -> RawTable | None:
    """Read a file without quotes or bare carriage returns: one record per line.

    Counting separators with numpy keeps this linear and fast for large files.
    Returns None if pandas' parser and the line count disagree, so that the
    caller falls back to the csv module rather than cite wrong lines.
    """
    expected = len(header)
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
        return codes[starts[i] : ends[i]].tobytes().decode("utf-8").removesuffix("\r")

    for i in np.flatnonzero(fields == 1):  # a line without commas may be blank
        if not line_text(int(i)).strip():
            fields[i] = 0
    wrong = np.flatnonzero((fields != expected) & (fields != 0))
    problems = tuple(
        _field_count_problem(name, int(line_numbers[i]), int(fields[i]), expected, line_text(int(i))) for i in wrong
    )
    unreadable = line_numbers[wrong]
    try:
        cells = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            quoting=csv.QUOTE_NONE,
            skip_blank_lines=False,
            skiprows=[int(line) - 1 for line in unreadable],
        )
    except (pd.errors.ParserError, ValueError):
        return None
    kept = line_numbers[~np.isin(line_numbers, unreadable)]
    if kept.size != len(cells) or list(cells.columns) != header:
        return None
    # the frame's index is the line number of each record, so every message can cite it
    cells.index = pd.Index(kept)
    blank_lines = tuple(int(line) for line in line_numbers[fields == 0])
    return RawTable(cells.drop(index=list(blank_lines)), blank_lines, problems)


@contextmanager
def _csv_field_limit(longest: int) -> Iterator[None]:
    """Let the csv module read fields of any length (its default limit is 128 KiB; an id may be longer)."""
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, longest))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


@dataclass
class _Scan:
    """Where each record of a CSV text ends, how many fields it has, and what is wrong with it.

    Record k (0-based) ends on line ``lasts[k]`` and starts on the line after
    the previous record's end (the header's, for the first); ``counts[k]`` is
    its field count, 0 if it is blank and -1 if its quoting is broken.
    ``joined`` holds the fields of records with a wrong count, by last line.
    """

    text: str
    header: list[str] | None = None
    header_end: int = 0
    lasts: list[int] = dataclass_field(default_factory=list)
    counts: list[int] = dataclass_field(default_factory=list)
    joined: dict[int, str] = dataclass_field(default_factory=dict)
    problems: list[Problem] = dataclass_field(default_factory=list)
    _line_ends: np.ndarray | None = None

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Offsets of the text of lines ``first`` to ``last`` (1-based, inclusive, with the last line break)."""
        if self._line_ends is None:
            ends = [match.end() for match in _LINE_BREAK.finditer(self.text)]
            if not ends or ends[-1] < len(self.text):
                ends.append(len(self.text))
            self._line_ends = np.array(ends, dtype=np.int64)
        return (int(self._line_ends[first - 2]) if first > 1 else 0), int(self._line_ends[last - 1])

    def line(self, number: int) -> str:
        """The text of one line, without its line break."""
        start, end = self.span(number, number)
        return _LINE_BREAK.sub("", self.text[start:end])


def _scan_csv(text: str, name: str) -> _Scan:
    """Scan the text with the csv module, strictly, keeping no values but the header's.

    Line breaks are CRLF, LF or a lone CR, as for pandas and spreadsheets. A
    quote left open or followed by stray text is reported on the line where
    its record starts, rather than silently merging lines. The loop does as
    little as it can per record: a large quoted file has millions.
    """
    scan = _Scan(text)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    with _csv_field_limit(len(text) + 1):
        try:
            header = next(reader, None)
        except csv.Error as error:  # the header itself is broken
            scan.problems.append(Problem(name, 1, None, scan.line(1)[:60], _quoting_rule(error)))
            return scan
        if header is None:
            return scan
        scan.header, scan.header_end = header, reader.line_num
        expected, lasts, counts, joined = len(header), scan.lasts, scan.counts, scan.joined
        while True:
            try:
                for row in reader:
                    count = len(row)
                    if count != expected:
                        if count < 2 and (not row or not row[0].strip()):
                            count = 0
                        else:
                            joined[reader.line_num] = ",".join(row)
                    lasts.append(reader.line_num)
                    counts.append(count)
                break
            except csv.Error as error:  # the reader goes on at the next line
                first = (lasts[-1] if lasts else scan.header_end) + 1
                scan.problems.append(Problem(name, first, None, scan.line(first)[:60], _quoting_rule(error)))
                lasts.append(reader.line_num)
                counts.append(-1)
    return scan


def _quoting_rule(error: csv.Error) -> str:
    message = str(error)
    if "unexpected end of data" in message:
        return "a quoted value starting on this line is never closed (its closing quote is missing)"
    if "expected after" in message:
        return (
            "a closing quote must be followed by a comma or the end of the line "
            '(a quote inside a quoted value is written twice: "")'
        )
    return f"line cannot be read as CSV ({message})"


def _read_scanned(text: str, scan: _Scan, name: str) -> RawTable:
    """Read the well-formed records found by :func:`_scan_csv` into a frame of text."""
    header = scan.header or []
    expected = len(header)
    lasts = np.array(scan.lasts, dtype=np.int64)
    counts = np.array(scan.counts, dtype=np.int64)
    firsts = np.concatenate(([scan.header_end], lasts[:-1])) + 1
    problems = list(scan.problems)
    for i in np.flatnonzero((counts != expected) & (counts > 0)):
        joined = scan.joined[int(lasts[i])]
        problems.append(_field_count_problem(name, int(firsts[i]), int(counts[i]), expected, joined))
    good = counts == expected
    if good.all():
        source = text
    else:  # the header and the well-formed records only, copied in runs of adjacent records
        good_firsts, good_lasts = firsts[good], lasts[good]
        breaks = np.flatnonzero(good_firsts[1:] != good_lasts[:-1] + 1)
        run_firsts = good_firsts[np.concatenate(([0], breaks + 1))] if good_firsts.size else good_firsts
        run_lasts = good_lasts[np.concatenate((breaks, [good_lasts.size - 1]))] if good_lasts.size else good_lasts
        pieces = [text[: scan.span(1, scan.header_end)[1]]]
        for first, last in zip(run_firsts.tolist(), run_lasts.tolist(), strict=True):
            start, end = scan.span(first, last)
            pieces.append(text[start:end])
        source = "".join(pieces)
    lines = firsts[good]
    try:
        cells = pd.read_csv(
            io.StringIO(source), dtype=str, keep_default_na=False, na_values=[""], skip_blank_lines=False
        )
    except (pd.errors.ParserError, ValueError):
        cells = None
    if cells is None or len(cells) != lines.size or list(cells.columns) != header:
        cells = _read_rows(source, header)
    cells.index = pd.Index(lines, dtype="int64")
    return RawTable(cells, tuple(int(line) for line in firsts[counts == 0]), tuple(problems))


def _read_rows(source: str, header: list[str]) -> pd.DataFrame:
    """Read well-formed CSV text with the csv module alone (the fallback of :func:`_read_scanned`)."""
    with _csv_field_limit(len(source) + 1):
        rows = list(csv.reader(io.StringIO(source, newline=""), strict=True))[1:]
    columns = zip(*rows, strict=True) if rows else ([] for _ in header)
    return pd.DataFrame(
        {
            column: pd.Series([value or None for value in values], dtype=object)
            for column, values in zip(header, columns, strict=True)
        }
    )
