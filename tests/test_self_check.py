"""Self-checks: the book's file of questions, where they are placed, their HTML, and bad files stopping a build.

The browser tests (tests/test_browser.py) click through a check with JavaScript on and off.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from sphinx.errors import SphinxWarning
from sphinx.testing.util import SphinxTestApp

from cnslbp_lib.exceptions import SelfCheckFileError
from cnslbp_lib.paper.reported import REPORTED
from cnslbp_lib.publish.build.self_check import NumberCheck, load_self_checks
from cnslbp_lib.publish.build.sitebuild import build_site

from .conftest import COHORT_CSV, ROOT

SELF_CHECKS = ROOT / "book" / "self_checks.yaml"
PLACED = re.compile(r"^```\{self-check\}\s+(\S+)\s*$", re.M)


def raw_checks() -> list[dict]:
    """The file as plain YAML, read without the library's models."""
    return yaml.safe_load(SELF_CHECKS.read_text(encoding="utf-8"))["self_checks"]


def chapter_texts() -> dict[str, str]:
    """Each chapter's Markdown: a page's text, or a notebook's Markdown cells joined."""
    texts = {}
    for path in sorted((ROOT / "book").glob("*.md")):
        texts[path.name] = path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        texts[path.name] = "\n\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    return texts


def all_text(check: dict) -> str:
    return yaml.safe_dump(check, allow_unicode=True, width=10_000)


# --- the book's file -------------------------------------------------------------------------------
def test_the_book_has_at_least_ten_self_checks_each_with_one_right_choice_and_feedback_on_every_choice():
    checks = raw_checks()
    assert len(checks) >= 10
    assert len({check["id"] for check in checks}) == len(checks)
    for check in checks:
        if check["kind"] == "choice":
            assert [choice.get("correct", False) for choice in check["choices"]].count(True) == 1, check["id"]
            assert all(choice["feedback"].strip() for choice in check["choices"]), check["id"]
        else:
            assert all(check["feedback"][verdict].strip() for verdict in ("right", "close", "wrong")), check["id"]
            assert all(mistake["feedback"].strip() for mistake in check.get("mistakes", [])), check["id"]
    assert load_self_checks().keys() == {check["id"] for check in checks}


def test_every_self_check_is_placed_exactly_once_and_every_placed_id_exists():
    placed = Counter(check_id for text in chapter_texts().values() for check_id in PLACED.findall(text))
    ids = {check["id"] for check in raw_checks()}
    assert {check_id for check_id, count in placed.items() if count > 1} == set()
    assert set(placed) - ids == set(), "placed but not in book/self_checks.yaml"
    assert ids - set(placed) == set(), "in book/self_checks.yaml but never placed"


def test_every_self_check_sits_in_its_chapters_exercises_section():
    for name, text in chapter_texts().items():
        for match in PLACED.finditer(text):
            before = text[: match.start()]
            headings = re.findall(r"^## (.+)$", before, re.M)
            assert headings and headings[-1] == "Exercises", f"{name}: {match.group(1)} is outside the Exercises"


def test_a_self_check_that_quotes_a_threshold_says_it_is_assumed():
    for check in raw_checks():
        text = all_text(check)
        if "{threshold}" in text:
            assert "assum" in text, f"{check['id']} quotes a threshold without saying it is an assumption"


def test_no_reported_number_is_typed_into_a_self_check():
    text = SELF_CHECKS.read_text(encoding="utf-8")
    for record in REPORTED:
        if record.decimals:  # words and directions are ordinary English
            assert record.printed not in text, f"book/self_checks.yaml types {record.printed} ({record.key}) by hand"


def test_a_numeric_answer_written_as_arithmetic_on_printed_numbers_is_worked_out():
    # 78.5% of 14 people is 10.99 people, which rounds to 11 (by hand, with decimal arithmetic)
    expected = float((Decimal("78.5") * 14 / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    check = NumberCheck.model_validate(
        {
            "id": "count",
            "kind": "number",
            "question": "How many?",
            "answer": "piq_responders * participants_completed / 100 | 0",
            "tolerance": 0,
            "close": 0.5,
            "feedback": {"right": "Yes.", "close": "Nearly.", "wrong": "No."},
        }
    )
    assert check.answer == expected == 11


# --- bad files -------------------------------------------------------------------------------------
def write_with(tmp_path: Path, change) -> Path:
    content = yaml.safe_load(SELF_CHECKS.read_text(encoding="utf-8"))
    change(content["self_checks"])
    path = tmp_path / "self_checks.yaml"
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return path


def two_right_choices(checks):
    checks[0]["choices"][0]["correct"] = True
    checks[0]["choices"][1]["correct"] = True


def no_feedback(checks):
    del checks[0]["choices"][2]["feedback"]


def blank_feedback(checks):
    checks[0]["choices"][2]["feedback"] = ""


def repeated_id(checks):
    checks[1]["id"] = checks[0]["id"]


def number_with_close_inside_tolerance(checks):
    number = next(check for check in checks if check["kind"] == "number")
    number["id"], number["tolerance"], number["close"] = "count", 2, 1


def mistake_that_is_right(checks):
    number = next(check for check in checks if check["kind"] == "number")
    number["id"], number["mistakes"] = "count", [{"answer": 11, "feedback": "Cut off."}]


def unknown_printed_key(checks):
    number = next(check for check in checks if check["kind"] == "number")
    number["id"], number["answer"] = "count", "piq_responders * participants | 0"


@pytest.mark.parametrize(
    ("change", "where", "rule"),
    [
        (two_right_choices, "self-check 'design-baseline' (self_checks[0])", "exactly one choice must be correct"),
        (no_feedback, "self-check 'design-baseline' (self_checks[0].choices[2].feedback)", "Field required"),
        (blank_feedback, "self-check 'design-baseline' (self_checks[0].choices[2].feedback)", "at least 1 character"),
        (repeated_id, "self_checks", "the id 'design-baseline' is used twice ([0] and [1])"),
        (number_with_close_inside_tolerance, "self-check 'count'", "close (1) must be at least the tolerance (2)"),
        (mistake_that_is_right, "self-check 'count'", "a mistake's answer (11) must not be a right answer"),
        (unknown_printed_key, "self-check 'count' (self_checks[", "].answer): key must be one of"),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_a_broken_rule_is_named_with_the_file_the_check_and_the_rule(tmp_path, change, where, rule):
    path = write_with(tmp_path, change)
    with pytest.raises(SelfCheckFileError) as raised:
        load_self_checks(path)
    [line] = str(raised.value).splitlines()
    assert line.startswith(f"{path}: {where}")
    assert rule in line


def test_a_yaml_syntax_error_is_named_with_its_line_and_column(tmp_path):
    path = tmp_path / "self_checks.yaml"
    path.write_text("self_checks:\n  - id: a\n   kind: choice\n", encoding="utf-8")
    with pytest.raises(SelfCheckFileError, match=r"self_checks\.yaml, line 3, column 4: not valid YAML"):
        load_self_checks(path)


def test_a_broken_self_check_file_stops_the_build_before_anything_is_written(tmp_path):
    root = tmp_path / "book-root"
    (root / "book").mkdir(parents=True)
    write_with(root / "book", two_right_choices)
    out = tmp_path / "site"
    with pytest.raises(SelfCheckFileError, match="exactly one choice must be correct"):
        build_site(COHORT_CSV, out, root=root, quiet=True)
    assert not out.exists()


# --- the directive in a small Sphinx project -------------------------------------------------------
SMALL_FILE = """\
self_checks:
  - id: colour
    kind: choice
    question: Which colour is the sky on a clear day?
    choices:
      - {text: Blue, correct: true, feedback: Scattering favours short wavelengths.}
      - {text: Green, feedback: That is the grass.}
  - id: sum
    kind: number
    question: What is 2 + 2?
    answer: 4
    tolerance: 0
    close: 1
    feedback: {right: Four., close: Off by one., wrong: Count again.}
    mistakes:
      - {answer: 22, feedback: That joins the digits.}
"""


def build_small(tmp_path: Path, checks: str, page: str) -> str:
    """Build one Markdown page with the self-check extension alone; warnings are errors, as in the book's build."""
    source = tmp_path / "source"
    source.mkdir()
    (tmp_path / "checks.yaml").write_text(checks, encoding="utf-8")
    (source / "conf.py").write_text(
        "extensions = ['myst_parser', 'cnslbp_lib.publish.build.self_check']\n"
        f"cnslbp_self_checks = {str(tmp_path / 'checks.yaml')!r}\n",
        encoding="utf-8",
    )
    (source / "index.md").write_text(f"# Page\n\n{page}\n", encoding="utf-8")
    app = SphinxTestApp("html", srcdir=source, builddir=tmp_path / "build", warningiserror=True)
    try:
        app.build()
    finally:
        app.cleanup()  # docutils' registries are global: leave them as they were
    return (tmp_path / "build" / "html" / "index.html").read_text(encoding="utf-8")


def test_the_directive_writes_a_fieldset_of_radios_a_hidden_button_a_live_region_and_every_reason(tmp_path):
    page = build_small(tmp_path, SMALL_FILE, "```{self-check} colour\n```\n\n```{self-check} sum\n```")
    soup = BeautifulSoup(page, "html.parser")
    check = soup.find(id="selfcheck-colour")
    assert check["data-kind"] == "choice"
    assert check.fieldset.legend.get_text(strip=True) == "Which colour is the sky on a clear day?"
    radios = check.fieldset.find_all("input", type="radio")
    assert [radio["value"] for radio in radios] == ["a", "b"]
    assert {radio["name"] for radio in radios} == {"selfcheck-colour"}
    assert [check.find("label", attrs={"for": radio["id"]}).get_text(" ", strip=True) for radio in radios] == [
        "A. Blue",
        "B. Green",
    ]
    assert check.find("button").has_attr("hidden")
    assert check.find(role="status")["aria-live"] == "polite"
    assert "needs JavaScript" in check.noscript.find(class_="cnslbp-selfcheck__needs-js").get_text()
    reasons = check.details.find_all("li")
    assert [(reason["id"], reason["data-verdict"]) for reason in reasons] == [
        ("selfcheck-colour-a-why", "right"),
        ("selfcheck-colour-b-why", "wrong"),
    ]
    assert reasons[1].get_text(" ", strip=True) == "B: not right. That is the grass."
    number = soup.find(id="selfcheck-sum")
    field = number.find("input", type="text")
    assert (field["data-answer"], field["data-tolerance"], field["data-close"]) == ("4", "0", "1")
    assert number.find(attrs={"data-value": "22"}).get_text(" ", strip=True) == "A common slip: That joins the digits."
    assert soup.find("script", src="_static/cnslbp-selfcheck.js") is not None


def test_an_unknown_id_fails_the_build_naming_the_file_and_the_id(tmp_path):
    with pytest.raises(SphinxWarning) as raised:
        build_small(tmp_path, SMALL_FILE, "```{self-check} colours\n```")
    message = str(raised.value)
    assert "checks.yaml: no self-check has the id 'colours' (the file has: colour, sum)" in message


def test_a_broken_file_fails_the_build_naming_the_file_the_check_and_the_rule(tmp_path):
    broken = SMALL_FILE.replace("{text: Green, feedback: That is the grass.}", "{text: Green, correct: true}")
    with pytest.raises(SphinxWarning) as raised:
        build_small(tmp_path, broken, "```{self-check} colour\n```")
    message = str(raised.value)
    # the page that places the check, then the file, the check and the rule
    assert "index.md:3:" in message
    assert "checks.yaml: self-check 'colour' (self_checks[0].choices[1].feedback): Field required" in message


# --- the built book --------------------------------------------------------------------------------
def test_the_built_book_shows_a_known_check_with_its_marked_numbers_and_the_script(reconstruction_site):
    page = (reconstruction_site / "book" / "primary_outcomes.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    check = soup.find(id="selfcheck-primary-holm")
    holm = next(item for item in raw_checks() if item["id"] == "primary-holm")
    assert len(check.fieldset.find_all("input", type="radio")) == len(holm["choices"])
    assert check.fieldset.legend.get_text(strip=True) == holm["question"]
    assert check.find(role="status") is not None and check.details is not None
    # the printed PIQ p-value carries its mark; the Holm-adjusted one is worked out, 2 × 0.003
    context = check.find(class_="cnslbp-selfcheck__context")
    assert context.find(attrs={"data-key": "piq_p_val"}).contents[0] == "0.003"
    worked = [node for node in context.find_all(class_="cnslbp-num") if node.contents[0] == "0.006"]
    assert worked and "2 × 0.003" in worked[0].get_text()
    assert soup.find("script", src=re.compile(r"cnslbp-selfcheck\.js(\?|$)")) is not None
    start = (reconstruction_site / "book" / "start_here.html").read_text(encoding="utf-8")
    assert "cnslbp-selfcheck.js" not in start  # only pages with a self-check load the script


def test_every_kind_of_check_in_the_book_renders(reconstruction_site):
    kinds = {check["id"]: check["kind"] for check in raw_checks()}
    found = {}
    for page in (reconstruction_site / "book").glob("*.html"):
        for check in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select(".cnslbp-selfcheck"):
            found[check["id"].removeprefix("selfcheck-")] = check["data-kind"]
    assert found == kinds
