"""Where a cohort file came from: the reconstruction, or someone's own data.

The reconstruction's SHA-256 is recorded in ``reconstruction.sha256`` beside
this module (a test keeps it equal to the hash of a fresh reconstruction), so
telling the two apart costs one hash, not a new search.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .load import Cohort

__all__ = [
    "DATA_ENV",
    "DEFAULT_DATA",
    "PROJECT_ROOT",
    "SHEET_ENV",
    "Provenance",
    "cohort_path",
    "cohort_sheet",
    "provenance",
]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = PROJECT_ROOT / "data" / "cohort.csv"
DATA_ENV = "CNSLBP_DATA"
SHEET_ENV = "CNSLBP_SHEET"
_RECONSTRUCTION_HASH = Path(__file__).with_name("reconstruction.sha256")


@dataclass(frozen=True)
class Provenance:
    """What the book says about its dataset on every page."""

    kind: Literal["reconstructed", "user-supplied"]
    file_name: str
    sha256: str

    @property
    def is_reconstruction(self) -> bool:
        return self.kind == "reconstructed"

    @property
    def notice(self) -> str:
        """One sentence for the top of each page."""
        if self.is_reconstruction:
            return (
                "Built from the reconstructed dataset: invented integer scores that reproduce the "
                "abstract's summary statistics. These are not patient data."
            )
        return (
            f"Built from a user-supplied cohort file ({self.file_name}). Participant ids are "
            "replaced by labels P01, P02, …"
        )


def reconstruction_sha256() -> str:
    """SHA-256 of the committed reconstruction, as recorded beside this module."""
    return _RECONSTRUCTION_HASH.read_text(encoding="utf-8").split()[0]


def cohort_path() -> Path:
    """The cohort file the book uses: ``$CNSLBP_DATA`` if set, else ``data/cohort.csv``."""
    configured = os.environ.get(DATA_ENV, "").strip()
    return Path(configured).expanduser().resolve() if configured else DEFAULT_DATA


def cohort_sheet() -> str | None:
    """The workbook sheet the book reads: ``$CNSLBP_SHEET`` if set, else None (the first sheet)."""
    return os.environ.get(SHEET_ENV) or None


def provenance(cohort: Cohort) -> Provenance:
    """Classify a loaded cohort by comparing its hash with the reconstruction's."""
    reconstructed = cohort.sha256 == reconstruction_sha256()
    return Provenance(
        kind="reconstructed" if reconstructed else "user-supplied",
        file_name=Path(cohort.source).name,
        sha256=cohort.sha256,
    )
