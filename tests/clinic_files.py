"""Clinic files written by the tools clinics use: pandas, openpyxl (through pandas) and pyreadstat.

Each writer takes a long cohort CSV (the book's own layout) and writes the same data the way a clinic
would keep it: a pandas export whose score columns became floats, a wide workbook, a wide SPSS file with
value labels, a Stata file, a REDCap export. Nothing here goes through the library under test.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from cnslbp_lib.data.instruments import GLOBAL_CHANGE, INSTRUMENTS

MEASURES = [instrument.key for instrument in INSTRUMENTS] + [GLOBAL_CHANGE.key]
HEADER = "participant,stage,piq,pseq,psq,global_change"


def write_clinic_cohort(
    path: Path,
    participants: int = 40,
    *,
    seed: int = 12,
    global_change: bool = False,
    gaps: bool = True,
    hostile: tuple[str, ...] = (),
) -> list[str]:
    """A plausible long cohort CSV with hospital-style ids (returned); by default 40 participants, three lost
    to follow-up, two with a blank baseline PIQ, and no global change column. ``hostile`` ids replace the last
    participants' (the scores stay as they were)."""
    rng = np.random.default_rng(seed)
    ids = [f"MRN-{number:06d}-{chr(65 + number % 26)}" for number in rng.choice(900_000, participants, replace=False)]
    if hostile:
        ids[-len(hostile) :] = hostile
    lines = [HEADER.split(",") if global_change else HEADER.split(",")[:-1]]
    for position, participant in enumerate(ids):
        piq, pseq, psq = rng.integers(30, 60), rng.integers(10, 35), rng.integers(15, 32)
        for stage in (1, 2, 3):
            if gaps and position < 3 and stage == 3:
                continue  # lost to follow-up: no stage 3 row
            shift = 0 if stage < 3 else 1
            scores = [
                int(np.clip(piq - shift * rng.integers(-5, 25), 0, 70)),
                int(np.clip(pseq + shift * rng.integers(-5, 25), 0, 60)),
                int(np.clip(psq - shift * rng.integers(-6, 8), 0, 40)),
            ]
            cells = [participant, str(stage), *map(str, scores)]
            if gaps and position in (3, 4) and stage == 2:
                cells[2] = ""  # blank PIQ at the baseline
            if global_change:
                cells.append("" if stage == 1 else str(int(rng.integers(-1, 4)) if stage == 3 else 0))
            lines.append(cells)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(lines)
    return ids


def read_long(path: Path) -> pd.DataFrame:
    """The long CSV as pandas reads it by default: a score column with a blank becomes float (40.0)."""
    return pd.read_csv(path, dtype={"participant": str})


def write_pandas_export(long_csv: Path, path: Path) -> Path:
    """What ``pd.read_csv(...).to_csv(...)`` gives: 40.0 wherever a column has a blank."""
    read_long(long_csv).to_csv(path, index=False)
    return path


def wide_frame(long_csv: Path, *, id_column: str = "id", separator: str = "_") -> pd.DataFrame:
    """One row per participant, a column per measure and stage (piq_1, ...); columns that are all blank left out."""
    long = read_long(long_csv)
    measures = [column for column in MEASURES if column in long.columns]
    wide = long.pivot(index="participant", columns="stage", values=measures)  # noqa: PD010 (no aggregation wanted)
    wide.columns = [f"{measure}{separator}{stage}" for measure, stage in wide.columns]
    wide = wide.dropna(axis=1, how="all").reset_index().rename(columns={"participant": id_column})
    return wide


def write_wide_workbook(long_csv: Path, path: Path, *, sheet: str = "Scores", first_sheet: str | None = None) -> Path:
    """A wide .xlsx written by pandas with openpyxl; optionally behind another sheet, so --sheet is needed."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        if first_sheet is not None:
            about = pd.DataFrame({"about": ["scores are on the next sheet"]})
            about.to_excel(writer, sheet_name=first_sheet, index=False)
        wide_frame(long_csv).to_excel(writer, sheet_name=sheet, index=False)
    return path


def write_wide_spss(long_csv: Path, path: Path) -> Path:
    """A wide .sav with the global rating's value labels (as SPSS users label a Likert item)."""
    wide = wide_frame(long_csv)
    labelled = [column for column in wide.columns if column.startswith(GLOBAL_CHANGE.key)]
    labels = {column: {float(value): label for value, label in GLOBAL_CHANGE.labels} for column in labelled}
    pyreadstat.write_sav(wide, str(path), variable_value_labels=labels)
    return path


def write_stata(long_csv: Path, path: Path) -> Path:
    """A long .dta written by pandas (Stata format 114)."""
    read_long(long_csv).to_stata(path, write_index=False)
    return path


def redcap_event(stage: int) -> str:
    return f"stage_{stage}_arm_1"


def write_redcap(long_csv: Path, path: Path) -> Path:
    """A REDCap export of a longitudinal project: record_id, an event per stage, empty repeat columns, a form status."""
    long = read_long(long_csv)
    export = pd.DataFrame({"record_id": long["participant"], "redcap_event_name": long["stage"].map(redcap_event)})
    export["redcap_repeat_instrument"] = ""
    export["redcap_repeat_instance"] = ""
    for column in MEASURES:
        if column in long.columns:
            export[column] = long[column]
    export["scores_complete"] = 2
    export.to_csv(path, index=False)
    return path
