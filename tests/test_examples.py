"""Published pre–post studies as paper files: each loads, and the engine flags exactly what papers/examples explains.

The expected flags are the ones ``papers/examples/README.md`` and each file's
header comment explain. Each is also worked out here from the printed numbers
themselves, with interval arithmetic on their rounding and scipy's t
distribution, independently of the package, so a test fails if the engine
stops seeing an inconsistency that is there or starts seeing one that is not.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import jsonschema
import pytest
import yaml
from scipy import stats

from cnslbp_lib.cli import main
from cnslbp_lib.paper.consistency import check_paper, consistency_checks, explanations, paper_results
from cnslbp_lib.paper.reported import load_paper

from .conftest import ROOT

EXAMPLES = ROOT / "papers" / "examples"
SCHEMA = json.loads((ROOT / "papers" / "paper.schema.json").read_text(encoding="utf-8"))

# file -> the records the engine finds inconsistent, and the variants it names for each
FLAGGED: dict[str, dict[str, set[str]]] = {
    "epio-feasibility-pilot.yaml": {"hadsd_p_val": {"rounding_up"}},
    "stressproffen-pilot.yaml": {
        **{
            key: {"effect_size_dz"}
            for key in ("pss_d", "hadsa_d", "hadsd_d", "hadst_d", "pf_d", "rp_d", "re_d", "mh_d")
        },
        # on the finest grid either SF-36 version gives with every item answered (see the file's header)
        "rp_post_mean": {"rounding_up"},
        "rp_mean_change": set(),
        "re_post_sd": {"truncation"},
    },
    "noom-mood-single-arm.yaml": {key: {"effect_size_dz"} for key in ("gad7_d", "pss4_d", "ders_d", "lotr_d")},
}


def rounding(printed: str) -> tuple[float, float]:
    """The values a number printed with d decimals stands for: printed ± half a unit of its last digit."""
    value = float(printed.replace("\u2212", "-").replace("\u2013", "-"))
    half = 0.5 * 10.0 ** -(len(printed.split(".")[1]) if "." in printed else 0)
    return value - half, value + half


def size(printed: str) -> tuple[float, float]:
    """The interval of sizes (absolute values) a printed number stands for."""
    low, high = rounding(printed)
    return (0.0 if low <= 0 <= high else min(abs(low), abs(high))), max(abs(low), abs(high))


def ratio(numerator: tuple[float, float], denominator: tuple[float, float]) -> tuple[float, float]:
    """The interval of numerator / denominator for positive intervals."""
    return numerator[0] / denominator[1], numerator[1] / denominator[0]


def meets(first: tuple[float, float], second: tuple[float, float]) -> bool:
    return first[0] <= second[1] and second[0] <= first[1]


def printed(path: Path) -> dict[str, str]:
    return {record["key"]: record["printed"] for record in yaml.safe_load(path.read_text(encoding="utf-8"))["reported"]}


@pytest.mark.parametrize("name", sorted(FLAGGED))
def test_each_example_is_a_valid_paper_file_under_the_published_schema(name):
    path = EXAMPLES / name
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), SCHEMA)
    paper = load_paper(path)
    assert paper.file.citation.source.startswith("Table")
    assert [found.comparison for found in paper_results(paper)] == [(1, 2)] * len(paper.design.instruments)


@pytest.mark.parametrize("name", sorted(FLAGGED))
def test_each_example_flags_exactly_the_numbers_its_readme_explains(name):
    table = consistency_checks(load_paper(EXAMPLES / name))
    flagged = table.loc[table["verdict"] == "inconsistent"]
    assert set(flagged["subject"]) == set(FLAGGED[name])
    for subject, variants in FLAGGED[name].items():
        (explained,) = flagged.loc[flagged["subject"] == subject, "explained_by"]
        assert variants <= set(explained)


@pytest.mark.parametrize("name", sorted(FLAGGED))
def test_each_examples_engine_rows_flag_exactly_the_numbers_its_readme_explains(name):
    flagged: dict[str, set[str]] = {}
    for found, checked in check_paper(load_paper(EXAMPLES / name)):
        for check in checked.checks:
            if check.verdict == "inconsistent":
                flagged[found.keys[check.subject]] = set(check.explained_by)
    assert set(flagged) == set(FLAGGED[name])
    assert all(FLAGGED[name][key] <= flagged[key] for key in flagged)


@pytest.mark.parametrize("name", sorted(FLAGGED))
def test_the_command_line_checks_each_example_as_json_and_lists_every_instrument(name, capsys):
    path = EXAMPLES / name
    assert main(["check", str(path), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    keys = [entry["key"] for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["instruments"]]
    assert [row["id"] for row in rows] == keys
    inconsistent = {row["id"] for row in rows if row["verdict"] == "inconsistent"}
    instrument_of = {record.key: record.instrument for record in load_paper(path).reported}
    assert inconsistent == {instrument_of[key] for key in FLAGGED[name]}


def test_epio_hads_depression_p_above_99_cannot_hold_with_a_mean_difference_printed_0_1():
    numbers = printed(EXAMPLES / "epio-feasibility-pilot.yaml")
    assert numbers["hadsd_p_val"] == ">.99"
    n, quantile = 45, stats.t.ppf(0.975, 44)
    low, high = rounding(numbers["hadsd_ci_low"]), rounding(numbers["hadsd_ci_high"])
    midpoint = ((low[0] + high[0]) / 2, (low[1] + high[1]) / 2)
    half_width = ((high[0] - low[1]) / 2, (high[1] - low[0]) / 2)
    # the only mean change (in size) that both the printed "0.1" and the CI's midpoint allow
    change = rounding(numbers["hadsd_mean_change"])
    common = (max(change[0], midpoint[0]), min(change[1], midpoint[1]))
    assert common[0] == pytest.approx(common[1]) == pytest.approx(0.05)
    # the largest p it can give: the smallest |t|, with the widest CI
    largest_p = 2 * stats.t.sf(common[0] / (half_width[1] / quantile), n - 1)
    assert 0.85 < largest_p < 0.99
    # a mean change of zero, which the CI alone allows, gives p = 1 and fits ">.99"
    assert 2 * stats.t.sf(0.0, n - 1) == 1.0


@pytest.mark.parametrize("prefix", ["pss", "hadsa", "hadsd", "hadst", "pf", "rp", "re", "mh"])
def test_stressproffen_d_is_the_mean_difference_over_the_sd_of_the_differences(prefix):
    numbers = printed(EXAMPLES / "stressproffen-pilot.yaml")
    mean = size(numbers[f"{prefix}_mean_change"])
    effect = size(numbers[f"{prefix}_d"])
    dz = ratio(mean, size(numbers[f"{prefix}_change_sd"]))
    pre, post = size(numbers[f"{prefix}_pre_sd"]), size(numbers[f"{prefix}_post_sd"])
    d_baseline = ratio(mean, pre)
    d_average = ratio(mean, ((pre[0] + post[0]) / 2, (pre[1] + post[1]) / 2))
    d_pooled = ratio(mean, (math.sqrt((pre[0] ** 2 + post[0] ** 2) / 2), math.sqrt((pre[1] ** 2 + post[1] ** 2) / 2)))
    assert meets(dz, effect)
    assert not any(meets(d, effect) for d in (d_baseline, d_average, d_pooled))


def test_stressproffen_anxiety_p_printed_019_is_set_aside_and_the_row_implies_the_abstracts_019():
    path = EXAMPLES / "stressproffen-pilot.yaml"
    numbers = printed(path)
    assert numbers["hadsa_p_val"] == "019"
    table = consistency_checks(load_paper(path))
    assert not table["keys"].map(lambda keys: "hadsa_p_val" in keys).any()
    (anxiety,) = [checked for found, checked in check_paper(load_paper(path)) if found.instrument == "hads_anxiety"]
    assert "p: '019' is not a probability between 0 and 1; treated as not printed" in anxiety.notes
    assert any("'019' would be .019, which lies within" in note for note in anxiety.notes)
    n = 22
    mean, spread = size(numbers["hadsa_mean_change"]), size(numbers["hadsa_change_sd"])
    p_low = 2 * stats.t.sf(mean[1] / (spread[0] / math.sqrt(n)), n - 1)
    p_high = 2 * stats.t.sf(mean[0] / (spread[1] / math.sqrt(n)), n - 1)
    assert p_low < 0.019 < p_high


@pytest.mark.parametrize(("prefix", "matches_d_av"), [("gad7", False), ("pss4", False), ("phq8", True),
                                                      ("ders", False), ("lotr", False)])  # fmt: skip
def test_noom_mood_cohen_d_matches_an_average_sd_d_only_for_phq8(prefix, matches_d_av):
    numbers = printed(EXAMPLES / "noom-mood-single-arm.yaml")
    mean, effect = size(numbers[f"{prefix}_mean_change"]), size(numbers[f"{prefix}_d"])
    pre, post = size(numbers[f"{prefix}_pre_sd"]), size(numbers[f"{prefix}_post_sd"])
    # the mean change is post − baseline of the printed means, as the table says
    difference = (rounding(numbers[f"{prefix}_post_mean"])[0] - rounding(numbers[f"{prefix}_pre_mean"])[1],
                  rounding(numbers[f"{prefix}_post_mean"])[1] - rounding(numbers[f"{prefix}_pre_mean"])[0])  # fmt: skip
    assert meets(difference, rounding(numbers[f"{prefix}_mean_change"]))
    d_average = ratio(mean, ((pre[0] + post[0]) / 2, (pre[1] + post[1]) / 2))
    d_baseline = ratio(mean, pre)
    assert meets(d_average, effect) is matches_d_av
    assert not meets(d_baseline, effect)


def test_an_effect_size_named_cohens_d_in_any_spelling_is_checked_as_d(tmp_path):
    path = EXAMPLES / "noom-mood-single-arm.yaml"
    as_d = consistency_flags(load_paper(path))
    assert as_d  # the Noom Mood effect sizes are flagged when read as d
    for number, spelling in enumerate(("Cohen's d", "Cohen d", "cohen’s d", "Cohen’s d")):
        text = path.read_text(encoding="utf-8").replace("label_printed: d,", f'label_printed: "{spelling}",')
        assert text.count(f'label_printed: "{spelling}"') == 5
        changed = tmp_path / f"spelling-{number}.yaml"
        changed.write_text(text, encoding="utf-8")
        assert consistency_flags(load_paper(changed)).keys() == as_d.keys()


def consistency_flags(paper) -> dict[str, tuple[str, ...]]:
    table = consistency_checks(paper)
    flagged = table.loc[table["verdict"] == "inconsistent"]
    return dict(zip(flagged["subject"], flagged["explained_by"], strict=True))


def test_dz_explains_every_flagged_effect_size_and_the_paper_wide_summary_says_so():
    for name in ("stressproffen-pilot.yaml", "noom-mood-single-arm.yaml"):
        found = {item.variant: item for item in explanations(load_paper(EXAMPLES / name))}
        assert found["effect_size_dz"].all_agree
        assert set(found["effect_size_dz"].explains) == {key for key in FLAGGED[name] if key.endswith("_d")}


def test_the_implied_ci_of_a_p_printed_below_001_is_said_with_open_ends():
    table = consistency_checks(load_paper(EXAMPLES / "noom-mood-single-arm.yaml")).set_index("check")
    detail = table.loc["CI from p (GAD-7)", "detail"]
    # by scipy, p < .001 on 112 df needs |t| > t(0.9995, 112) = 3.3795; the engine's bound is sound (a little
    # lower, as its intervals are widened outward) and open above
    bound = float(detail.split("t of at least ")[1].split(",")[0])
    assert stats.t.ppf(1 - 0.0005, 112) - 0.01 <= bound <= stats.t.ppf(1 - 0.0005, 112)
    assert "which excludes zero" in detail


def test_stressproffen_role_physical_post_mean_80_2_is_no_mean_of_22_scores_in_steps_of_6_25():
    # by hand: 22 scores in steps of 6.25 have a mean in steps of 6.25/22 = 0.28409
    step = 6.25 / 22
    below, above = math.floor(80.2 / step) * step, math.ceil(80.2 / step) * step
    assert (round(below, 4), round(above, 4)) == (80.1136, 80.3977)
    assert below < 80.15 and above >= 80.25  # neither prints as 80.2
    numbers = printed(EXAMPLES / "stressproffen-pilot.yaml")
    assert numbers["rp_post_mean"] == "80.2"
