import cnslbp_lib as cl
from cnslbp_lib.data.source import DATA_ENV, DEFAULT_DATA, SHEET_ENV, cohort_sheet

from .conftest import HEADER


def test_committed_file_is_recognised_as_the_reconstruction(cohort):
    found = cl.provenance(cohort)
    assert found.is_reconstruction
    assert "not patient data" in found.notice


def test_any_other_file_is_user_supplied(write_csv):
    found = cl.provenance(cl.load_cohort(write_csv(f"{HEADER}\nA,1,40,20,20,\n", "clinic.csv")))
    assert found.kind == "user-supplied"
    assert "clinic.csv" in found.notice


def test_cohort_path_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(DATA_ENV, raising=False)
    assert cl.cohort_path() == DEFAULT_DATA
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "mine.csv"))
    assert cl.cohort_path() == tmp_path / "mine.csv"


def test_the_sheet_the_book_reads_follows_the_environment(monkeypatch):
    monkeypatch.delenv(SHEET_ENV, raising=False)
    assert cohort_sheet() is None
    monkeypatch.setenv(SHEET_ENV, "Follow-up")
    assert cohort_sheet() == "Follow-up"
