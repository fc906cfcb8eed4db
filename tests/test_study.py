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


def test_a_number_the_cohort_cannot_give_says_why_and_is_not_flagged(tmp_path, monkeypatch):
    own = tmp_path / "clinic.csv"
    own.write_text(f"{HEADER}\na,1,40,20,20,\na,2,41,22,21,0\na,3,30,30,15,2\n", encoding="utf-8")
    monkeypatch.setenv(DATA_ENV, str(own))
    number = open_book().checked("piq_mean_change")
    assert not number.computable
    assert (
        str(number)
        == "not computable (a paired t-test needs at least 2 participants with both scores; this cohort has 1)"
    )
    markup = number.html()
    assert "cnslbp-num--not-computable" in markup and "cnslbp-flag" not in markup and "≠ paper" not in markup
    assert markup.endswith("(a paired t-test needs at least 2 participants with both scores; this cohort has 1)")
    assert not number.html(reason=False).endswith(")")


def test_a_percentage_keeps_its_sign_inside_the_checked_number_before_the_flag(study):
    number = study.checked("piq_responders")
    assert str(number) == "78.6%"
    markup = number._repr_html_()
    # the flag follows the whole number, so "78.6" and "%" are never split by it
    assert 'data-key="piq_responders">78.6%<span class="cnslbp-flag">≠ paper 78.5%</span>' in markup
    assert "Paper: 78.5%." in markup


def test_the_chapter_notice_leaves_the_files_hash_to_the_announcement_bar(study):
    notice = study.notice()._repr_html_()
    assert "SHA-256" not in notice and study.provenance.sha256[:16] not in notice
    assert "Fourteen participants.</p>" in notice


def test_a_page_that_explains_the_marks_itself_can_leave_the_key_out_of_its_notice(study):
    full = study.notice()._repr_html_()
    short = study.notice(key_line=False)._repr_html_()
    assert 'class="cnslbp-key"' in full and 'class="cnslbp-key"' not in short
    assert "Fourteen participants, invented: not patient data.</p>" in short


def test_a_brief_notice_links_to_the_key_instead_of_repeating_it(study):
    full, brief = study.notice()._repr_html_(), study.notice(brief=True)._repr_html_()
    assert "Key: grey underline" in full and "Key: grey underline" not in brief
    assert "drawn at random" in full and "drawn at random" not in brief
    assert 'href="start_here.html#how-numbers-are-marked"' in brief
    assert "Fourteen participants, invented: not patient data." in brief


def test_an_analysis_cell_shows_the_librarys_result_or_why_the_cohort_cannot_give_it(study, tmp_path, monkeypatch):
    from scipy import stats

    import cnslbp_lib as cl

    result = study.run(cl.paired_change, "piq")
    pairs = cl.stage_change(study.data, "piq")
    reference = stats.ttest_rel(pairs.after, pairs.before)  # scipy's paired t-test on the same pairs
    assert result.p_val == pytest.approx(reference.pvalue) and result.t == pytest.approx(reference.statistic)
    own = tmp_path / "clinic.csv"
    own.write_text(f"{HEADER}\na,1,40,20,20,\na,2,41,22,21,0\na,3,30,30,15,2\n", encoding="utf-8")
    monkeypatch.setenv(DATA_ENV, str(own))
    small = open_book().run(cl.paired_change, "piq")
    assert repr(small) == (
        "A paired t-test: not computable (needs at least 2 participants with both scores; this cohort has 1)"
    )


def test_results_print_one_field_a_line_and_nested_results_indented(study):
    import io

    from IPython.lib.pretty import RepresentationPrinter

    import cnslbp_lib as cl
    from cnslbp_lib.publish.study import RESULTS, fields_a_line

    out = io.StringIO()
    printer = RepresentationPrinter(out)  # IPython's own pretty printer, as a kernel uses it
    for kind in RESULTS:
        printer.type_pprinters[kind] = fields_a_line
    printer.pretty(study.run(cl.association, "pseq", "piq"))
    printer.flush()
    lines = out.getvalue().splitlines()
    assert lines[0] == "Association(" and lines[1] == "    x='pseq'," and lines[-1] == ")"
    assert "    pearson=Correlation(" in lines and "        n=14," in lines and "    )," in lines
    assert "note=''" not in out.getvalue()  # an empty note says nothing
    # a field the data leave undefined is named with the reason, never printed as nan
    out = io.StringIO()
    printer = RepresentationPrinter(out)
    printer.type_pprinters[cl.PairedT] = fields_a_line
    printer.pretty(cl.paired_t([10, 12, 14], [5, 7, 9]))
    printer.flush()
    assert out.getvalue().splitlines()[-2:] == [
        "    t, p_val, dz: not computable (all 3 changes are equal, so their SD is 0)",
        ")",
    ]
