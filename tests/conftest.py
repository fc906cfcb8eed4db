"""Shared fixtures: the committed cohort and small helpers to write test files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cnslbp_lib as cl

ROOT = Path(__file__).resolve().parent.parent
COHORT_CSV = ROOT / "data" / "cohort.csv"
HEADER = "participant,stage,piq,pseq,psq,global_change"


@pytest.fixture(scope="session")
def cohort() -> cl.Cohort:
    return cl.load_cohort(COHORT_CSV)


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write text (or bytes) to a fresh file and return its path."""

    def write(content: str | bytes, name: str = "cohort.csv") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return path

    return write


def tidy_pairs(before: np.ndarray, after: np.ndarray, column: str = "piq") -> pd.DataFrame:
    """A tidy frame holding two stages (2 and 3) of one column, for reference comparisons."""
    n = len(before)
    ids = [f"s{i:02d}" for i in range(n)]
    return pd.DataFrame(
        {
            "participant": ids * 2,
            "stage": [2] * n + [3] * n,
            column: np.concatenate([before, after]),
        }
    )
