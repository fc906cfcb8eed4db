"""A file's rows as the long records the loader validates, each cell with the row and column it came from.

:func:`to_records` follows a :class:`~cnslbp_lib.data.layout.Layout`: a long
file's rows are its records; a wide file gives one record per row and stage
that holds any value; a REDCap export's events are read as stages, and rows
of repeating instruments or events are refused cell by cell.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..exceptions import Problem
from .grid import Grid
from .instruments import STAGES
from .layout import REDCAP_REPEAT, Layout, Placement, stage_named, stage_words
from .schema import KEY_COLUMNS

__all__ = ["Records", "to_records"]

PARTICIPANT, STAGE = KEY_COLUMNS
_REDCAP_ARM = re.compile(r"_arm_[0-9]+$")  # an event's arm: stage_1_arm_1


@dataclass(frozen=True)
class Block:
    """A run of records whose cells come from the same columns of the file.

    Records ``start`` to ``stop`` (exclusive) take each long column's cell
    from the file's column ``columns[name]``; ``None`` for a cell that no
    column holds (the stage of a wide file's record, or a stage a measure
    has no column for).
    """

    start: int
    stop: int
    columns: Mapping[str, str | None]


@dataclass(frozen=True)
class Records:
    """A file's rows as long records of text, each cell with the row and column it came from.

    ``cells`` has the long columns present (``Layout.columns``), a ``str`` or
    missing per cell, and the index 0, 1, … of each record; ``rows`` the
    file's row number of each record. ``problems`` are located problems met
    while mapping the rows (an event that names no stage); ``settled`` the
    (record, column) cells they concern, so no second message repeats them;
    ``notes`` how values were placed (which stage each event is).
    """

    grid: Grid
    layout: Layout
    cells: pd.DataFrame
    rows: np.ndarray
    blocks: tuple[Block, ...]
    problems: tuple[Problem, ...] = ()
    settled: frozenset[tuple[int, str]] = frozenset()
    notes: tuple[str, ...] = ()

    def source(self, record: int, column: str) -> str | None:
        """The file's column that holds the record's cell (None if no column does)."""
        starts = [block.start for block in self.blocks]
        block = self.blocks[int(np.searchsorted(starts, record, side="right")) - 1]
        return block.columns.get(column)

    def problem(self, record: int | None, column: str | None, value: str | None, rule: str) -> Problem:
        """A problem about one record's cell, located in the file's own row and column."""
        row = None if record is None else int(self.rows[record])
        where = column if record is None or column is None else (self.source(record, column) or column)
        return self.grid.origin.problem(row, where, value, rule)


def to_records(grid: Grid, layout: Layout) -> Records:
    """Turn the grid's rows into long records (text), as :class:`Layout` maps them.

    A wide file gives one record per row and stage that holds any value. A
    row whose every measure is blank still gives one record (at its first
    stage), so the participant is listed as incomplete rather than lost.
    """
    if layout.kind == "wide":
        return _wide_records(grid, layout)
    sources = {placement.column: column for column, placement in layout.placements}
    names = [name for name in layout.columns if name in sources]
    cells = grid.cells[[sources[name] for name in names]].set_axis(names, axis=1)
    rows = grid.cells.index.to_numpy(dtype=np.int64)
    problems: list[Problem] = []
    settled: set[tuple[int, str]] = set()
    notes: list[str] = []
    if layout.kind == "REDCap":
        keep = _redcap_single_rows(grid, layout, problems)
        cells, rows = cells[keep], rows[keep]
    cells = cells.reset_index(drop=True)
    block = Block(0, len(cells), {name: sources[name] for name in names})
    records = Records(grid, layout, cells, rows, (block,))
    if layout.kind == "REDCap":
        stages, event_problems, read_as = _stages_of_events(records)
        cells = cells.assign(**{STAGE: stages})
        problems += [records.problem(record, STAGE, value, rule) for record, value, rule in event_problems]
        settled |= {(record, STAGE) for record, _, _ in event_problems}
        if read_as:
            notes.append("REDCap events read as stages: " + "; ".join(read_as))
    return Records(grid, layout, cells, rows, (block,), tuple(problems), frozenset(settled), tuple(notes))


def _redcap_single_rows(grid: Grid, layout: Layout, problems: list[Problem]) -> np.ndarray:
    """Rows of repeating instruments or events cannot be placed at one stage: refuse them, by cell."""
    keep = np.ones(len(grid.cells), dtype=bool)
    for column, _ in layout.ignored:
        if column.strip().lower() not in REDCAP_REPEAT:
            continue
        values = grid.cells[column]
        filled = values.notna() & (values.astype("str").str.strip() != "")
        for row, value in values[filled].items():
            problems.append(
                grid.origin.problem(
                    int(row),
                    column,
                    str(value),
                    "repeating REDCap instruments and events are not read: each record has one row per event and stage",
                )
            )
        keep &= ~filled.to_numpy()
    return keep


def _stages_of_events(records: Records) -> tuple[pd.Series, list[tuple[int, str, str]], list[str]]:
    """The stage each record's event names, as text; (record, event, rule) for events naming none; the mapping."""
    events = records.cells[STAGE]
    codes, names = pd.factorize(events, sort=True)
    stage_texts: list[str | None] = []
    refusals: dict[int, str] = {}
    read_as: list[str] = []
    for code, event in enumerate(names):
        match = stage_named(_REDCAP_ARM.sub("", str(event).strip()))
        if match.number is None:
            refusals[code] = f"the REDCap event must name a stage: {match.refusal()}"
            stage_texts.append(None)
        else:
            stage_texts.append(str(match.number))
            read_as.append(f"{event} = {stage_words(match.number)}")
    table = np.array([*stage_texts, None], dtype=object)  # code -1 (a blank event) stays blank
    stages = pd.Series(table[codes], index=events.index, dtype=object)
    problems = [
        (int(record), str(names[code]), refusals[code])
        for record, code in zip(events.index, codes, strict=True)
        if code in refusals
    ]
    return stages, problems, read_as


def _blank(values: pd.Series) -> np.ndarray:
    blank: np.ndarray = (values.isna() | (values.astype("str").str.strip(" \t") == "")).to_numpy()
    return blank


def _wide_records(grid: Grid, layout: Layout) -> Records:
    participant = layout.source(Placement(PARTICIPANT)) or PARTICIPANT
    staged = [(column, placement) for column, placement in layout.placements if placement.stage is not None]
    stage_numbers = [stage.number for stage in STAGES if any(p.stage == stage.number for _, p in staged)]
    measures = [name for name in layout.columns if name not in KEY_COLUMNS]
    by_stage = {
        number: {measure: layout.source(Placement(measure, number)) for measure in measures} for number in stage_numbers
    }
    held = {number: np.zeros(len(grid.cells), dtype=bool) for number in stage_numbers}
    for number, sources in by_stage.items():
        for source in sources.values():
            if source is not None:
                held[number] |= ~_blank(grid.cells[source])
    nothing_held = ~np.logical_or.reduce(list(held.values()))
    held[stage_numbers[0]] |= nothing_held  # a participant with no values is kept, and listed as incomplete
    parts, rows, blocks, start = [], [], [], 0
    for number, sources in by_stage.items():
        chosen = grid.cells[held[number]]
        part = pd.DataFrame(
            {
                PARTICIPANT: chosen[participant].to_numpy(dtype=object),
                STAGE: np.full(len(chosen), str(number), dtype=object),
                **{
                    measure: (
                        chosen[source].to_numpy(dtype=object)
                        if source is not None
                        else np.full(len(chosen), None, dtype=object)
                    )
                    for measure, source in sources.items()
                },
            }
        )
        parts.append(part)
        rows.append(chosen.index.to_numpy(dtype=np.int64))
        blocks.append(Block(start, start + len(part), {PARTICIPANT: participant, STAGE: None, **sources}))
        start += len(part)
    cells = pd.concat(parts, ignore_index=True)[list(layout.columns)]
    return Records(grid, layout, cells, np.concatenate(rows), tuple(blocks))
