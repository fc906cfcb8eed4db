import json

from cnslbp_lib.data.instruments import INSTRUMENTS, get_instrument
from cnslbp_lib.data.schema import cohort_table_schema, columns_markdown, data_dictionary, schema_json

from .conftest import ROOT


def test_committed_schema_file_is_the_schema_the_loader_uses():
    committed = (ROOT / "data" / "cohort.schema.json").read_text(encoding="utf-8")
    assert committed == schema_json(), "regenerate with: cnslbp schema --out data/cohort.schema.json"


def test_schema_ranges_come_from_the_instrument_registry():
    fields = {field["name"]: field for field in cohort_table_schema()["fields"]}
    for instrument in INSTRUMENTS:
        constraints = fields[instrument.key]["constraints"]
        assert (constraints["minimum"], constraints["maximum"]) == (instrument.minimum, instrument.maximum)
        assert fields[instrument.key]["direction"] == instrument.direction


def test_schema_is_valid_json_with_the_reconstruction_notice():
    schema = json.loads(schema_json())
    assert schema["primaryKey"] == ["participant", "stage"]
    assert "not patient data" in schema["description"]
    assert [field["name"] for field in schema["fields"]] == [
        "participant",
        "stage",
        "piq",
        "pseq",
        "psq",
        "global_change",
    ]


def test_committed_data_dictionary_is_generated_from_the_registry():
    committed = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert committed == data_dictionary(), "regenerate with: cnslbp dictionary --out data/README.md"
    assert "Reconstruction, not patient data" in committed
    assert "| `piq` | integer | 0 to 70 | higher = worse |" in committed


def test_the_appendix_columns_table_lists_every_schema_column_with_its_allowed_values():
    schema = cohort_table_schema()
    rows = [line.split(" | ") for line in columns_markdown().splitlines()[2:]]
    assert [row[0].strip("| `") for row in rows] == [field["name"] for field in schema["fields"]]
    piq = next(row for row in rows if row[0] == "| `piq`")
    # the range and direction come from the registry, not typed here
    assert piq[1] == f"{get_instrument('piq').minimum} to {get_instrument('piq').maximum}"
    assert get_instrument("piq").direction in piq[2]
