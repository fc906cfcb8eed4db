"""The worked dataset and the stored ensemble summary.

The book shows one dataset, ``data/cohort.csv``, so that every page has rows,
charts and numbers to point at. It is not found by a search with chosen
windows: it is the member of the ensemble (:mod:`cnslbp_lib.paper.ensemble`)
nearest the ensemble's medians on every derived quantity that varies
(:func:`worked_member`), so the pages show a typical dataset, not an extreme one.

Beside it, ``data/ensemble_summary.csv`` stores every derived quantity for
every member (:func:`cnslbp_lib.paper.derived.member_summary`) and
``data/ensemble_summary.json`` the stamp of what they depend on. Both are
rewritten byte for byte by ``cnslbp reconstruct``; a build refuses a summary
whose stamp no longer matches (:func:`load_summary`).
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..data.files import write_text_atomically
from ..data.source import PROJECT_ROOT
from ..exceptions import StaleSummaryError
from ..stats import batch as batch_module
from ..stats import batch_ranks, batch_resampling, bootstrap, rtm, rtm_joint, rtm_joint_figures
from ..stats import core as core_module
from . import bounds as bounds_module
from . import derived as derived_module
from .bounds import association_bounds, change_bounds
from .derived import DERIVED, Bounds, Spread, classify, get_derived, member_summary, responder_band
from .ensemble import (
    DEFAULT_READING,
    DEFAULT_SEED,
    Ensemble,
    association_by_reading,
    ensemble_stamp,
    sample_ensemble,
)
from .targets import change_targets

__all__ = [
    "SUMMARY_MEMBERS",
    "EnsembleSummary",
    "StaleSummaryError",
    "load_summary",
    "reconstruct",
    "summary_stamp",
    "worked_member",
    "write_reconstruction",
]

SUMMARY_MEMBERS = 2000
SUMMARY_CSV = PROJECT_ROOT / "data" / "ensemble_summary.csv"
SIGNIFICANT_DIGITS = 6
QUANTILES = (0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0)
QUANTILE_NAMES = ("min", "q05", "q25", "median", "q75", "q95", "max")


@functools.cache
def summary_stamp(members: int = SUMMARY_MEMBERS, *, seed: int = DEFAULT_SEED, reading: str = DEFAULT_READING) -> str:
    """The ensemble's stamp, extended by the code that computes the derived quantities.

    Computed once per process and size, seed and reading: it depends only on the
    library's source files and the paper file the process loaded, which do not
    change while it runs (finding the targets behind it takes most of a second).
    """
    sources = [
        Path(module.__file__ or "").read_text(encoding="utf-8")
        # the registry and every statistic it computes per member
        for module in (
            derived_module,
            bounds_module,
            batch_module,
            batch_ranks,
            batch_resampling,
            bootstrap,
            core_module,
            rtm,
            rtm_joint,
            rtm_joint_figures,
        )
    ]
    text = "\n".join([ensemble_stamp(members, seed=seed, reading=reading), *sources])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def worked_member(summary: pd.DataFrame) -> int:
    """The member nearest the ensemble's medians on every derived quantity that varies.

    Only the quantities marked ``selects_worked`` count (the registry as it stood when the
    worked dataset was chosen), so adding a quantity to the registry does not move it. Each
    varying quantity is turned into its percentile rank across members
    (so quantities on different scales weigh alike); the member whose ranks
    lie closest to 0.5 in the mean squared sense is chosen, the lowest member
    number on a tie. Quantities that are NaN for some member are left out.
    """
    ranks = []
    for item in DERIVED:
        if item.basis != "drawn" or not item.selects_worked:
            continue
        values = summary[item.key].to_numpy(dtype=float)
        if np.isfinite(values).all() and np.ptp(values) > 0:
            ranks.append(pd.Series(values).rank(pct=True).to_numpy())
    if not ranks:
        return 0
    distance = ((np.vstack(ranks) - 0.5) ** 2).mean(axis=0)
    return int(np.argmin(distance))


@dataclass(frozen=True, eq=False)
class EnsembleSummary:
    """The stored per-member summary, with the worked member and each quantity's spread."""

    frame: pd.DataFrame
    stamp: str
    members: int
    seed: int
    reading: str
    worked: int
    readings: dict[str, dict[str, float]]
    bands: dict[str, pd.DataFrame]
    bounds: dict[str, Bounds]

    def share_below(self, key: str, cut: float) -> float:
        """The share of members (0–1) whose value of ``key`` lies below ``cut``."""
        return float((self.frame[key].to_numpy(dtype=float) < cut).mean())

    def values(self, key: str) -> np.ndarray:
        """Every member's value of ``key``."""
        return np.asarray(self.frame[key].to_numpy(dtype=float))

    def worked_value(self, key: str) -> float:
        """The worked member's value of ``key`` (the dataset ``data/cohort.csv`` holds)."""
        return float(self.frame.set_index("member").loc[self.worked, key])

    def spread(self, key: str) -> Spread:
        """One quantity's class (by :func:`~cnslbp_lib.paper.derived.classify`) and, when drawn, its spread."""
        item = get_derived(key)
        if item.basis == "inputs":
            return classify(item, inputs=tuple(self.spread(name) for name in item.inputs))
        if item.basis != "drawn":
            return classify(item)
        return classify(item, self.frame[key].to_numpy(dtype=float), bounds=self.bounds.get(key))


def reconstruct(members: int = SUMMARY_MEMBERS, *, seed: int = DEFAULT_SEED) -> tuple[Ensemble, pd.DataFrame, int]:
    """Draw the ensemble, summarise every member and choose the worked member."""
    ensemble = sample_ensemble(members, seed=seed)
    summary = member_summary(ensemble)
    return ensemble, summary, worked_member(summary)


def ensemble_bounds(ensemble: Ensemble) -> dict[str, Bounds]:
    """Every bound :mod:`cnslbp_lib.paper.bounds` computes, by registry key, for the ensemble's targets."""
    paper = ensemble.paper
    found = change_bounds(change_targets(paper), paper.n, paper)
    for claim in paper.associations[:1]:
        found |= association_bounds(ensemble, *(claim.pair or ("", "")))[0]
    return found


def _bounds_json(bounds: dict[str, Bounds]) -> dict[str, dict[str, object]]:
    return {
        key: {
            "low": [round(value, 6) for value in found.low],
            "high": [round(value, 6) for value in found.high],
            "method": found.method,
            "note": found.note,
        }
        for key, found in sorted(bounds.items())
    }


def _summary_csv(summary: pd.DataFrame) -> str:
    rounded = summary.copy()
    for column in rounded.columns[1:]:
        rounded[column] = [float(f"{value:.{SIGNIFICANT_DIGITS}g}") for value in rounded[column]]
    return str(rounded.to_csv(index=False, lineterminator="\n"))


def write_reconstruction(
    out: str | Path, summary_out: str | Path | None = None, *, members: int = SUMMARY_MEMBERS, seed: int = DEFAULT_SEED
) -> str:
    """Write the worked member to ``out`` and, if given, the summary and its stamp; return the CSV's SHA-256.

    Every file is written atomically.
    """
    ensemble, summary, worked = reconstruct(members, seed=seed)
    digest = write_text_atomically(out, ensemble.member_csv(worked))
    if summary_out is not None:
        summary_path = Path(summary_out)
        write_text_atomically(summary_path, _summary_csv(summary))
        readings = {
            name: dict(
                zip(QUANTILE_NAMES, (round(float(value), 6) for value in np.quantile(values, QUANTILES)), strict=True)
            )
            for name, values in association_by_reading(members, seed=seed).items()
        }
        bands = {
            entry.key: responder_band(ensemble, entry.key).round(6).to_dict(orient="list")
            for entry in ensemble.paper.design.instruments
            if entry.responder_reported
        }
        meta = {
            "association_by_reading": readings,
            "bounds": _bounds_json(ensemble_bounds(ensemble)),
            "responder_bands": bands,
            "stamp": summary_stamp(members, seed=seed),
            "members": members,
            "seed": seed,
            "reading": DEFAULT_READING,
            "worked_member": worked,
            "rule": "the member nearest the ensemble's medians on every derived quantity that varies",
        }
        write_text_atomically(summary_path.with_suffix(".json"), json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return digest


def load_summary(path: str | Path = SUMMARY_CSV) -> EnsembleSummary:
    """Read the stored summary, refusing it if its stamp no longer matches what it depends on.

    Raises
    ------
    StaleSummaryError
        When the summary was made from other targets, priors, code, seed or size,
        or its files are missing; the message says how to regenerate it.
    """
    csv_path = Path(path)
    meta_path = csv_path.with_suffix(".json")
    regenerate = "regenerate it with: cnslbp reconstruct --out data/cohort.csv --summary data/ensemble_summary.csv"
    if not csv_path.exists() or not meta_path.exists():
        raise StaleSummaryError(f"{csv_path} or {meta_path.name} is missing; {regenerate}")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    expected = summary_stamp(int(meta["members"]), seed=int(meta["seed"]), reading=str(meta["reading"]))
    if meta["stamp"] != expected:
        raise StaleSummaryError(
            f"{csv_path} is stale: it was made from other targets, priors, code, seed or size than the "
            f"library has now; {regenerate}"
        )
    frame = pd.read_csv(csv_path)
    return EnsembleSummary(
        frame=frame,
        stamp=str(meta["stamp"]),
        members=int(meta["members"]),
        seed=int(meta["seed"]),
        reading=str(meta["reading"]),
        worked=int(meta["worked_member"]),
        readings={
            name: {key: float(value) for key, value in row.items()}
            for name, row in meta["association_by_reading"].items()
        },
        bands={key: pd.DataFrame(columns) for key, columns in meta["responder_bands"].items()},
        bounds={
            key: Bounds(
                (float(row["low"][0]), float(row["low"][1])),
                (float(row["high"][0]), float(row["high"][1])),
                str(row["method"]),
                str(row["note"]),
            )
            for key, row in meta.get("bounds", {}).items()
        },
    )
