"""The book's dataset as chapters open it: in-place checks of reported numbers, hidden ids."""

import pytest

from cnslbp_lib.data.source import DATA_ENV
from cnslbp_lib.publish import open_book

from .conftest import COHORT_CSV, HEADER


@pytest.fixture
def study(monkeypatch):
    monkeypatch.setenv(DATA_ENV, str(COHORT_CSV))
    return open_book()


def test_agreeing_number_links_to_its_audit_row_with_a_tooltip(study):
    number = study.checked("piq_mean_change")
    markup = number._repr_html_()
    assert str(number) == "\u221218.79"
    assert 'href="number_audit.html#audit-piq_mean_change"' in markup
    assert "cnslbp-num--agrees" in markup
    assert 'role="tooltip"' in markup and "Paper: \u221218.79" in markup
    assert "cnslbp-flag" not in markup


def test_disagreeing_number_is_flagged_in_the_text(study):
    markup = study.checked("pseq_p_val")._repr_html_()
    assert "cnslbp-num--disagrees" in markup
    assert '<span class="cnslbp-flag">≠ paper 0.007</span>' in markup


def test_study_hides_participant_ids(tmp_path, monkeypatch):
    own = tmp_path / "clinic.csv"
    own.write_text(f"{HEADER}\nmrn-4471,1,40,20,20,\nmrn-4471,2,41,22,21,0\nmrn-0003,1,30,30,20,\n", encoding="utf-8")
    monkeypatch.setenv(DATA_ENV, str(own))
    study = open_book()
    assert study.provenance.kind == "user-supplied"
    assert set(study.data["participant"].astype(str)) == {"P01", "P02"}
