"""Executing chapters before Sphinx reads them: warm kernels give a plain kernel's outputs; the cache key
covers every input, so a changed input never shows a stale output."""

from __future__ import annotations

import nbformat
import pytest

from cnslbp_lib.publish.build import execution


def project(root, cohort="participant,stage\nA,1\n"):
    (root / "cnslbp_lib").mkdir(parents=True, exist_ok=True)
    (root / "cnslbp_lib" / "stats.py").write_text("X = 1\n", encoding="utf-8")
    (root / "data").mkdir(exist_ok=True)
    (root / "data" / "ensemble_summary.csv").write_text("a\n1\n", encoding="utf-8")
    (root / "requirements.lock").write_text("numpy==2.4.6\n", encoding="utf-8")
    (root / "pyproject.toml").write_text("[project]\n", encoding="utf-8")
    data = root / "cohort.csv"
    data.write_text(cohort, encoding="utf-8")
    return data


@pytest.mark.parametrize(
    "change",
    [
        lambda root, data: (root / "cnslbp_lib" / "stats.py").write_text("X = 2\n", encoding="utf-8"),
        lambda root, data: (root / "data" / "ensemble_summary.csv").write_text("a\n2\n", encoding="utf-8"),
        lambda root, data: (root / "requirements.lock").write_text("numpy==2.4.7\n", encoding="utf-8"),
        lambda root, data: (root / "pyproject.toml").write_text("[project]\nname='x'\n", encoding="utf-8"),
        lambda root, data: data.write_text("participant,stage\nB,1\n", encoding="utf-8"),
        lambda root, data: (root / "cnslbp_lib" / "new.py").write_text("", encoding="utf-8"),
    ],
    ids=["library source", "ensemble summary", "lock file", "pyproject", "cohort file", "a new module"],
)
def test_the_cache_key_changes_with_every_input_a_chapter_depends_on(tmp_path, change):
    data = project(tmp_path)
    before = execution.inputs_digest(tmp_path, data)
    assert execution.inputs_digest(tmp_path, data) == before
    change(tmp_path, data)
    assert execution.inputs_digest(tmp_path, data) != before


def test_another_sheet_of_the_same_workbook_is_another_key(tmp_path):
    data = project(tmp_path)
    keys = {execution.inputs_digest(tmp_path, data, sheet) for sheet in (None, "Scores", "Follow-up")}
    assert len(keys) == 3


def test_the_same_data_in_another_file_is_another_key(tmp_path):
    data = project(tmp_path)
    other = tmp_path / "other.csv"
    other.write_bytes(data.read_bytes())
    assert execution.inputs_digest(tmp_path, data) != execution.inputs_digest(tmp_path, other)


def notebook(*sources: str) -> str:
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nbformat.writes(book)


CHAPTER = notebook(
    "import os, sys\nimport cnslbp_lib as cl\nprint(os.path.basename(os.getcwd()), os.environ['CNSLBP_PROBE'])",
    "from IPython.display import HTML\nHTML('<b>' + cl.format_number(2 / 3, 2) + '</b>')",
    "print('to stderr', file=sys.stderr)\n1 + 1",
    # how the kernel talks to nbclient: Unix sockets in the runner's own folder, no TCP port to collide over
    "from ipykernel.kernelapp import IPKernelApp\nkernel = IPKernelApp.instance()\n"
    "print(kernel.transport, os.path.basename(os.path.dirname(kernel.connection_file))[:14])",
)


def outputs(text: str) -> list:
    return [cell.get("outputs") for cell in nbformat.reads(text, as_version=4).cells]


def test_a_warm_kernel_gives_a_plain_kernels_outputs_and_each_key_runs_once(tmp_path, monkeypatch):
    folder = tmp_path / "book"
    folder.mkdir()
    path = folder / "chapter.ipynb"
    path.write_text(CHAPTER, encoding="utf-8")
    monkeypatch.setenv("CNSLBP_PROBE", "probe")
    monkeypatch.setenv(execution.WARM_ENV, "0")
    with execution.running("key", None, cwd=tmp_path) as runner:
        runner.submit(path, CHAPTER)
        plain = runner.result(path)
    monkeypatch.setenv(execution.WARM_ENV, "1")
    cache = tmp_path / "cache"
    with execution.running("key", cache, cwd=tmp_path) as runner:
        runner.submit(path, CHAPTER)
        warm = runner.result(path)
    assert not warm.cached and outputs(warm.text) == outputs(plain.text)
    assert outputs(warm.text)[0][0]["text"] == "book probe\n"  # the chapter's folder, the build's environment
    assert outputs(warm.text)[3][0]["text"] == "ipc cnslbp-sockets\n"
    with execution.running("key", cache, cwd=tmp_path) as runner:
        runner.submit(path, CHAPTER)
        again = runner.result(path)
    assert again.cached and again.text == warm.text
    with execution.running("other key", cache, cwd=tmp_path) as runner:
        runner.submit(path, CHAPTER)
        assert not runner.result(path).cached


def test_a_failing_chapter_stops_with_its_error(tmp_path):
    path = tmp_path / "broken.ipynb"
    text = notebook("x = 1", "raise ValueError('the cohort has no stage 3')")
    path.write_text(text, encoding="utf-8")
    with execution.running("key", tmp_path / "cache", cwd=tmp_path) as runner:
        runner.submit(path, text)
        with pytest.raises(execution.NotebookExecutionError, match=r"(?s)broken\.ipynb.*the cohort has no stage 3"):
            runner.result(path)
    assert list((tmp_path / "cache").glob("*.ipynb")) == []  # a failure is never cached
