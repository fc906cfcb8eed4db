"""A study described in one declarative file: its citation, design, instruments and every printed number.

The book re-creates one single-group repeated-measures study, and the library
checks any other such study, from a YAML file that says everything the code
needs to know about it. Nothing about a study is written in the library's
code: instrument keys, scales, thresholds, stages, n, the printed numbers and
the association claim are all read from its paper file (``papers/`` holds the
book's own study and the examples).

The file is validated by pydantic against :class:`PaperFile`, whose JSON
Schema is published as ``papers/paper.schema.json`` (``cnslbp schema --paper``
writes it). A file that breaks a rule raises
:class:`~cnslbp_lib.exceptions.PaperFileError` naming the file, the key path
(``reported[3].printed``) and the rule, with every problem at once.

Printed numbers are strings, exactly as printed (``"−18.79"``, ``"+17.93"``,
``"0.003"``, ``"Fourteen"``), so their digits, signs and precision survive;
a number written without quotes is refused with a message saying to quote it.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError, field_validator, model_validator

from ..exceptions import PaperFileError
from .yaml_file import parse_yaml, read_text

__all__ = [
    "Band",
    "Citation",
    "Comparison",
    "Design",
    "EnsembleSettings",
    "GlobalRating",
    "InclusionRule",
    "InstrumentSpec",
    "PaperFile",
    "ReportedSpec",
    "StageSpec",
    "Threshold",
    "load_paper_file",
    "paper_schema",
]

Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", description="a lower-case identifier (letters, digits, _)")]
Quantity = Literal[
    "participants",
    "missing",
    "mean",
    "sd",
    "mean_change",
    "change_sd",
    "ci_low",
    "ci_high",
    "p_val",
    "t",
    "df",
    "dz",
    "effect_size",
    "responder_pct",
    "responder_k",
    "association",
]
Style = Literal["word", "phrase", "signed", "plus", "magnitude", "p", "percent", "direction", "count"]
# quantities that describe a change between two stages, and those that describe one stage
CHANGE_QUANTITIES = frozenset(
    {"mean_change", "change_sd", "ci_low", "ci_high", "p_val", "t", "df", "dz", "effect_size", "responder_pct",
     "responder_k"}
)  # fmt: skip
STAGE_QUANTITIES = frozenset({"mean", "sd"})
WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty",
)  # fmt: skip
# a sign may be the true minus, a hyphen or an en dash (as many journals typeset a minus)
_NUMBER = re.compile(r"^[+\u2212\u2013-]?(\d+(\.\d*)?|\.\d+)%?$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(_Strict):
    """Where the study is published, as far as the source used tells."""

    title: str
    authors: list[str] | None = Field(default=None, description="null when the source does not name them")
    year: int | None = None
    journal: str | None = None
    doi: str | None = None
    url: str | None = None
    source: str = Field(description="what the numbers were transcribed from: the abstract, a table, the full text")
    not_given: str = Field(default="", description="which bibliographic facts the source does not give, in words")


class StageSpec(_Strict):
    """One measurement occasion, in the order the study measured them."""

    number: int = Field(ge=1)
    name: str
    description: str


class Comparison(_Strict):
    """A change between two stages, with how many people it counts."""

    from_stage: int
    to_stage: int
    analysed: int | None = Field(default=None, ge=1, description="participants in the analysis, when printed")
    enrolled: int | None = Field(default=None, ge=1, description="participants who started, when printed")


class InclusionRule(_Strict):
    """Who entered: nobody whose score on any of ``instruments`` improved by its threshold between two stages."""

    instruments: list[Key] = Field(min_length=1)
    from_stage: int
    to_stage: int
    assumption: str = Field(default="", description="what the file assumes about the rule the source states")


class Design(_Strict):
    """The study's shape: its stages, the comparison every analysis is about, who entered."""

    kind: Literal["single-group repeated measures"]
    stages: list[StageSpec] = Field(min_length=2)
    analysis: Comparison = Field(description="the comparison the study's results are about (baseline to follow-up)")
    inclusion: InclusionRule | None = None


class Threshold(_Strict):
    """The smallest change, in points and in the direction of improvement, that counts as clinically important."""

    points: Annotated[float, Field(gt=0)]
    source: str
    citations: list[str] = []
    assumed: bool = Field(default=True, description="true when the study does not state it and the file assumes it")


class Band(_Strict):
    """A published severity band of an instrument's score."""

    name: str
    low: int
    high: int


class InstrumentSpec(_Strict):
    """One questionnaire total as it appears in a cohort file."""

    key: Key
    abbreviation: str
    name: str
    measures: str = Field(description="what it measures, in words (pain interference)")
    role: Literal["primary", "secondary"]
    minimum: int
    maximum: int
    items: int = Field(default=1, ge=1, description="the score is the mean of this many whole-point items (1: a total)")
    score_step: str | None = Field(
        default=None,
        description="the smallest difference between two people's scores, in points, when it is not 1/items: "
        '"5" for a 0-100 scale scored in steps of 5, "25" for one in quarters of 100, "1/3"',
    )
    better: Literal["higher", "lower"]
    threshold: Threshold
    structure: str = ""
    assumption: str = ""
    citations: list[str] = []
    bands: list[Band] = []
    bands_source: str = ""

    @model_validator(mode="after")
    def _scale(self) -> InstrumentSpec:
        if self.maximum <= self.minimum:
            raise ValueError(f"maximum ({self.maximum}) must be greater than minimum ({self.minimum})")
        for band in self.bands:
            if not self.minimum <= band.low <= band.high <= self.maximum:
                raise ValueError(f"band {band.name!r} ({band.low} to {band.high}) must lie inside the scale")
        if self.score_step is not None:
            if self.items != 1:
                raise ValueError("give items (a mean of k items) or score_step, not both")
            try:
                step = Fraction(self.score_step.strip())
            except (ValueError, ZeroDivisionError):
                raise ValueError(f"score_step {self.score_step!r} must be a number such as 5, 0.5 or 1/3") from None
            if step <= 0 or (self.maximum - self.minimum) % step != 0:
                raise ValueError(
                    f"score_step {self.score_step} must be positive and divide the scale's range "
                    f"({self.minimum} to {self.maximum})"
                )
        return self

    @property
    def step(self) -> Fraction:
        """The smallest difference between two scores (1 for a total, 1/k for a mean of k items, or as given)."""
        return Fraction(self.score_step.strip()) if self.score_step is not None else Fraction(1, self.items)


class GlobalRating(_Strict):
    """A global rating of change: its points and labels, and from which rating on it counts as improved."""

    key: Key
    name: str
    minimum: int
    maximum: int
    improved_from: int
    labels: list[tuple[int, str]]
    source: str
    citations: list[str] = []
    assumption: str = ""
    stages: list[int] = Field(description="the stages at which the rating is asked")


class ReportedSpec(_Strict):
    """One number as the source prints it, and what it is."""

    key: Key
    label: str
    quantity: Quantity
    printed: StrictStr = Field(description="exactly as printed, in quotes: true minus sign, plus sign, words")
    instrument: Key | None = None
    stage: int | None = Field(default=None, description="for a mean or SD at one stage")
    from_stage: int | None = Field(default=None, description="for a change: the earlier stage")
    to_stage: int | None = Field(default=None, description="for a change: the later stage")
    pair: tuple[Key, Key] | None = Field(default=None, description="for an association: (x, y), the two changes")
    style: Style | None = Field(default=None, description="how it is printed; inferred from the text when absent")
    level: float | None = Field(default=None, gt=0, lt=1, description="a CI's level (0.95 when absent)")
    label_printed: str | None = Field(default=None, description="an effect size's printed name (d, dz, g, SRM…)")
    wording: str | None = Field(default=None, description="an association's sentence, quoted from the source")
    direction: Literal["negative", "positive"] | None = Field(
        default=None, description="for an association: the sign of r(change in x, change in y) this file reads"
    )
    difference: Literal["later minus earlier", "earlier minus later"] | None = Field(
        default=None,
        description="for a mean change, its CI limits or t: which way the source subtracts "
        "(later minus earlier when absent; a table of 'baseline − post' differences is earlier minus later)",
    )

    @field_validator("printed")
    @classmethod
    def _printed(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("printed must not be empty")
        return text

    @model_validator(mode="after")
    def _fields_for_quantity(self) -> ReportedSpec:
        q = self.quantity
        if q in CHANGE_QUANTITIES and (self.instrument is None or self.from_stage is None or self.to_stage is None):
            raise ValueError(f"a {q} needs instrument, from_stage and to_stage")
        if q in STAGE_QUANTITIES and (self.instrument is None or self.stage is None):
            raise ValueError(f"a {q} needs instrument and stage")
        if q == "association" and (self.pair is None or self.from_stage is None or self.to_stage is None):
            raise ValueError("an association needs pair, from_stage and to_stage")
        if q == "association" and self.direction is None:
            raise ValueError("an association needs direction: the sign this file reads the wording to claim")
        if self.difference is not None and q not in ("mean_change", "ci_low", "ci_high", "t"):
            raise ValueError(f"difference applies to a mean_change, ci_low, ci_high or t, not to a {q}")
        if q == "effect_size" and not self.label_printed:
            raise ValueError("an effect_size needs label_printed, the name the source gives it (d, dz, g…)")
        if self.style in (None, "signed", "plus", "magnitude", "p", "percent", "count") and q not in (
            "participants",
            "missing",
            "association",
        ):
            cleaned = self.printed.strip().lstrip("<>≤≥= ")
            if not _NUMBER.match(cleaned):
                raise ValueError(f"printed {self.printed!r} is not a number as printed (digits, one point, a sign)")
        return self

    @property
    def decimals(self) -> int | None:
        """Digits after the point in the printed text (None for words)."""
        text = self.printed.strip().rstrip("%")
        if not _NUMBER.match(text.lstrip("<>≤≥= ")):
            return None
        return len(text.split(".")[1]) if "." in text else 0

    @property
    def inferred_style(self) -> Style:  # noqa: PLR0911 (one return per kind of quantity)
        """The style given, or the one the quantity and text imply."""
        if self.style is not None:
            return self.style
        text = self.printed.strip()
        match self.quantity:
            case "participants":
                return "word" if text.lower() in WORDS else "count"
            case "missing":
                return "phrase"
            case "association":
                return "direction"
            case "p_val":
                return "p"
            case "responder_pct":
                return "percent"
            case "df" | "responder_k":
                return "count"
            case "dz" | "effect_size" if not text.startswith(("+", "-", "\u2212")):
                return "magnitude"
            case _:
                return "plus" if text.startswith("+") else "signed"


class EnsembleSettings(_Strict):
    """How the datasets the printed numbers allow are drawn, where a paper needs other than the defaults."""

    seed: int | None = Field(default=None, ge=0, description="the random seed (the library's default when absent)")
    members: int | None = Field(default=None, ge=1, description="how many datasets to draw")


class PaperFile(_Strict):
    """A single-group repeated-measures study: everything the library needs to know about it."""

    schema_version: Literal[1] = Field(alias="schema", description="the version of this file format")
    citation: Citation
    design: Design
    instruments: list[InstrumentSpec] = Field(min_length=1)
    global_rating: GlobalRating | None = None
    reported: list[ReportedSpec]
    ensemble: EnsembleSettings | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _references(self) -> PaperFile:  # noqa: PLR0912 (one rule a branch, each with its own message)
        stages = [stage.number for stage in self.design.stages]
        if stages != sorted(stages) or len(set(stages)) != len(stages):
            raise ValueError(f"design.stages must be numbered in increasing order without repeats; got {stages}")
        keys = [entry.key for entry in self.instruments]
        if len(set(keys)) != len(keys):
            raise ValueError(f"instrument keys must be unique; got {keys}")
        analysis = self.design.analysis
        for name, stage in (("from_stage", analysis.from_stage), ("to_stage", analysis.to_stage)):
            if stage not in stages:
                raise ValueError(f"design.analysis.{name} {stage} is not one of the stages {stages}")
        if analysis.from_stage >= analysis.to_stage:
            raise ValueError("design.analysis must go from an earlier stage to a later one")
        rule = self.design.inclusion
        if rule is not None:
            unknown = [key for key in rule.instruments if key not in keys]
            if unknown:
                raise ValueError(f"design.inclusion.instruments names unknown instruments {unknown}; known: {keys}")
            if rule.from_stage not in stages or rule.to_stage not in stages:
                raise ValueError(f"design.inclusion stages must be among {stages}")
        if self.global_rating is not None and any(stage not in stages for stage in self.global_rating.stages):
            raise ValueError(f"global_rating.stages must be among {stages}")
        seen: set[str] = set()
        for position, record in enumerate(self.reported):
            where = f"reported[{position}] ({record.key})"
            if record.key in seen:
                raise ValueError(f"{where}: key {record.key!r} is used twice")
            seen.add(record.key)
            named = [record.instrument] if record.instrument else []
            named += list(record.pair or ())
            for key in named:
                if key not in keys:
                    raise ValueError(f"{where}: instrument {key!r} is not one of {keys}")
            for named_stage in (record.stage, record.from_stage, record.to_stage):
                if named_stage is not None and named_stage not in stages:
                    raise ValueError(f"{where}: stage {named_stage} is not one of {stages}")
            if record.from_stage is not None and record.to_stage is not None and record.from_stage >= record.to_stage:
                raise ValueError(f"{where}: from_stage must come before to_stage")
        return self


def _location(error: dict[str, Any]) -> str:
    parts: list[str] = []
    for part in error.get("loc", ()):
        if isinstance(part, int):
            parts[-1:] = [f"{parts[-1]}[{part}]"] if parts else [f"[{part}]"]
        else:
            parts.append(str(part))
    return ".".join(parts) or "(the whole file)"


def _rule(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    if error.get("type") == "string_type" and isinstance(error.get("input"), int | float):
        return f'{message}; write printed numbers in quotes, as printed ("{error["input"]}"), so their digits survive'
    return message


def load_paper_file(path: str | Path) -> PaperFile:
    """Read and validate a paper file.

    Raises
    ------
    PaperFileError
        Naming the file, each key path and its rule (every problem at once), or
        the line and column of a YAML syntax error; never a traceback.
    """
    source = Path(path)
    content = parse_yaml(read_text(source, PaperFileError), source, PaperFileError)
    if not isinstance(content, dict):
        raise PaperFileError(f"{source}: a paper file is a mapping of keys (schema, citation, design, …)")
    try:
        return PaperFile.model_validate(content)
    except ValidationError as error:
        lines = [f"{source}: {_location(item)}: {_rule(item)}" for item in error.errors()]  # type: ignore[arg-type]
        raise PaperFileError("\n".join(lines)) from None


def paper_schema() -> dict[str, Any]:
    """The JSON Schema of a paper file (what ``papers/paper.schema.json`` holds)."""
    schema = PaperFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "cnslbp paper file"
    return schema
