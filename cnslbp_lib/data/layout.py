"""Which column holds what: the long, wide and REDCap layouts, detected from a file's header.

A clinic keeps its cohort in one of three shapes, and the header says which:

- **long**: one row per participant and stage, with a ``stage`` column and
  one column per measure (``participant, stage, piq, pseq, psq,
  global_change``): the book's own file;
- **wide**: one row per participant, one column per measure and stage, the
  stage written after the measure (``id, piq_1, piq_2, pseq_1, ...``, or with
  the stage's name: ``piq_pre-education``);
- **REDCap**: a REDCap export of a longitudinal project, one row per record
  and event (``record_id, redcap_event_name, piq, ...``), each event naming a
  stage (``stage_1_arm_1``, ``pre_education_arm_1``).

:func:`detect_layout` reads the header into a :class:`Layout` (or refuses it,
listing every column it could not place);
:func:`~cnslbp_lib.data.records.to_records` then turns the grid's rows into
long records. The measures and stages are read from the schema and the
instrument registry; nothing here names one.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Literal

from ..exceptions import CohortValidationError, Problem
from .grid import Grid
from .instruments import STAGES, get_stage
from .schema import KEY_COLUMNS, PARTICIPANT_NAMES, cohort_table_schema

__all__ = [
    "EVENT",
    "REDCAP_REPEAT",
    "Layout",
    "Placement",
    "detect_layout",
    "stage_named",
    "stage_words",
]

PARTICIPANT, STAGE = KEY_COLUMNS

EVENT = "redcap_event_name"
_REDCAP_OWN = (
    "redcap_repeat_instrument",
    "redcap_repeat_instance",
    "redcap_data_access_group",
    "redcap_survey_identifier",
)
REDCAP_REPEAT = _REDCAP_OWN[:2]  # the columns of repeating instruments and events
_REDCAP_SUFFIXES = ("_complete", "_timestamp")  # a form's status and a survey's time stamp
# words that may stand before a stage's number: piq_t1, piq_stage2, piq_visit3
_NUMBERED = re.compile("(?:stage|time|visit|wave|t|s|v)?([0-9]+)")
_SHORTEST_ABBREVIATION = 3
_SEPARATORS = " _.-"

Kind = Literal["long", "wide", "REDCap"]
DESCRIPTIONS: dict[Kind, str] = {
    "long": "long: one row per participant and stage",
    "wide": "wide: one row per participant, one column per measure and stage",
    "REDCap": "REDCap export: one row per record and event, each event a stage",
}


def _measures() -> tuple[str, ...]:
    return tuple(f["name"] for f in cohort_table_schema()["fields"] if f["name"] not in KEY_COLUMNS)


def _required() -> tuple[str, ...]:
    optional = set(cohort_table_schema()["optionalFields"])
    return tuple(name for name in _measures() if name not in optional)


def _squeeze(text: str) -> str:
    return re.sub("[^a-z0-9]", "", text.lower())


def stage_words(number: int) -> str:
    """A stage as messages name it: ``stage 2 (post-education)``."""
    return f"stage {number} ({get_stage(number).name})"


@dataclass(frozen=True)
class StageMatch:
    """What a stage token names: one stage, several (ambiguous) or none."""

    token: str
    stages: tuple[int, ...]

    @property
    def number(self) -> int | None:
        return self.stages[0] if len(self.stages) == 1 else None

    def refusal(self) -> str:
        """Why the token names no single stage, in words."""
        known = ", ".join(stage_words(stage.number) for stage in STAGES)
        if self.stages:
            options = " or ".join(stage_words(number) for number in self.stages)
            return f"{self.token!r} could be {options}; name the stage by its number or its full name"
        return f"{self.token!r} names no stage; the stages are {known}"


def stage_named(token: str) -> StageMatch:
    """Which stage a header or event token names.

    A token names a stage by its number, alone or after ``stage``, ``time``,
    ``visit``, ``wave``, ``t``, ``s`` or ``v`` (``2``, ``t2``, ``stage_2``),
    by its full name (``post-education``, ``post_education``), or by the
    first three or more letters of exactly one stage's name (``pre``). Case,
    spaces and punctuation are ignored.

    Examples
    --------
    >>> [stage_named(token).number for token in ("2", "T2", "stage_2", "post_MRI", "pre", "post", "baseline")]
    [2, 2, 2, 3, 1, None, None]
    >>> stage_named("post").refusal()
    "'post' could be stage 2 (post-education) or stage 3 (post-MRI); name the stage by its number or its full name"
    """
    squeezed = _squeeze(token)
    numbered = _NUMBERED.fullmatch(squeezed)
    if numbered is not None:
        number = int(numbered.group(1))
        return StageMatch(token, (number,) if any(stage.number == number for stage in STAGES) else ())
    names = {stage.number: _squeeze(stage.name) for stage in STAGES}
    exact = tuple(number for number, name in names.items() if name == squeezed)
    if exact or len(squeezed) < _SHORTEST_ABBREVIATION:
        return StageMatch(token, exact)
    return StageMatch(token, tuple(number for number, name in names.items() if name.startswith(squeezed)))


@dataclass(frozen=True)
class Placement:
    """What one column of the file holds: a column of the long records, at a stage for a wide file."""

    column: str
    stage: int | None = None

    def __str__(self) -> str:
        if self.column == PARTICIPANT:
            return "participant id"
        if self.stage is None:
            return self.column
        return f"{self.column} at {stage_words(self.stage)}"


@dataclass(frozen=True)
class Layout:
    """How a file's columns map onto the long records.

    ``placements`` gives, in file order, every column the file has and what
    it holds; ``ignored`` the columns set aside, each with the reason (REDCap's
    own bookkeeping columns); ``notes`` what else the user should know;
    ``header`` the file's columns in order.
    """

    kind: Kind
    placements: tuple[tuple[str, Placement], ...]
    ignored: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    header: tuple[str, ...] = ()

    @property
    def description(self) -> str:
        """The layout in words, e.g. ``wide: one row per participant, ...``."""
        return DESCRIPTIONS[self.kind]

    def source(self, placement: Placement) -> str | None:
        """The file's column for a placement, or None if the file has none."""
        return next((column for column, placed in self.placements if placed == placement), None)

    def mapping(self) -> list[tuple[str, str]]:
        """Each column of the file and what it holds, in words, in file order."""
        rows = [(column, str(placement)) for column, placement in self.placements]
        if self.kind == "REDCap":
            rows = [(column, "stage, from the event" if what == STAGE else what) for column, what in rows]
        rows += [(column, f"ignored ({reason})") for column, reason in self.ignored]
        order = {column: position for position, column in enumerate(self.header)}
        return sorted(rows, key=lambda row: order.get(row[0], len(order)))

    @property
    def columns(self) -> tuple[str, ...]:
        """The long records' columns this file has, in the schema's order."""
        present = {placement.column for _, placement in self.placements}
        if self.kind == "wide":
            present.add(STAGE)
        return tuple(name for name in KEY_COLUMNS + _measures() if name in present)


@dataclass(frozen=True)
class _Role:
    """What a header name looks like on its own, before the layout is known."""

    kind: Literal["participant", "stage", "event", "measure", "staged", "redcap", "unknown"]
    measure: str | None = None
    stage: StageMatch | None = None


def _role(name: str) -> _Role:  # noqa: PLR0911 (one return per role)
    normal = name.strip().lower()
    measures = _measures()
    if normal in PARTICIPANT_NAMES:
        return _Role("participant")
    if normal == STAGE:
        return _Role("stage")
    if normal == EVENT:
        return _Role("event")
    if normal in measures:
        return _Role("measure", normal)
    if normal in _REDCAP_OWN or normal.endswith(_REDCAP_SUFFIXES):
        return _Role("redcap")
    for measure in sorted(measures, key=len, reverse=True):  # longest first: no key is read inside another
        rest = normal.removeprefix(measure)
        if rest == normal or not _squeeze(rest):
            continue
        # a separator, or a stage number right after the measure (piq1, piqt1); "pseqq" is no staged column
        if rest[0] in _SEPARATORS or _NUMBERED.fullmatch(_squeeze(rest)):
            return _Role("staged", measure, stage_named(rest.lstrip(_SEPARATORS)))
    return _Role("unknown")


@dataclass
class _Header:
    """The header being read: each column's placement, and every problem with it."""

    grid: Grid
    placements: list[tuple[str, Placement]] = field(default_factory=list)
    ignored: list[tuple[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)

    def refuse(self, column: str, rule: str, *, in_file: bool = True) -> None:
        """One problem with a column of the header (``in_file=False``: a column the header lacks)."""
        self.problems.append(self.grid.origin.problem(self.grid.header_row, column, None, rule))
        if in_file:
            self.unplaced.append(column)

    def place(self, column: str, placement: Placement) -> None:
        earlier = next((other for other, placed in self.placements if placed == placement), None)
        if earlier is not None:
            self.refuse(column, f"column {earlier!r} already holds the {placement}; keep one of them")
        else:
            self.placements.append((column, placement))


def detect_layout(grid: Grid) -> Layout:
    """Read the grid's header into a :class:`Layout`.

    The layout is REDCap if the header has ``redcap_event_name``, long if it
    has ``stage`` (or has neither stage nor staged measure columns), and
    wide if its measures carry a stage (``piq_1``). Names are matched in any
    case, with spaces around them ignored. The participant id may be called
    any of :data:`PARTICIPANT_NAMES`.

    Raises
    ------
    CohortValidationError
        With one problem per column that cannot be placed (each naming the
        rule), per required column that is missing, and, for a wide file, one
        more that lists the columns understood and those not.

    Examples
    --------
    >>> import pandas as pd
    >>> from cnslbp_lib.data.grid import Origin
    >>> header = ("id", "piq_1", "piq_2", "pseq_1", "pseq_2", "psq_1", "psq_2")
    >>> grid = Grid(Origin("clinic.csv", "CSV file", "line"), header, 1, pd.DataFrame(columns=header))
    >>> layout = detect_layout(grid)
    >>> layout.kind, layout.mapping()[:2]
    ('wide', [('id', 'participant id'), ('piq_1', 'piq at stage 1 (pre-education)')])
    """
    roles = {column: _role(column) for column in grid.header}
    kinds = {role.kind for role in roles.values()}
    redcap = "event" in kinds or "redcap" in kinds or any(c.strip().lower() == "record_id" for c in grid.header)
    kind: Kind
    if "event" in kinds and "stage" not in kinds:
        kind = "REDCap"
    elif "stage" in kinds or "staged" not in kinds:
        kind = "long"
    else:
        kind = "wide"
    header = _Header(grid)
    for column, role in roles.items():
        if role.kind == "participant":
            header.place(column, Placement(PARTICIPANT))
        elif role.kind == "redcap" and redcap:
            header.ignored.append((column, "REDCap's own column"))
        elif kind == "wide":
            _place_wide(header, column, role)
        else:
            _place_long(header, column, role, kind)
    _require(header, kind)
    if header.problems:
        if kind == "wide":
            header.problems.append(_wide_summary(grid, header))
        raise CohortValidationError(header.problems)
    notes = _absent_at_stages(header.placements) if kind == "wide" else ()
    return Layout(kind, tuple(header.placements), tuple(header.ignored), notes, grid.header)


def _absent_at_stages(placements: list[tuple[str, Placement]]) -> tuple[str, ...]:
    """For a wide file: the measures a stage has no column for (read as blank), and stages with no column at all."""
    placed = {placement for _, placement in placements}
    measures = [name for name in _measures() if any(p.column == name for p in placed)]
    stages = [stage.number for stage in STAGES if any(p.stage == stage.number for p in placed)]
    blank_at = {f["name"]: f.get("blankAtStage") for f in cohort_table_schema()["fields"]}
    notes = []
    for number in stages:
        absent = [m for m in measures if Placement(m, number) not in placed and blank_at.get(m) != number]
        if absent:
            notes.append(f"no column holds {', '.join(absent)} at {stage_words(number)}: read as blank")
    missing = [stage_words(stage.number) for stage in STAGES if stage.number not in stages]
    if missing:
        notes.append(f"no column holds any measure at {', '.join(missing)}: no participant has a row for it")
    return tuple(notes)


def _place_long(header: _Header, column: str, role: _Role, kind: Kind) -> None:
    if (role.kind, kind) in (("stage", "long"), ("event", "REDCap")):
        header.place(column, Placement(STAGE))
    elif role.kind == "event":
        header.refuse(column, f"a file with a {STAGE!r} column cannot also have REDCap events; keep one of them")
    elif role.kind == "measure" and role.measure is not None:
        header.place(column, Placement(role.measure))
    elif role.kind == "staged" and role.measure is not None and role.stage is not None and role.stage.number:
        header.refuse(
            column,
            f"a file with a {STAGE!r} column has one column per measure ({role.measure!r}), the stage in its own "
            "column; a file with one row per participant has no stage column",
        )
    else:
        names = list(KEY_COLUMNS + _measures())
        close = difflib.get_close_matches(column.strip().lower(), names, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"expected columns are {', '.join(names)}"
        header.refuse(column, f"unknown column; {hint}")


def _place_wide(header: _Header, column: str, role: _Role) -> None:
    if role.kind == "staged" and role.measure is not None and role.stage is not None:
        number = role.stage.number
        if number is None:
            header.refuse(column, f"the stage {role.stage.refusal()}")
        else:
            header.place(column, Placement(role.measure, number))
    elif role.kind == "measure" and role.measure is not None:
        examples = ", ".join(f"{role.measure}_{stage.number}" for stage in STAGES)
        header.refuse(column, f"a file with one row per participant names each measure with its stage ({examples})")
    else:
        expected = [f"{measure}_{stage.number}" for measure in _measures() for stage in STAGES]
        close = difflib.get_close_matches(column.strip().lower(), expected, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"expected an id and columns such as {expected[0]}"
        header.refuse(column, f"unknown column; {hint}")


def _require(header: _Header, kind: Kind) -> None:
    placed = {placement for _, placement in header.placements}
    columns = {placement.column for placement in placed}
    if PARTICIPANT not in columns:
        others = ", ".join(PARTICIPANT_NAMES[1:])
        header.refuse(
            PARTICIPANT, f"required column is missing from the header (it may also be called {others})", in_file=False
        )
    if kind != "wide" and STAGE not in columns:
        header.refuse(STAGE, "required column is missing from the header", in_file=False)
    for measure in _required():
        if measure in columns:
            continue
        if kind == "wide":
            expected = ", ".join(f"{measure}_{stage.number}" for stage in STAGES)
            header.refuse(measure, f"no column holds {measure} at any stage (such as {expected})", in_file=False)
        else:
            header.refuse(measure, "required column is missing from the header", in_file=False)


def _wide_summary(grid: Grid, header: _Header) -> Problem:
    understood = [f"{column} = {placement}" for column, placement in header.placements]
    understood += [f"{column} (ignored: {reason})" for column, reason in header.ignored]
    not_understood = [column for column in grid.header if column in header.unplaced]
    return grid.origin.problem(
        None,
        None,
        None,
        "read as a wide file (one row per participant); columns understood: "
        + ("; ".join(understood) or "none")
        + ". Columns not understood: "
        + (", ".join(repr(column) for column in not_understood) or "none"),
    )
