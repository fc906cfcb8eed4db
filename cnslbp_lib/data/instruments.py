"""Instrument facts: the one registry of scales, directions, thresholds and stages.

The abstract names the questionnaires but does not define their scoring. Every
range and threshold below is therefore an assumption of this reconstruction,
documented with its source. The data dictionary, the loader, the analyses and
the book all read these objects; change a value here and everything follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "BASELINE_STAGE",
    "FOLLOW_UP_STAGE",
    "GLOBAL_CHANGE",
    "INSTRUMENTS",
    "NON_RESPONSE",
    "PRE_EDUCATION_STAGE",
    "STAGES",
    "GlobalChangeScale",
    "Instrument",
    "NonResponseRule",
    "Stage",
    "get_instrument",
    "get_stage",
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
    threshold: int
    structure: str
    threshold_source: str
    citations: tuple[str, ...]
    assumption: str
    responder_reported: bool
    bands: tuple[tuple[str, int, int], ...] = ()
    bands_source: str = ""

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

    def rule(self, threshold: int) -> str:
        """A responder rule in words for any threshold, e.g. ``a fall of at least 5 points``."""
        return f"a {self.movement} of at least {threshold} points"

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

    @property
    def description(self) -> str:
        parts = [
            f"{get_instrument(key).abbreviation} did not show {get_instrument(key).improvement_rule}"
            for key in self.instruments
        ]
        return f"from stage {self.from_stage} to stage {self.to_stage}, " + " and ".join(parts)


INSTRUMENTS: tuple[Instrument, ...] = (
    Instrument(
        key="piq",
        abbreviation="PIQ",
        name="Pain Interference Questionnaire",
        construct="pain interference",
        role="primary",
        minimum=0,
        maximum=70,
        higher_is="worse",
        threshold=7,
        structure=(
            "seven interference items scored 0–10 and summed "
            "(general activity, mood, walking, work, relations, sleep, enjoyment of life), "
            "as in the Brief Pain Inventory"
        ),
        threshold_source=(
            "one point per item on average, by analogy with the one-point reduction on the "
            "0–10 Brief Pain Inventory interference scale that IMMPACT treats as a provisional "
            "benchmark for a minimally important change"
        ),
        citations=("cleeland1994", "dworkin2008"),
        assumption="Scoring, range and threshold are assumed: the abstract does not define the PIQ.",
        responder_reported=True,
    ),
    Instrument(
        key="pseq",
        abbreviation="PSEQ",
        name="Pain Self-Efficacy Questionnaire",
        construct="pain self-efficacy",
        role="primary",
        minimum=0,
        maximum=60,
        higher_is="better",
        threshold=11,
        structure="ten items scored 0 (not at all confident) to 6 (completely confident), summed",
        threshold_source=(
            "the minimal clinically important difference of 11 points that Maughan and Lewis "
            "derived from the standard error of measurement in chronic low back pain"
        ),
        citations=("nicholas2007", "maughan2010"),
        assumption=(
            "The standard PSEQ scoring; the 11-point threshold is one of several published "
            "and is assumed, not stated, in the abstract."
        ),
        responder_reported=True,
        bands=(("severe", 0, 19), ("moderate", 20, 30), ("mild", 31, 40), ("minimal", 41, 60)),
        bands_source="nicholas2019",
    ),
    Instrument(
        key="psq",
        abbreviation="PSQ",
        name="Pain Severity Questionnaire",
        construct="pain severity",
        role="secondary",
        minimum=0,
        maximum=40,
        higher_is="worse",
        threshold=8,
        structure=(
            "four pain ratings scored 0–10 and summed (worst, least and average pain in the "
            "last week, and pain now), as in the Brief Pain Inventory severity items"
        ),
        threshold_source=(
            "two points per item on average, the change in a 0–10 pain rating that Farrar and "
            "colleagues found patients rate as much improved"
        ),
        citations=("cleeland1994", "farrar2001"),
        assumption=(
            "Scoring, range and threshold are assumed: the abstract does not define the PSQ "
            "and makes no responder claim for it."
        ),
        responder_reported=False,
    ),
)

GLOBAL_CHANGE = GlobalChangeScale(
    key="global_change",
    name="Global perceived change",
    minimum=-3,
    maximum=3,
    improved_from=2,
    labels=(
        (-3, "very much worse"),
        (-2, "much worse"),
        (-1, "a little worse"),
        (0, "no change"),
        (1, "a little improved"),
        (2, "much improved"),
        (3, "very much improved"),
    ),
    source=(
        "a seven-point global rating of change anchored at 'no change'; 'much improved' or "
        "better is the usual cut-off for a meaningful improvement"
    ),
    citations=("kamper2009",),
    assumption=(
        "The seven-point form and the 'improved' cut-off are assumed; the abstract names the "
        "outcome only. It is asked from stage 2 on, relative to the previous stage."
    ),
)

STAGES: tuple[Stage, ...] = (
    Stage(1, "pre-education", "before pain education"),
    Stage(2, "post-education", "after pain education; the analytic baseline"),
    Stage(3, "post-MRI", "after the MRI and its clinically framed explanation"),
)
PRE_EDUCATION_STAGE = 1
BASELINE_STAGE = 2
FOLLOW_UP_STAGE = 3

NON_RESPONSE = NonResponseRule(
    instruments=("piq", "pseq"),
    from_stage=PRE_EDUCATION_STAGE,
    to_stage=BASELINE_STAGE,
)

_BY_KEY = {instrument.key: instrument for instrument in INSTRUMENTS}


def get_instrument(key: str) -> Instrument:
    """Return the registry entry for an instrument key such as ``"piq"``.

    Raises
    ------
    ValueError
        Naming the known keys when ``key`` is not one of them.
    """
    try:
        return _BY_KEY[key]
    except KeyError:
        known = ", ".join(sorted(_BY_KEY))
        raise ValueError(f"instrument must be one of {known}; got {key!r}") from None


_STAGE_BY_NUMBER = {stage.number: stage for stage in STAGES}


def get_stage(number: int) -> Stage:
    """Return the stage with this number (1, 2 or 3).

    Raises
    ------
    ValueError
        Naming the known stage numbers when ``number`` is not one of them.
    """
    try:
        return _STAGE_BY_NUMBER[number]
    except KeyError:
        raise ValueError(f"stage must be one of {sorted(_STAGE_BY_NUMBER)}; got {number!r}") from None
