"""The package's exceptions: one module, one base class.

Every error the package raises on purpose is defined here and derives from
:class:`CnslbpError`, so the command line can report any of them in one line.
Argument errors (a wrong instrument key, a confidence outside (0, 1)) stay
plain ``ValueError``: they are programming mistakes, never data conditions, and
no caller catches them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BuildError",
    "CnslbpError",
    "CohortValidationError",
    "EmptyLatticeError",
    "NotEnoughDataError",
    "NotebookExecutionError",
    "PaperFileError",
    "PrintError",
    "PrintedValueError",
    "Problem",
    "ReconstructionError",
    "ResultsTableError",
    "SamplingBudgetError",
    "SelfCheckFileError",
    "StaleSummaryError",
]


class CnslbpError(Exception):
    """Base class of every error this package raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One reason a cohort file was rejected.

    ``line`` is the row as the file numbers it, and ``unit`` says what that
    number counts: a ``line`` of a CSV file (the header is line 1), a ``row``
    of a workbook sheet (as the spreadsheet numbers it), a ``case`` of an SPSS
    file or an ``observation`` of a Stata file. ``sheet`` names the workbook
    sheet, if the file has sheets. ``line`` and ``column`` are ``None`` when
    the problem concerns the whole file; ``column`` is the column as the file
    names it.

    Examples
    --------
    >>> print(Problem("scores.xlsx", 5, "piq_2", "40.5", "must be whole", sheet="Clinic", unit="row"))
    scores.xlsx, sheet 'Clinic', row 5, column 'piq_2', value '40.5': must be whole
    """

    file: str
    line: int | None
    column: str | None
    value: str | None
    rule: str
    sheet: str | None = None
    unit: str = "line"

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet is not None:
            where.append(f"sheet {self.sheet!r}")
        if self.line is not None:
            where.append(f"{self.unit} {self.line}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = ", ".join(where)
        if self.value is not None:
            text += f", value {self.value!r}"
        return f"{text}: {self.rule}"


class CohortValidationError(CnslbpError):
    """A cohort file broke one or more rules of the data dictionary.

    All problems found are collected before raising, so one run shows them all.
    """

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        if not problems:
            raise ValueError("CohortValidationError needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        heading = f"{self.problems[0].file}: {count} problem{'s' if count != 1 else ''} found"
        super().__init__("\n".join([heading, *(f"  - {p}" for p in self.problems)]))


class ReconstructionError(CnslbpError):
    """The reported numbers admit no reconstruction under the given constraints."""


class NotEnoughDataError(CnslbpError, ValueError):
    """A statistic needs more data than the cohort has (too few complete pairs, say).

    The audit and the chapters catch this error by name, and only this one, to
    show the reason in words instead of a number.
    """

    def __init__(
        self, analysis: str, *, needed: int, available: int, unit: str = "participants with both scores"
    ) -> None:
        self.analysis = analysis
        self.needed = needed
        self.available = available
        if needed == 1 and unit.startswith("participants"):
            unit = "participant" + unit.removeprefix("participants")
        self.reason = f"needs at least {needed} {unit}; this cohort has {available}"
        super().__init__(f"{analysis} {self.reason}")


class BuildError(CnslbpError):
    """The site could not be built (the message says why); nothing was written."""


class NotebookExecutionError(BuildError):
    """A chapter raised while executing; the message holds the failing cell and traceback."""


class StaleSummaryError(CnslbpError):
    """The stored ensemble summary was made from other targets, priors, code, seed or size."""


class PrintError(CnslbpError):
    """The PDF could not be made (no Chromium, no built site, or a page failed)."""


class EmptyLatticeError(CnslbpError, ValueError):
    """No integer vector meets the constraints (the message names the constraint when it can)."""


class SamplingBudgetError(CnslbpError):
    """Uniform draws could not be made within the budget (the message names the constraint that makes them rare).

    Raised by the tilted sampler when the allowed set is too thin for its draw
    budget, or too wide for its table over sums; an exactly empty set raises
    :class:`EmptyLatticeError` instead.
    """


class PaperFileError(CnslbpError):
    """A paper file broke a rule of its schema; the message names the file, each key path and its rule."""


class SelfCheckFileError(CnslbpError):
    """The book's self-check file broke a rule; the message names the file, each key path and its rule."""


class PrintedValueError(CnslbpError, ValueError):
    """A printed value could not be read as a number (the message quotes it and says why).

    The checks of a printed result catch this error by name: the value is then
    treated as not printed and the row's notes say so.
    """


class ResultsTableError(CnslbpError):
    """A results table broke one or more rules of its format.

    All problems found are collected before raising, so one run shows them all.
    """

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        if not problems:
            raise ValueError("ResultsTableError needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        heading = f"{self.problems[0].file}: {count} problem{'s' if count != 1 else ''} found"
        super().__init__("\n".join([heading, *(f"  - {p}" for p in self.problems)]))
