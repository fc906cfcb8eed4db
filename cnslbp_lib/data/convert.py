"""Write any cohort file as the book's own: the long CSV that ``data/cohort.schema.json`` describes.

``cnslbp convert`` reads a file the way the book does (any format, any
layout, with the same validation) and writes exactly what the book read:
one row per participant and stage, whole numbers without decimals, blanks
left blank. A clinic can keep that file, read it, and build from it the same
site as from the original. A refused file writes nothing.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .files import write_text_atomically
from .load import Cohort, load_cohort

__all__ = ["cohort_csv", "convert_cohort"]

_NEEDS_QUOTES = '[,"\r\n]'


def cohort_csv(cohort: Cohort) -> str:
    """The cohort as the text of a long CSV file, in the schema's column order.

    Rows are sorted by participant, then stage (as :attr:`Cohort.data` is);
    line ends are ``\\n``; an id holding a comma, a quote or a line break is
    quoted, with quotes doubled, and any other text is written as it is, so
    reading the file back gives the same ids. ``global_change`` is written
    only if the cohort has it.

    Examples
    --------
    The book's own file is already in this form, byte for byte:

    >>> cohort_csv(load_cohort("data/cohort.csv")) == Path("data/cohort.csv").read_text(encoding="utf-8")
    True
    """
    data = cohort.data
    ids = data["participant"].astype("str")
    quoted = ids.str.contains(_NEEDS_QUOTES, regex=True)
    ids = ids.where(~quoted, '"' + ids.str.replace('"', '""', regex=False) + '"')
    numbers = [data[column].astype("string").fillna("") for column in data.columns[1:]]
    lines = ids.str.cat(numbers, sep=",") if len(data) else pd.Series([], dtype="str")
    return ",".join(data.columns) + "\n" + "".join(line + "\n" for line in lines)


def convert_cohort(source: str | Path, out: str | Path, *, sheet: str | None = None) -> tuple[Cohort, str]:
    """Read ``source`` (any format and layout) and write it to ``out`` as the long CSV; return both.

    Parameters
    ----------
    source : str or pathlib.Path
        Any file :func:`~cnslbp_lib.data.load.load_cohort` reads.
    out : str or pathlib.Path
        Where to write the long CSV, atomically: the whole file or nothing.
    sheet : str, optional
        The workbook's sheet to read (default: the first).

    Returns
    -------
    tuple of (Cohort, str)
        The cohort as loaded from ``source``, and the SHA-256 of what was written.

    Raises
    ------
    CohortValidationError
        If ``source`` is refused; then nothing is written.
    """
    cohort = load_cohort(source, sheet=sheet)
    return cohort, write_text_atomically(out, cohort_csv(cohort))
