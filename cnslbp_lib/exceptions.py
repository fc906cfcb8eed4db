"""The package's exceptions: one module, one base class."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CnslbpError", "CohortValidationError", "Problem", "ReconstructionError"]


class CnslbpError(Exception):
    """Base class of every error this package raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One reason a cohort file was rejected.

    ``line`` is the 1-based line in the file (the header is line 1); it and
    ``column`` are ``None`` when the problem concerns the whole file.
    """

    file: str
    line: int | None
    column: str | None
    value: str | None
    rule: str

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
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
