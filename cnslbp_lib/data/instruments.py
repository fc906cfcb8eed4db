"""Instrument facts: the registry of scales, directions, thresholds and stages, read from the paper file.

Nothing here is typed for one study: :func:`design_from_paper_file` builds the
registry from a paper file (:mod:`cnslbp_lib.data.paper_file`), and
:data:`DESIGN` is the book's own study, read from ``papers/``. The abstract
names the questionnaires but does not define their scoring, so that file states
every range and threshold as an assumption, with its source. The data
dictionary, the loader, the analyses and the book all read these objects;
change the paper file and everything follows.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal

from .paper_file import PaperFile, load_paper_file

__all__ = [
    "BASELINE_STAGE",
    "DEFAULT_PAPER",
    "DESIGN",
    "FOLLOW_UP_STAGE",
    "GLOBAL_CHANGE",
    "INSTRUMENTS",
    "NON_RESPONSE",
    "PAPER_ENV",
    "PRE_EDUCATION_STAGE",
    "STAGES",
    "STUDY_PAPER",
    "Design",
    "GlobalChangeScale",
    "Instrument",
    "NonResponseRule",
    "Stage",
    "as_instrument",
    "design_from_paper_file",
    "get_instrument",
    "get_stage",
    "paper_path",
]


@dataclass(frozen=True)
class Instrument:
    """One questionnaire total as it appears in the cohort file.

    ``threshold`` is the smallest change, in points and in the direction of
    improvement, that counts as clinically important.
    """

    key: str
    abbreviation: str
    name: str
    construct: str
    role: Literal["primary", "secondary"]
    minimum: int
    maximum: int
    higher_is: Literal["worse", "better"]
    threshold: float
    structure: str
    threshold_source: str
    citations: tuple[str, ...]
    assumption: str
    responder_reported: bool
    bands: tuple[tuple[str, int, int], ...] = ()
    bands_source: str = ""
    items: int = 1
    score_step: Fraction | None = None

    @property
    def step(self) -> Fraction:
        """The smallest difference between two scores (1 for a total, 1/k for a mean of k items, or as given)."""
        return self.score_step if self.score_step is not None else Fraction(1, self.items)

    @property
    def improvement_sign(self) -> int:
        """+1 when a rise is an improvement, -1 when a fall is."""
        return 1 if self.higher_is == "better" else -1

    @property
    def direction(self) -> str:
        """Short direction label for axes and tables, e.g. ``higher = worse``."""
        return f"higher = {self.higher_is}"

    @property
    def movement(self) -> str:
        """The direction of improvement as a word, ``rise`` or ``fall``."""
        return "rise" if self.improvement_sign > 0 else "fall"

    def rule(self, threshold: float) -> str:
        """A responder rule in words for any threshold, e.g. ``a fall of at least 5 points``."""
        return f"a {self.movement} of at least {_whole(threshold)} points"

    @property
    def improvement_rule(self) -> str:
        """The registry's responder rule in words, e.g. ``a fall of at least 7 points``."""
        return self.rule(self.threshold)

    @property
    def scale(self) -> str:
        """The range of the total, e.g. ``0–70``."""
        return f"{self.minimum}–{self.maximum}"


@dataclass(frozen=True)
class GlobalChangeScale:
    """The global perceived change rating, asked at stages 2 and 3."""

    key: str
    name: str
    minimum: int
    maximum: int
    improved_from: int
    labels: tuple[tuple[int, str], ...]
    source: str
    citations: tuple[str, ...]
    assumption: str

    @property
    def improved_rule(self) -> str:
        """The 'improved' rule in words."""
        names = [label for value, label in self.labels if value >= self.improved_from]
        return f"a rating of +{self.improved_from} or more ({' or '.join(names)})"

    def label(self, value: int) -> str:
        """Label of one rating, e.g. ``much improved`` for +2."""
        return dict(self.labels)[value]


@dataclass(frozen=True)
class Stage:
    """One of the three measurement occasions."""

    number: int
    name: str
    description: str


@dataclass(frozen=True)
class NonResponseRule:
    """Inclusion rule: no clinically important improvement during pain education.

    A participant is a non-responder when, from ``from_stage`` to
    ``to_stage``, none of ``instruments`` improved by its registry threshold.
    The thresholds are read from the instruments, never restated here.
    """

    instruments: tuple[str, ...]
    from_stage: int
    to_stage: int
    entries: tuple[Instrument, ...] = ()

    @property
    def description(self) -> str:
        parts = [f"{entry.abbreviation} did not show {entry.improvement_rule}" for entry in self.entries]
        return f"from stage {self.from_stage} to stage {self.to_stage}, " + " and ".join(parts)


@dataclass(frozen=True)
class Design:
    """A study's design as the data layer needs it: instruments, stages, the analysed comparison, who entered.

    Built from a paper file (:func:`design_from_paper_file`); :data:`DESIGN` is
    the book's own study, and the module's other constants are its parts.
    """

    instruments: tuple[Instrument, ...]
    stages: tuple[Stage, ...]
    baseline: int
    follow_up: int
    non_response: NonResponseRule | None
    global_change: GlobalChangeScale | None

    def instrument(self, key: str) -> Instrument:
        """The instrument with this key, naming the known keys otherwise."""
        for entry in self.instruments:
            if entry.key == key:
                return entry
        known = ", ".join(sorted(entry.key for entry in self.instruments))
        raise ValueError(f"instrument must be one of {known}; got {key!r}")

    def stage(self, number: int) -> Stage:
        """The stage with this number, naming the known numbers otherwise."""
        for stage in self.stages:
            if stage.number == number:
                return stage
        raise ValueError(f"stage must be one of {[stage.number for stage in self.stages]}; got {number!r}")


def _whole(points: float) -> float:
    """A threshold as the book prints it: 7, not 7.0, when it is whole."""
    return int(points) if float(points).is_integer() else points


def design_from_paper_file(paper: PaperFile) -> Design:
    """The data layer's view of a validated paper file."""
    responders = {record.instrument for record in paper.reported if record.quantity in ("responder_pct", "responder_k")}
    instruments = tuple(
        Instrument(
            key=spec.key,
            abbreviation=spec.abbreviation,
            name=spec.name,
            construct=spec.measures,
            role=spec.role,
            minimum=spec.minimum,
            maximum=spec.maximum,
            higher_is="better" if spec.better == "higher" else "worse",
            threshold=_whole(spec.threshold.points),
            structure=spec.structure,
            threshold_source=spec.threshold.source,
            citations=tuple(spec.citations),
            assumption=spec.assumption,
            responder_reported=spec.key in responders,
            bands=tuple((band.name, band.low, band.high) for band in spec.bands),
            bands_source=spec.bands_source,
            items=spec.items,
            score_step=spec.step if spec.score_step is not None else None,
        )
        for spec in paper.instruments
    )
    rule = paper.design.inclusion
    by_key = {entry.key: entry for entry in instruments}
    non_response = (
        NonResponseRule(
            instruments=tuple(rule.instruments),
            from_stage=rule.from_stage,
            to_stage=rule.to_stage,
            entries=tuple(by_key[key] for key in rule.instruments),
        )
        if rule is not None
        else None
    )
    rating = paper.global_rating
    global_change = (
        GlobalChangeScale(
            key=rating.key,
            name=rating.name,
            minimum=rating.minimum,
            maximum=rating.maximum,
            improved_from=rating.improved_from,
            labels=tuple(rating.labels),
            source=rating.source,
            citations=tuple(rating.citations),
            assumption=rating.assumption,
        )
        if rating is not None
        else None
    )
    return Design(
        instruments=instruments,
        stages=tuple(Stage(stage.number, stage.name, stage.description) for stage in paper.design.stages),
        baseline=paper.design.analysis.from_stage,
        follow_up=paper.design.analysis.to_stage,
        non_response=non_response,
        global_change=global_change,
    )


# The book's own study: every constant below is read from its paper file, never typed here.
# $CNSLBP_PAPER names another paper file for the book (a copy with one more printed number, say).
PAPER_ENV = "CNSLBP_PAPER"
DEFAULT_PAPER = Path(__file__).resolve().parents[2] / "papers" / "lumbar-mri-after-pain-education.yaml"


def paper_path() -> Path:
    """The paper file the book describes: ``$CNSLBP_PAPER`` if set, else the study's own in ``papers/``."""
    return Path(os.environ.get(PAPER_ENV) or DEFAULT_PAPER)


STUDY_PAPER = paper_path()
DESIGN = design_from_paper_file(load_paper_file(STUDY_PAPER))
INSTRUMENTS: tuple[Instrument, ...] = DESIGN.instruments
STAGES: tuple[Stage, ...] = DESIGN.stages
BASELINE_STAGE = DESIGN.baseline
FOLLOW_UP_STAGE = DESIGN.follow_up
if DESIGN.non_response is None or DESIGN.global_change is None:  # pragma: no cover - the book's study has both
    raise RuntimeError(f"{STUDY_PAPER} must give the inclusion rule and the global rating the book describes")
NON_RESPONSE: NonResponseRule = DESIGN.non_response
GLOBAL_CHANGE: GlobalChangeScale = DESIGN.global_change
# the stage the inclusion rule starts from (before the baseline): before pain education, in this study
PRE_EDUCATION_STAGE = NON_RESPONSE.from_stage


def get_instrument(key: str) -> Instrument:
    """Return the book's registry entry for an instrument key such as ``"piq"``.

    Raises
    ------
    ValueError
        Naming the known keys when ``key`` is not one of them.
    """
    return DESIGN.instrument(key)


def as_instrument(instrument: str | Instrument) -> Instrument:
    """An instrument given as itself, or by its key in the book's registry (for functions that take either)."""
    return instrument if isinstance(instrument, Instrument) else DESIGN.instrument(instrument)


def get_stage(number: int) -> Stage:
    """Return the book's stage with this number.

    Raises
    ------
    ValueError
        Naming the known stage numbers when ``number`` is not one of them.
    """
    return DESIGN.stage(number)
