"""Every dataset the abstract allows: an exactly uniform ensemble of reconstructions.

Only summaries were published, so no single dataset is "the" data. This
module draws datasets uniformly from everything the abstract allows, so that
each number in the book can show whether the paper fixed it (the same in
every member) or a reconstruction chose it (it varies across members).

What each member is made of:

- **Stage 2 → 3 changes** of the three outcomes, drawn exactly uniformly over
  all participant-labelled integer vectors that meet every constraint of the
  abstract jointly (:mod:`cnslbp_lib.paper.targets`: the GRIM total, the sums
  of squares that reproduce the printed CI, p and dz, the responder counts, the
  scale's range), by :class:`~cnslbp_lib.stats.lattice.VectorLattice`. The three
  outcomes are drawn independently and a member is kept only if the
  association between the PSEQ and PIQ changes reads as the chosen
  :class:`Reading` says; keeping independent uniform draws that pass a test
  is an exactly uniform draw from the joint set (rejection sampling).
- **Everything the abstract does not constrain** is drawn from explicit, wide
  priors (:data:`PRIORS`): each stage 2 score uniformly over every level that
  keeps both stage 2 and stage 3 inside the scale; each stage 1 score uniformly
  over the levels within a clinically unimportant change of stage 2, in either
  direction (less than the threshold, or at most it when responders must exceed
  it), inside the scale; global ratings uniformly and independently over the
  seven points of the scale, never derived from the changes.

The same seed, size and reading always give the same members, in the same order.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ..data.instruments import GLOBAL_CHANGE, INSTRUMENTS, NON_RESPONSE, STAGES, get_instrument
from ..stats import lattice as lattice_module
from ..stats.batch import correlation_batch
from ..stats.core import DEFAULT_SEED
from ..stats.lattice import VectorConstraints, VectorLattice
from . import targets as targets_module
from .reported import reported_n
from .targets import ChangeTarget, change_targets

__all__ = [
    "DEFAULT_READING",
    "DEFAULT_SEED",
    "PRIORS",
    "READINGS",
    "Ensemble",
    "Prior",
    "Reading",
    "association_by_reading",
    "ensemble_stamp",
    "get_reading",
    "priors_table",
    "readings_table",
    "sample_ensemble",
]

DEFAULT_READING = "book"
ID_PREFIX = "R"


@dataclass(frozen=True)
class Reading:
    """One way to read the abstract's ambiguous sentences, as named switches.

    ``association``: ``inverse`` reads "improvements in self-efficacy were
    inversely associated with reductions in pain interference" as the book
    does (larger self-efficacy gains went with larger falls in interference,
    so r(ΔPSEQ, ΔPIQ) < 0); ``literal`` reads it word for word (larger gains
    went with smaller falls, r(ΔPSEQ, ΔPIQ) > 0). ``significant`` adds p < .05
    for that correlation ("associated" as a tested claim). ``exceeded``:
    ``at_least`` counts a responder at the threshold or beyond (the registry's
    rule), ``more_than`` only beyond it; it also moves the non-response rule.
    """

    name: str
    description: str
    association: Literal["inverse", "literal"]
    significant: bool
    exceeded: Literal["at_least", "more_than"]


READINGS: tuple[Reading, ...] = (
    Reading(
        "book", "inverse association (sign only); responders at or beyond the threshold", "inverse", False, "at_least"
    ),
    Reading(
        "book-significant",
        "inverse association with p < .05; responders at or beyond the threshold",
        "inverse",
        True,
        "at_least",
    ),
    Reading("literal", "the sentence read word for word: r(ΔPSEQ, ΔPIQ) > 0 (sign only)", "literal", False, "at_least"),
    Reading(
        "more-than",
        "inverse association (sign only); responders strictly beyond the threshold",
        "inverse",
        False,
        "more_than",
    ),
)


def get_reading(name: str) -> Reading:
    """The reading called ``name``, naming the known ones otherwise."""
    for reading in READINGS:
        if reading.name == name:
            return reading
    raise ValueError(f"reading must be one of {', '.join(item.name for item in READINGS)}; got {name!r}")


@dataclass(frozen=True)
class Prior:
    """A documented choice for something the abstract does not constrain."""

    quantity: str
    prior: str
    why: str


PRIORS: tuple[Prior, ...] = (
    Prior(
        "Stage 2 score (each outcome, each participant)",
        "uniform over every whole score that keeps both stage 2 and stage 3 inside the scale",
        "the abstract reports no levels; the widest prior claims no knowledge of where these people sat",
    ),
    Prior(
        "Stage 1 score (each outcome, each participant)",
        "uniform over every whole score inside the scale whose change to stage 2 is smaller than the "
        "outcome's threshold in either direction (no clinically important change during education)",
        "the abstract reports no stage 1 numbers, only that nobody improved meaningfully with education; "
        "a band centred on no change neither favours nor penalises education, and the same band is used for "
        "pain severity, which the inclusion rule does not name",
    ),
    Prior(
        "Global perceived change (stages 2 and 3)",
        "uniform over the seven points, independently of everything else",
        "the abstract names the outcome but reports no result; deriving it from the changes would build "
        "in an agreement the study never showed",
    ),
)


@dataclass(frozen=True, eq=False)
class Ensemble:
    """Members drawn from everything the abstract allows.

    ``scores`` has shape (members, participants, stages, instruments) with
    stages in :data:`STAGES` order and instruments in :data:`INSTRUMENTS`
    order; ``global_change`` has shape (members, participants, 2) for stages 2
    and 3 (stage 1 asks no rating).
    """

    reading: Reading
    seed: int
    participants: tuple[str, ...]
    scores: np.ndarray
    global_change: np.ndarray

    @property
    def members(self) -> int:
        return int(self.scores.shape[0])

    def changes(self, instrument: str, from_stage: int = 2, to_stage: int = 3) -> np.ndarray:
        """Each member's changes in one instrument, shape (members, participants)."""
        column = [entry.key for entry in INSTRUMENTS].index(get_instrument(instrument).key)
        return np.asarray(self.scores[:, :, to_stage - 1, column] - self.scores[:, :, from_stage - 1, column])

    def frame(self, members: slice | None = None) -> pd.DataFrame:
        """Members in the cohort file's tidy layout, with a leading ``member`` column."""
        chosen = np.arange(self.members)[members if members is not None else slice(None)]
        n, width = len(self.participants), len(STAGES)
        rows = chosen.size * n * width
        frame = {
            "member": np.repeat(chosen, n * width),
            "participant": np.tile(np.repeat(np.array(self.participants), width), chosen.size),
            "stage": np.tile([stage.number for stage in STAGES], chosen.size * n),
        }
        for position, entry in enumerate(INSTRUMENTS):
            frame[entry.key] = self.scores[chosen, :, :, position].reshape(rows)
        ratings = np.full((chosen.size, n, width), np.nan)
        ratings[:, :, 1:] = self.global_change[chosen]
        frame[GLOBAL_CHANGE.key] = pd.array(ratings.reshape(rows), dtype="Int64")
        return pd.DataFrame(frame)

    def member_csv(self, member: int) -> str:
        """One member as the exact text of a cohort file (no ``member`` column)."""
        frame = self.frame(slice(member, member + 1)).drop(columns="member")
        return str(frame.to_csv(index=False, lineterminator="\n"))

    def to_csv(self) -> str:
        """Every member in the cohort file format with a leading ``member`` column."""
        buffer = io.StringIO()
        self.frame().to_csv(buffer, index=False, lineterminator="\n")
        return buffer.getvalue()


def _lattice(target: ChangeTarget, n: int, reading: Reading) -> VectorLattice:
    entry = get_instrument(target.instrument)
    span = entry.maximum - entry.minimum
    cut = None
    if target.responders is not None:
        # the lattice counts in steps of the score (whole points for a total)
        threshold = round(entry.threshold * entry.items)
        cut = threshold if reading.exceeded == "at_least" else threshold + 1
    # the lattice counts values at or above a cut, so it works in improvement units (positive = better)
    return VectorLattice(
        VectorConstraints(
            n=n,
            low=-span,
            high=span,
            total=target.total * entry.improvement_sign,
            sums_of_squares=target.sums_of_squares,
            cut=cut,
            count_at_least=target.responders if cut is not None else None,
        )
    )


def _association_holds(pseq: np.ndarray, piq: np.ndarray, reading: Reading) -> np.ndarray:
    """Which rows' Pearson r(ΔPSEQ, ΔPIQ) reads as ``reading`` says."""
    result = correlation_batch(pseq, piq, method="pearson")
    holds = result.r < 0 if reading.association == "inverse" else result.r > 0
    if reading.significant:
        holds &= result.p_val < 0.05
    return np.asarray(holds & np.isfinite(result.r))


def _draw_changes(
    lattices: dict[str, VectorLattice], members: int, reading: Reading, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Changes (points, after − before) of every instrument for ``members`` distinct members."""
    kept: dict[str, list[np.ndarray]] = {key: [] for key in lattices}
    seen: set[bytes] = set()
    count = 0
    while count < members:
        batch = max(64, 2 * (members - count))
        drawn = {
            key: lattice.sample(batch, rng) * get_instrument(key).improvement_sign for key, lattice in lattices.items()
        }
        accept = _association_holds(drawn["pseq"].astype(float), drawn["piq"].astype(float), reading)
        for row in np.flatnonzero(accept):
            signature = b"".join(drawn[key][row].tobytes() for key in lattices)
            if signature in seen or count == members:
                continue
            seen.add(signature)
            for key in lattices:
                kept[key].append(drawn[key][row])
            count += 1
    return {key: np.stack(rows) for key, rows in kept.items()}


def _uniform_between(low: np.ndarray, high: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return np.asarray(rng.integers(low, high + 1))


def sample_ensemble(
    members: int, *, seed: int = DEFAULT_SEED, reading: str = DEFAULT_READING, n: int | None = None
) -> Ensemble:
    """Draw ``members`` distinct datasets uniformly from everything the abstract allows.

    Parameters
    ----------
    members : int
        How many datasets to draw (at least 1).
    seed : int
        Seed of the one random generator behind every draw.
    reading : str
        Name of a :class:`Reading` in :data:`READINGS`.
    n : int, optional
        Participants per dataset; the abstract's n by default.

    Examples
    --------
    >>> ensemble = sample_ensemble(3, seed=1)
    >>> ensemble.scores.shape, ensemble.changes("piq").sum(axis=1).tolist()
    ((3, 14, 3, 3), [-263, -263, -263])
    """
    if members < 1:
        raise ValueError(f"members must be at least 1; got {members!r}")
    chosen = get_reading(reading)
    n = reported_n() if n is None else n
    rng = np.random.default_rng(seed)
    targets = {target.instrument: target for target in change_targets(n)}
    lattices = {key: _lattice(targets[key], n, chosen) for key in (entry.key for entry in INSTRUMENTS)}
    changes = _draw_changes(lattices, members, chosen, rng)
    scores = np.zeros((members, n, len(STAGES), len(INSTRUMENTS)), dtype=np.int64)
    rule_margin = 1 if chosen.exceeded == "at_least" else 0
    for position, entry in enumerate(INSTRUMENTS):
        change = changes[entry.key]
        stage_two = _uniform_between(
            np.maximum(entry.minimum, entry.minimum - change), np.minimum(entry.maximum, entry.maximum - change), rng
        )
        # no clinically important change during education, in either direction: below the threshold
        # (at or below it when responders must exceed it); for the rule's instruments this is non-response
        largest = entry.threshold - rule_margin
        low = np.maximum(entry.minimum, stage_two - largest)
        high = np.minimum(entry.maximum, stage_two + largest)
        scores[:, :, 0, position] = _uniform_between(low, high, rng)
        scores[:, :, 1, position] = stage_two
        scores[:, :, 2, position] = stage_two + change
    ratings = rng.integers(GLOBAL_CHANGE.minimum, GLOBAL_CHANGE.maximum + 1, size=(members, n, 2))
    width = max(2, len(str(n)))
    participants = tuple(f"{ID_PREFIX}{number:0{width}d}" for number in range(1, n + 1))
    return Ensemble(chosen, seed, participants, scores, ratings)


def association_by_reading(members: int, *, seed: int = DEFAULT_SEED) -> dict[str, np.ndarray]:
    """Pearson r(ΔPSEQ, ΔPIQ) of ``members`` members under each reading in :data:`READINGS`."""
    result = {}
    for reading in READINGS:
        ensemble = sample_ensemble(members, seed=seed, reading=reading.name)
        pseq, piq = ensemble.changes("pseq").astype(float), ensemble.changes("piq").astype(float)
        result[reading.name] = correlation_batch(pseq, piq, method="pearson").r
    return result


def priors_table() -> pd.DataFrame:
    """The priors as a table for the book: ``quantity``, ``prior`` and ``why``."""
    rows = [(item.quantity, item.prior, item.why) for item in PRIORS]
    return pd.DataFrame(rows, columns=["quantity", "prior", "why"])


def readings_table() -> pd.DataFrame:
    """The named readings as a table for the book: ``name`` and ``description``."""
    return pd.DataFrame([(item.name, item.description) for item in READINGS], columns=["name", "description"])


def ensemble_stamp(members: int, *, seed: int = DEFAULT_SEED, reading: str = DEFAULT_READING) -> str:
    """A hash of everything an ensemble depends on: targets, registry, priors, reading, seed and size.

    A stored summary carries it; when any input changes, the stamp changes and
    the stale summary is refused.
    """
    parts = [
        repr(change_targets()),
        repr(INSTRUMENTS),
        repr(GLOBAL_CHANGE),
        repr(NON_RESPONSE),
        repr(PRIORS),
        repr(get_reading(reading)),
        f"seed={seed}",
        f"members={members}",
        f"n={reported_n()}",
        # the code that draws: a change to the sampler must not reuse an old summary
        *(Path(module.__file__ or "").read_text(encoding="utf-8") for module in (lattice_module, targets_module)),
        Path(__file__).read_text(encoding="utf-8"),
    ]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
