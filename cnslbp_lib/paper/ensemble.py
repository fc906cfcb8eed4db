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
  scale's range), by :class:`~cnslbp_lib.stats.lattice.VectorLattice` (or, for a row too long for
  its tables, :class:`~cnslbp_lib.stats.tilted.TiltedSampler`, as exactly uniform). The three
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

from ..data.instruments import Instrument
from ..stats import lattice as lattice_module
from ..stats.batch import correlation_batch
from ..stats.core import DEFAULT_SEED
from ..stats.lattice import VectorConstraints, VectorLattice
from ..stats.tilted import TiltedSampler
from ..stats.vectors import vector_sampler
from . import targets as targets_module
from .reported import STUDY, Paper
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
    "priors",
    "priors_table",
    "readings_table",
    "sample_ensemble",
]

DEFAULT_READING = "book"
ID_PREFIX = "R"


@dataclass(frozen=True)
class Reading:
    """One way to read a paper's ambiguous sentences, as named switches.

    ``association``: ``as_read`` takes each association claim with the sign
    its paper file gives it (for the book's study, "improvements in
    self-efficacy were inversely associated with reductions in pain
    interference" read as larger self-efficacy gains going with larger falls in
    interference, so r(ΔPSEQ, ΔPIQ) < 0); ``opposite`` takes the other sign (the
    book's sentence read word for word). ``significant`` adds p < .05 for that
    correlation ("associated" as a tested claim). ``exceeded``: ``at_least``
    counts a responder at the threshold or beyond (the registry's rule),
    ``more_than`` only beyond it; it also moves the non-response rule.
    """

    name: str
    summary: str
    association: Literal["as_read", "opposite"]
    significant: bool
    exceeded: Literal["at_least", "more_than"]

    def describe(self, paper: Paper = STUDY) -> str:
        """The reading in words, for ``paper``'s association claims."""
        claims = []
        for claim in paper.associations:
            x, y = (paper.instrument(key).abbreviation for key in claim.pair or ("", ""))
            sign = claim.direction if self.association == "as_read" else _other(claim.direction)
            claims.append(f"r(Δ{x}, Δ{y}) {'<' if sign == 'negative' else '>'} 0")
        said = f"{self.summary}: {', '.join(claims)}" if claims else self.summary
        if self.significant:
            said += " with p < .05"
        responders = "at or beyond" if self.exceeded == "at_least" else "strictly beyond"
        return f"{said}; responders {responders} the threshold"


def _other(direction: str | None) -> str:
    return "positive" if direction == "negative" else "negative"


READINGS: tuple[Reading, ...] = (
    Reading("book", "each association with the sign the book reads (sign only)", "as_read", False, "at_least"),
    Reading("book-significant", "each association with the sign the book reads", "as_read", True, "at_least"),
    Reading("literal", "each association with the other sign, its sentence read word for word", "opposite", False,
            "at_least"),
    Reading("more-than", "each association with the sign the book reads (sign only)", "as_read", False, "more_than"),
)  # fmt: skip


def get_reading(name: str) -> Reading:
    """The reading called ``name``, naming the known ones otherwise."""
    for reading in READINGS:
        if reading.name == name:
            return reading
    raise ValueError(f"reading must be one of {', '.join(item.name for item in READINGS)}; got {name!r}")


@dataclass(frozen=True)
class Prior:
    """A documented choice for something the paper does not constrain."""

    quantity: str
    prior: str
    why: str


def _selection_stage(paper: Paper) -> int | None:
    """The stage before the baseline that the inclusion rule looks back to, if there is one."""
    rule = paper.design.non_response
    return rule.from_stage if rule is not None and rule.to_stage == paper.design.baseline else None


def priors(paper: Paper = STUDY) -> tuple[Prior, ...]:
    """What ``paper`` leaves open about its datasets, and the prior each member draws it from."""
    design = paper.design
    base, follow = design.baseline, design.follow_up
    found = [
        Prior(
            f"Stage {base} score (each outcome, each participant)",
            f"uniform over every whole score that keeps both stage {base} and stage {follow} inside the scale",
            "the abstract reports no levels; the widest prior claims no knowledge of where these people sat",
        )
    ]
    selection = _selection_stage(paper)
    if selection is not None and design.non_response is not None:
        phase = design.stage(selection).description.removeprefix("before ")
        others = [
            entry.abbreviation for entry in design.instruments if entry.key not in design.non_response.instruments
        ]
        also = (
            f", and the same band is used for {', '.join(others)}, which the inclusion rule does not name"
            if others
            else ""
        )
        found.append(
            Prior(
                f"Stage {selection} score (each outcome, each participant)",
                f"uniform over every whole score inside the scale whose change to stage {base} is smaller than the "
                f"outcome's threshold in either direction (no clinically important change during {phase})",
                f"the abstract reports no stage {selection} numbers, only that nobody improved meaningfully with "
                f"{phase}; a band centred on no change neither favours nor penalises {phase}{also}",
            )
        )
    for stage in design.stages:
        if stage.number not in (base, follow, selection):
            found.append(
                Prior(
                    f"Stage {stage.number} score (each outcome, each participant)",
                    "uniform over every whole score inside the scale",
                    "the paper's numbers say nothing about this stage's scores",
                )
            )
    rating = design.global_change
    if rating is not None:
        stages = paper.file.global_rating.stages if paper.file.global_rating is not None else []
        found.append(
            Prior(
                f"{rating.name} (stages {' and '.join(str(number) for number in stages)})",
                f"uniform over the {rating.maximum - rating.minimum + 1} points, independently of everything else",
                "the abstract names the outcome but reports no result; deriving it from the changes would build "
                "in an agreement the study never showed",
            )
        )
    return tuple(found)


PRIORS: tuple[Prior, ...] = priors()


@dataclass(frozen=True, eq=False)
class Ensemble:
    """Members drawn from everything a paper allows.

    ``scores`` has shape (members, participants, stages, instruments), in steps
    of each instrument's score (whole points for a total), with stages and
    instruments in the paper's order; ``ratings`` has shape (members,
    participants, rated stages) for the stages the global rating is asked at.
    """

    paper: Paper
    reading: Reading
    seed: int
    participants: tuple[str, ...]
    scores: np.ndarray
    ratings: np.ndarray

    @property
    def members(self) -> int:
        return int(self.scores.shape[0])

    @property
    def global_change(self) -> np.ndarray:
        """The ratings (the book's name for them)."""
        return self.ratings

    def _column(self, instrument: str) -> int:
        return [entry.key for entry in self.paper.design.instruments].index(self.paper.instrument(instrument).key)

    def _position(self, stage: int) -> int:
        return [item.number for item in self.paper.design.stages].index(self.paper.design.stage(stage).number)

    def changes(self, instrument: str, from_stage: int | None = None, to_stage: int | None = None) -> np.ndarray:
        """Each member's changes in one instrument (analysed comparison by default), shape (members, participants)."""
        start = self._position(self.paper.design.baseline if from_stage is None else from_stage)
        end = self._position(self.paper.design.follow_up if to_stage is None else to_stage)
        column = self._column(instrument)
        return np.asarray(self.scores[:, :, end, column] - self.scores[:, :, start, column])

    def stage_scores(self, instrument: str, stage: int) -> np.ndarray:
        """Each member's scores (in score steps) of one instrument at one stage, shape (members, participants)."""
        return np.asarray(self.scores[:, :, self._position(stage), self._column(instrument)])

    def frame(self, members: slice | None = None) -> pd.DataFrame:
        """Members in the cohort file's tidy layout, with a leading ``member`` column."""
        design = self.paper.design
        chosen = np.arange(self.members)[members if members is not None else slice(None)]
        n, width = len(self.participants), len(design.stages)
        rows = chosen.size * n * width
        frame = {
            "member": np.repeat(chosen, n * width),
            "participant": np.tile(np.repeat(np.array(self.participants), width), chosen.size),
            "stage": np.tile([stage.number for stage in design.stages], chosen.size * n),
        }
        for position, entry in enumerate(design.instruments):
            values = self.scores[chosen, :, :, position].reshape(rows)
            frame[entry.key] = values if entry.items == 1 else values / entry.items
        rating = self.paper.file.global_rating
        if rating is not None:
            ratings = np.full((chosen.size, n, width), np.nan)
            ratings[:, :, [self._position(stage) for stage in rating.stages]] = self.ratings[chosen]
            frame[rating.key] = pd.array(ratings.reshape(rows), dtype="Int64")
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


def _lattice(entry: Instrument, target: ChangeTarget, n: int, reading: Reading) -> VectorLattice | TiltedSampler:
    span = (entry.maximum - entry.minimum) * entry.items
    cut = None
    if target.responders is not None:
        # the lattice counts in steps of the score (whole points for a total)
        threshold = round(entry.threshold * entry.items)
        cut = threshold if reading.exceeded == "at_least" else threshold + 1
    # the lattice counts values at or above a cut, so it works in improvement units (positive = better);
    # a long row whose lattice would not fit in memory is drawn by the tilted sampler, as exactly uniformly
    return vector_sampler(
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


def _associations_hold(paper: Paper, drawn: dict[str, np.ndarray], reading: Reading) -> np.ndarray:
    """Which rows' correlations between claimed pairs of changes read as ``reading`` says (all rows if no claim)."""
    holds = np.ones(next(iter(drawn.values())).shape[0], dtype=bool)
    for claim in paper.associations:
        x, y = claim.pair or ("", "")
        result = correlation_batch(drawn[x].astype(float), drawn[y].astype(float), method="pearson")
        sign = claim.direction if reading.association == "as_read" else _other(claim.direction)
        holds &= (result.r < 0 if sign == "negative" else result.r > 0) & np.isfinite(result.r)
        if reading.significant:
            holds &= result.p_val < 0.05
    return holds


def _draw_changes(
    paper: Paper,
    lattices: dict[str, VectorLattice | TiltedSampler],
    members: int,
    reading: Reading,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Changes (score steps, after − before) of every instrument for ``members`` distinct members."""
    kept: dict[str, list[np.ndarray]] = {key: [] for key in lattices}
    seen: set[bytes] = set()
    count = 0
    while count < members:
        batch = max(64, 2 * (members - count))
        drawn = {
            key: lattice.sample(batch, rng) * paper.instrument(key).improvement_sign
            for key, lattice in lattices.items()
        }
        accept = _associations_hold(paper, drawn, reading)
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
    members: int,
    *,
    seed: int = DEFAULT_SEED,
    reading: str = DEFAULT_READING,
    n: int | None = None,
    paper: Paper = STUDY,
) -> Ensemble:
    """Draw ``members`` distinct datasets uniformly from everything ``paper`` allows.

    Parameters
    ----------
    members : int
        How many datasets to draw (at least 1).
    seed : int
        Seed of the one random generator behind every draw.
    reading : str
        Name of a :class:`Reading` in :data:`READINGS`.
    n : int, optional
        Participants per dataset; the paper's n by default.
    paper : Paper
        The paper whose printed numbers constrain the datasets (the book's study by default).

    Examples
    --------
    >>> ensemble = sample_ensemble(3, seed=1)
    >>> ensemble.scores.shape, ensemble.changes("piq").sum(axis=1).tolist()
    ((3, 14, 3, 3), [-263, -263, -263])
    """
    if members < 1:
        raise ValueError(f"members must be at least 1; got {members!r}")
    chosen = get_reading(reading)
    design = paper.design
    n = paper.n if n is None else n
    rng = np.random.default_rng(seed)
    targets = {target.instrument: target for target in change_targets(paper, n)}
    lattices = {entry.key: _lattice(entry, targets[entry.key], n, chosen) for entry in design.instruments}
    changes = _draw_changes(paper, lattices, members, chosen, rng)
    stages = [stage.number for stage in design.stages]
    scores = np.zeros((members, n, len(stages), len(design.instruments)), dtype=np.int64)
    rule_margin = 1 if chosen.exceeded == "at_least" else 0
    selection = _selection_stage(paper)
    for position, entry in enumerate(design.instruments):
        change = changes[entry.key]
        low_score, high_score = entry.minimum * entry.items, entry.maximum * entry.items
        base = _uniform_between(
            np.maximum(low_score, low_score - change), np.minimum(high_score, high_score - change), rng
        )
        scores[:, :, stages.index(design.baseline), position] = base
        scores[:, :, stages.index(design.follow_up), position] = base + change
        if selection is not None:
            # no clinically important change during the selection phase, in either direction: below the threshold
            # (at or below it when responders must exceed it); for the rule's instruments this is non-response
            largest = round(entry.threshold * entry.items) - rule_margin
            low = np.maximum(low_score, base - largest)
            high = np.minimum(high_score, base + largest)
            scores[:, :, stages.index(selection), position] = _uniform_between(low, high, rng)
        for stage in stages:
            if stage not in (design.baseline, design.follow_up, selection):
                scores[:, :, stages.index(stage), position] = rng.integers(low_score, high_score + 1, size=(members, n))
    rating = paper.file.global_rating
    shape = (members, n, len(rating.stages) if rating is not None else 0)
    ratings = rng.integers(rating.minimum, rating.maximum + 1, size=shape) if rating is not None else np.zeros(shape)
    width = max(2, len(str(n)))
    participants = tuple(f"{ID_PREFIX}{number:0{width}d}" for number in range(1, n + 1))
    return Ensemble(paper, chosen, seed, participants, scores, ratings)


def association_by_reading(members: int, *, seed: int = DEFAULT_SEED, paper: Paper = STUDY) -> dict[str, np.ndarray]:
    """Pearson r of the first association claim's changes, for ``members`` members under each reading."""
    claim = paper.associations[0]
    x, y = claim.pair or ("", "")
    result = {}
    for reading in READINGS:
        ensemble = sample_ensemble(members, seed=seed, reading=reading.name, paper=paper)
        first, second = ensemble.changes(x).astype(float), ensemble.changes(y).astype(float)
        result[reading.name] = correlation_batch(first, second, method="pearson").r
    return result


def priors_table(paper: Paper = STUDY) -> pd.DataFrame:
    """The priors as a table for the book: ``quantity``, ``prior`` and ``why``."""
    rows = [(item.quantity, item.prior, item.why) for item in priors(paper)]
    return pd.DataFrame(rows, columns=["quantity", "prior", "why"])


def readings_table(paper: Paper = STUDY) -> pd.DataFrame:
    """The named readings as a table for the book: ``name`` and ``description``."""
    return pd.DataFrame([(item.name, item.describe(paper)) for item in READINGS], columns=["name", "description"])


def ensemble_stamp(
    members: int, *, seed: int = DEFAULT_SEED, reading: str = DEFAULT_READING, paper: Paper = STUDY
) -> str:
    """A hash of everything an ensemble depends on: the paper file, targets, priors, reading, seed and size.

    A stored summary carries it; when any input changes, the stamp changes and
    the stale summary is refused.
    """
    # the design and the targets, not every printed number: one more number about another comparison
    # (audited and checked, never a target) must not make the stored ensemble stale
    parts = [
        repr(change_targets(paper)),
        repr(paper.design),
        repr(paper.associations),
        repr(priors(paper)),
        repr(get_reading(reading)),
        f"seed={seed}",
        f"members={members}",
        f"n={paper.n}",
        # the code that draws: a change to the sampler must not reuse an old summary
        *(Path(module.__file__ or "").read_text(encoding="utf-8") for module in (lattice_module, targets_module)),
        Path(__file__).read_text(encoding="utf-8"),
    ]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
