"""Papers as data: the file format, its errors, its schema, a second paper end to end, and one more printed number."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import jsonschema
import numpy as np
import pytest
import yaml

import cnslbp_lib as cl
from cnslbp_lib.data.instruments import DEFAULT_PAPER, INSTRUMENTS
from cnslbp_lib.data.load import Cohort
from cnslbp_lib.data.paper_file import load_paper_file, paper_schema
from cnslbp_lib.exceptions import PaperFileError
from cnslbp_lib.paper.auditing import audit
from cnslbp_lib.paper.consistency import consistency_checks, paper_results
from cnslbp_lib.paper.ensemble import priors, sample_ensemble
from cnslbp_lib.paper.reported import STUDY, load_paper
from cnslbp_lib.paper.targets import change_targets

from . import papers
from .conftest import ROOT

pytestmark = pytest.mark.slow(seconds=8, reason="draws ensembles of a second paper")

STUDY_TEXT = DEFAULT_PAPER.read_text(encoding="utf-8")


def test_the_books_registries_are_read_from_its_paper_file():
    content = yaml.safe_load(STUDY_TEXT)
    assert [entry.key for entry in INSTRUMENTS] == [entry["key"] for entry in content["instruments"]]
    assert [record.printed for record in STUDY.reported] == [entry["printed"] for entry in content["reported"]]
    assert STUDY.get("piq_mean_change").comparison == (2, 3)
    assert STUDY.n == 14  # "Fourteen", as printed


def test_the_published_schema_is_the_models_and_accepts_the_studys_file():
    committed = json.loads((ROOT / "papers" / "paper.schema.json").read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(paper_schema()))
    # an independent validator agrees with pydantic on the study's file and on a broken one
    jsonschema.validate(yaml.safe_load(STUDY_TEXT), committed)
    broken = yaml.safe_load(STUDY_TEXT)
    broken["instruments"][0]["better"] = "sideways"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, committed)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "paper.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ('printed: "−18.79"', "reported[2].printed: Input should be a valid string; write printed numbers in quotes"),
        ("instrument: piq, from_stage: 2", "instrument 'pqi' is not one of ['piq', 'pseq', 'psq']"),
        ("better: lower", "instruments[0].better: Input should be 'higher' or 'lower'"),
        ('from_stage: 2, to_stage: 3, printed: "−18.79"', "stage 7 is not one of [1, 2, 3]"),
    ],
)
def test_a_broken_paper_file_names_the_file_the_key_path_and_the_rule(tmp_path, change, message):
    replacement = {
        'printed: "−18.79"': "printed: -18.79",
        "instrument: piq, from_stage: 2": "instrument: pqi, from_stage: 2",
        "better: lower": "better: sideways",
        'from_stage: 2, to_stage: 3, printed: "−18.79"': 'from_stage: 2, to_stage: 7, printed: "−18.79"',
    }[change]
    path = _write(tmp_path, STUDY_TEXT.replace(change, replacement, 1))
    with pytest.raises(PaperFileError) as raised:
        load_paper_file(path)
    assert str(raised.value).startswith(f"{path}: ") and message in str(raised.value)


def test_a_paper_file_that_is_not_yaml_is_located_by_line_and_column(tmp_path):
    path = _write(tmp_path, STUDY_TEXT.replace("schema: 1", "schema: [1", 1))
    with pytest.raises(PaperFileError, match=r"paper\.yaml, line \d+, column \d+: not valid YAML"):
        load_paper_file(path)


def test_the_command_line_reports_a_broken_paper_in_one_line_per_problem(tmp_path, capsys):
    path = _write(tmp_path, STUDY_TEXT.replace("minimum: 0\n    maximum: 70", "minimum: 70\n    maximum: 0", 1))
    from cnslbp_lib.cli import main

    assert main(["check", str(path)]) == 1
    error = capsys.readouterr().err
    assert "paper.yaml: instruments[0]: maximum (0) must be greater than minimum (70)" in error
    assert "Traceback" not in error


def _strings(path: Path) -> list[tuple[int, str]]:
    """Every string constant of a module that is not a docstring, with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_no_study_fact_is_written_in_the_data_stats_or_paper_code():
    content = yaml.safe_load(STUDY_TEXT)
    facts = {entry["key"] for entry in content["instruments"]}
    facts |= {entry["abbreviation"] for entry in content["instruments"]}
    facts |= {entry["printed"] for entry in content["reported"]}
    found = []
    for layer in ("data", "stats", "paper"):
        for path in sorted((ROOT / "cnslbp_lib" / layer).glob("*.py")):
            found += [(path.name, line, text) for line, text in _strings(path) if text in facts]
    assert found == []


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    data = papers.dataset()
    paper = load_paper(papers.write_paper(tmp_path_factory.mktemp("paper"), data))
    return paper, data


def test_a_second_paper_with_four_stages_and_other_instruments_is_read(synthetic):
    paper, _ = synthetic
    assert paper.n == papers.N and paper.analysis == (papers.BASELINE, papers.FOLLOW_UP)
    assert [entry.key for entry in paper.design.instruments] == list(papers.INSTRUMENTS)
    assert paper.associations == () and paper.design.non_response is None
    assert paper.comparisons("odi") == ((1, 3), (1, 4))
    # stages 2 and 4 are constrained by nothing printed: the priors say so
    said = [prior.quantity for prior in priors(paper)]
    assert "Stage 2 score (each outcome, each participant)" in said and "Stage 4 score" in said[-1]


def test_a_second_papers_numbers_all_fit_and_its_audit_reproduces_them(synthetic):
    paper, data = synthetic
    checks = consistency_checks(paper)
    assert not checks.empty and set(checks["verdict"]) <= {"consistent", "derived"}
    assert [found.result.id for found in paper_results(paper)] == ["odi", "odi_14", "hsq"]
    table = audit(Cohort.from_frame(data, "synthetic"), paper)
    assert table["verdict"].eq("agrees").all(), table.loc[~table["agrees"], ["key", "reported", "recomputed_printed"]]


def test_a_second_papers_targets_hold_its_true_totals_and_its_ensemble_reproduces_its_targets(synthetic):
    paper, data = synthetic
    targets = {target.instrument: target for target in change_targets(paper)}
    for key in papers.INSTRUMENTS:
        before = data.loc[data["stage"] == papers.BASELINE, key].to_numpy()
        after = data.loc[data["stage"] == papers.FOLLOW_UP, key].to_numpy()
        assert targets[key].total == int((after - before).sum())
        assert int(((after - before) ** 2).sum()) in targets[key].sums_of_squares
    ensemble = sample_ensemble(6, seed=3, paper=paper)
    assert ensemble.scores.shape == (6, papers.N, 4, 2)
    frame = ensemble.frame()
    for member in range(ensemble.members):
        rows = frame[frame["member"] == member].drop(columns="member")
        table = audit(Cohort.from_frame(rows, f"member {member}"), paper).set_index("key")
        fixed = [key for target in targets.values() for key in target.targets]
        assert table.loc[fixed, "agrees"].all(), member
        # the stage 1 → 4 change is printed but constrains nothing: the drawn datasets need not reproduce it
    assert np.ptp(ensemble.changes("odi", 1, 4).sum(axis=1)) > 0


def test_one_more_printed_number_is_one_entry_in_the_paper_file(tmp_path, cohort):
    # the authors publish the PSQ change from stage 1 to 2 with its CI: one entry, nothing else
    paper = load_paper(papers.study_with_one_more_number(tmp_path))
    # audited against the cohort's own stage 1 → 2 change, not the stage 2 → 3 one
    table = audit(cohort, paper).set_index("key")
    one_two = cl.paired_change(cohort.data, "psq", from_stage=1, to_stage=2)
    assert table.loc["psq_12_mean_change", "recomputed"] == pytest.approx(one_two.mean_change)
    assert table.loc["psq_12_ci_low", "recomputed"] == pytest.approx(one_two.ci_low)
    assert table.loc["psq_mean_change", "recomputed"] == pytest.approx(cl.paired_change(cohort.data, "psq").mean_change)
    # checked with the stage 1 → 2 numbers: its own engine row, and no false conflict with the stage 2 → 3 mean
    rows = {found.result.id: found for found in paper_results(paper)}
    assert rows["psq_12"].result.mean_change == "+0.64" and rows["psq"].result.ci_low is None
    checks = consistency_checks(paper)
    assert "psq_12_mean_change" in set(checks["subject"]) and (checks["verdict"] != "inconsistent").sum() > 0
    assert set(checks.loc[checks["verdict"] == "inconsistent", "subject"]) == {"piq_responders", "pseq_p_val"}
    # the targets and the ensemble are those of the analysed comparison, unchanged
    assert change_targets(paper) == change_targets(STUDY)


# The whole book built with one more printed number, its audit row checked against scipy on the cohort's
# stage 1 → 2 changes: test_site_own_data.py.
