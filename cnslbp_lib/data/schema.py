"""The cohort file's machine-readable schema, built from the instrument registry.

The schema is a Frictionless Table Schema (https://specs.frictionlessdata.io/table-schema/)
with a few descriptive extra properties. ``data/cohort.schema.json`` is this
dictionary written to disk (``cnslbp schema --out``); a test keeps the two equal,
and the loader validates files against the same dictionary.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .instruments import GLOBAL_CHANGE, INSTRUMENTS, PRE_EDUCATION_STAGE, STAGES

__all__ = [
    "KEY_COLUMNS",
    "PARTICIPANT_NAMES",
    "RECONSTRUCTION_NOTICE",
    "WHOLE_NUMBER_RULE",
    "cohort_table_schema",
    "columns_markdown",
    "data_dictionary",
    "schema_json",
    "write_schema",
]

# each record is one participant at one stage
KEY_COLUMNS = ("participant", "stage")

PARTICIPANT_NAMES = (
    KEY_COLUMNS[0],
    "participant_id",
    "id",
    "record_id",
    "subject",
    "subject_id",
    "patient",
    "patient_id",
)
"""Header names read as the participant id (in any case), in every layout."""

RECONSTRUCTION_NOTICE = (
    "The rows in data/cohort.csv are a reconstruction, not patient data: integer scores "
    "for 14 invented participants, one of the many datasets that reproduce the summary "
    "statistics printed in the study's abstract. No row describes a real person."
)


WHOLE_NUMBER_RULE = (
    "must be a whole number written with the digits 0-9 and an optional leading + or -, "
    "with nothing but zeros after a decimal point if it has one "
    "(7, +7 and 7.00 are 7; 7.5, 7., 7e0 and 1,000 are not numbers this column can hold); "
    "spaces and tabs around it are ignored"
)
"""What a cell of an integer column (``stage``, every score, ``global_change``) may hold.

The lexical form of an XML Schema ``integer``, which Table Schema's ``integer``
type follows (ASCII digits with an optional sign; whitespace around the value
collapses), widened to the form in which spreadsheets and statistics packages
write a whole number held in a decimal column: ``40.0``, ``40.00``. Such cells
are read as the whole number and counted (``FileReading.decimal_cells``). A cell
that is empty or holds only spaces and tabs is blank.
"""


def _score_field(instrument: Any) -> dict[str, Any]:
    return {
        "name": instrument.key,
        "title": f"{instrument.abbreviation} total",
        "type": "integer",
        "description": (
            f"{instrument.name} ({instrument.construct}): {instrument.structure}. "
            f"Integer total {instrument.scale}, "
            f"{instrument.direction}. Blank = not recorded (reported as incomplete)."
        ),
        "constraints": {"minimum": instrument.minimum, "maximum": instrument.maximum},
        "direction": instrument.direction,
        "clinicallyImportantChange": instrument.improvement_rule,
        "thresholdSource": instrument.threshold_source,
        "citations": list(instrument.citations),
        "assumption": instrument.assumption,
    }


def cohort_table_schema() -> dict[str, Any]:
    """Return the cohort file's Table Schema as a dictionary.

    Returns
    -------
    dict
        ``fields`` in file order; ``primaryKey`` is participant × stage;
        ``optionalFields`` lists columns a file may omit; ``blankAtStage`` on
        a field gives the stage at which it must be empty.
    """
    stage_names = {str(stage.number): f"{stage.name}: {stage.description}" for stage in STAGES}
    labels = {str(value): label for value, label in GLOBAL_CHANGE.labels}
    return {
        "title": "Cohort file: one row per participant per stage",
        "description": RECONSTRUCTION_NOTICE,
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "header": True},
        "fields": [
            {
                "name": "participant",
                "title": "Participant id",
                "type": "string",
                "description": (
                    "Text id of the participant, the same on each of their rows. It never "
                    "appears in the built book, which shows stable labels P01, P02, … instead."
                ),
                "constraints": {"required": True, "minLength": 1},
            },
            {
                "name": "stage",
                "title": "Stage",
                "type": "integer",
                "description": "Measurement occasion: "
                + "; ".join(f"{number} = {name}" for number, name in stage_names.items()),
                "constraints": {"required": True, "enum": [stage.number for stage in STAGES]},
                "stages": stage_names,
            },
            *(_score_field(instrument) for instrument in INSTRUMENTS),
            {
                "name": GLOBAL_CHANGE.key,
                "title": GLOBAL_CHANGE.name,
                "type": "integer",
                "description": (
                    f"{GLOBAL_CHANGE.name} since the previous stage, "
                    f"\u2212{abs(GLOBAL_CHANGE.minimum)} to +{GLOBAL_CHANGE.maximum}: {GLOBAL_CHANGE.source}. "
                    f"Empty at stage {PRE_EDUCATION_STAGE}, where nothing is compared yet. "
                    "The whole column may be left out if it was not collected."
                ),
                "constraints": {"minimum": GLOBAL_CHANGE.minimum, "maximum": GLOBAL_CHANGE.maximum},
                "labels": labels,
                "improved": GLOBAL_CHANGE.improved_rule,
                "blankAtStage": PRE_EDUCATION_STAGE,
                "citations": list(GLOBAL_CHANGE.citations),
                "assumption": GLOBAL_CHANGE.assumption,
            },
        ],
        "primaryKey": list(KEY_COLUMNS),
        "optionalFields": [GLOBAL_CHANGE.key],
        "missingValues": [""],
    }


def schema_json() -> str:
    """The schema as the text of ``data/cohort.schema.json`` (stable key order)."""
    return json.dumps(cohort_table_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema(path: str | Path) -> None:
    """Write :func:`schema_json` to ``path``."""
    Path(path).write_text(schema_json(), encoding="utf-8")


def _allowed(field: dict[str, Any]) -> str:
    constraints = field.get("constraints", {})
    if "enum" in constraints:
        return ", ".join(str(value) for value in constraints["enum"])
    if "minimum" in constraints:
        return f"{constraints['minimum']} to {constraints['maximum']}".replace("-", "\u2212")
    return "any non-blank text"


def _column_rows(schema: dict[str, Any]) -> list[str]:
    rows = []
    for field in schema["fields"]:
        direction = field.get("direction", "")
        description = field["description"].replace("|", "/")
        rows.append(f"| `{field['name']}` | {field['type']} | {_allowed(field)} | {direction} | {description} |")
    return rows


def _brief_meaning(field: dict[str, Any]) -> str:
    """A column's meaning in a line: the stages by name, a score's instrument and direction, what may be blank."""
    name = field["name"]
    if name == KEY_COLUMNS[0]:
        return "the same on each of a participant's rows; the book shows P01, P02, … instead"
    if name == KEY_COLUMNS[1]:
        return "; ".join(f"{stage.number} = {stage.name}" for stage in STAGES)
    if name == GLOBAL_CHANGE.key:
        return f"{GLOBAL_CHANGE.name} since the previous stage; blank at stage {PRE_EDUCATION_STAGE}; optional column"
    return f"{field['title']}, {field['direction']}; blank = not recorded"


def columns_markdown() -> str:
    """The columns as a short Markdown table: name, allowed values and meaning in a line (the book's appendix).

    Every rule in full, and each column's full description, is in the data dictionary (:func:`data_dictionary`).

    Examples
    --------
    >>> print(columns_markdown().splitlines()[3])
    | `stage` | 1, 2, 3 | 1 = pre-education; 2 = post-education; 3 = post-MRI |
    """
    header = ["| column | allowed values | meaning |", "|---|---|---|"]
    rows = [
        f"| `{field['name']}` | {_allowed(field)} | {_brief_meaning(field)} |"
        for field in cohort_table_schema()["fields"]
    ]
    return "\n".join(header + rows) + "\n"


def _other_files() -> list[str]:
    """The data dictionary's section on the other formats and layouts the loader reads."""
    first, second = STAGES[0], STAGES[1]
    key = INSTRUMENTS[0].key
    names = ", ".join(f"`{name}`" for name in PARTICIPANT_NAMES)
    return [
        "## Other formats and layouts",
        "",
        "`cnslbp validate`, `build --data`, `audit` and `convert` read the same data kept in other ways;",
        "the format is told from the file's content, the layout from its header, and `cnslbp validate` says",
        "which it found and which column holds what. The rules above hold for every cell.",
        "",
        "- Excel workbooks (`.xlsx`): the first sheet, or `--sheet NAME`; the first row that is not empty is",
        "  the header. SPSS (`.sav`) and Stata (`.dta`) files: value labels are set aside and the codes read;",
        "  SPSS user-defined missing values are blank. A number stored as a number is read exactly (a stored",
        "  `40.0` is 40, and is not counted as a decimal).",
        "- Wide files, one row per participant: the participant id (any of",
        f"  {names})",
        "  and one column per measure and stage, the stage after the measure by its number or its name",
        f"  (`{key}_{first.number}`, `{key}_t{first.number}`, `{key}_{first.name}`; a start that fits one stage only,",
        f"  such as `{first.name[:3]}`, is enough). A stage with no value in a row is no row for that stage.",
        "- REDCap exports: `record_id` and `redcap_event_name`, each event naming a stage in the same way",
        f"  (`stage_{second.number}_arm_1`). REDCap's own columns (`redcap_repeat_*`, `redcap_data_access_group`,",
        "  `*_complete`) are set aside, and rows of repeating instruments refused.",
        "",
        "`cnslbp convert FILE --out cohort.csv` writes any of them as the long file described here.",
        "",
    ]


def data_dictionary() -> str:
    """The human-readable data dictionary (``data/README.md``), written from the schema."""
    schema = cohort_table_schema()
    optional = set(schema["optionalFields"])
    lines = [
        "# Data dictionary: `cohort.csv`",
        "",
        f"> **Reconstruction, not patient data.** {schema['description']}",
        "",
        "This file is generated from the instrument registry (`cnslbp dictionary --out data/README.md`);",
        "`cohort.schema.json` beside it is the machine-readable form the loader validates against.",
        "",
        "## Format",
        "",
        "- UTF-8 text; a byte-order mark and CRLF line ends (what spreadsheet programs write) are accepted.",
        "- Comma-separated, with a header row; columns may come in any order.",
        "- One row per participant per stage; a participant × stage pair appears at most once.",
        "- Numbers (`stage`, the scores and `global_change`) are whole numbers written with the digits 0-9",
        "  and an optional leading `+` or `-`. A whole number written as a decimal, with nothing but zeros",
        "  after the point (`40.0`, `40.00`, `+40.0`, as pandas, SPSS and Stata write a column with a blank),",
        "  is read as that whole number, and `cnslbp validate` says how many cells were. Anything else is",
        "  refused: `40.5`, `7.` (nothing after the point), an exponent (`1e3`), a thousands separator,",
        "  digits of other scripts, words such as `nan` or `inf`. Spaces and tabs around a number are",
        "  ignored; a cell of nothing but spaces and tabs is blank.",
        "- Participant ids are free text, used exactly as written, and must not be blank; a value",
        '  holding a comma, a quote or a line break is quoted as spreadsheets do (`"Smith, J"`).',
        "- A blank score is allowed and reported as an incomplete record; so is a missing stage row.",
        "  Each analysis states its n and names whom it excluded. Nothing is dropped silently.",
        f"- Optional columns: {', '.join(f'`{name}`' for name in sorted(optional))}"
        " (may be left out if not collected).",
        "",
        *_other_files(),
        "## Columns",
        "",
        "| column | type | allowed values | direction | meaning |",
        "|---|---|---|---|---|",
    ]
    lines += _column_rows(schema)
    lines += ["", "## Thresholds and their sources (assumptions of this reconstruction)", ""]
    for field in schema["fields"]:
        if "assumption" not in field:
            continue
        rule = field.get("clinicallyImportantChange") or field.get("improved")
        source = field.get("thresholdSource", "")
        citations = ", ".join(field["citations"])
        basis = f" Basis: {source}." if source else ""
        lines.append(
            f"- **`{field['name']}`**: important change = {rule}.{basis} Sources: {citations}. "
            f"Assumption: {field['assumption']}"
        )
    lines += [
        "",
        "Citation keys refer to `book/references.bib`.",
        "",
        "## Check a file",
        "",
        "```",
        "cnslbp validate path/to/cohort.csv",
        "```",
        "",
        "Every problem is listed at once with its file, line, column, value and rule; the exit code is 1.",
        "",
    ]
    return "\n".join(lines)
