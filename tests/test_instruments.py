import pytest

import cnslbp_lib as cl
from cnslbp_lib.data.instruments import NON_RESPONSE


def test_registry_holds_the_scales_this_reconstruction_assumes():
    facts = {i.key: (i.minimum, i.maximum, i.higher_is, i.threshold) for i in cl.INSTRUMENTS}
    assert facts == {
        "piq": (0, 70, "worse", 7),
        "pseq": (0, 60, "better", 11),
        "psq": (0, 40, "worse", 8),
    }


def test_improvement_rule_reads_in_the_direction_of_improvement():
    assert cl.get_instrument("piq").improvement_rule == "a fall of at least 7 points"
    assert cl.get_instrument("pseq").improvement_rule == "a rise of at least 11 points"


def test_every_instrument_names_a_source_and_marks_its_assumption():
    for instrument in (*cl.INSTRUMENTS, cl.GLOBAL_CHANGE):
        assert instrument.citations
        assert "assum" in instrument.assumption.lower()


def test_non_response_rule_is_worded_from_the_registry_thresholds():
    assert NON_RESPONSE.description == (
        "from stage 1 to stage 2, PIQ did not show a fall of at least 7 points "
        "and PSEQ did not show a rise of at least 11 points"
    )


def test_global_change_improved_means_much_or_very_much_improved():
    assert cl.GLOBAL_CHANGE.improved_rule == "a rating of +2 or more (much improved or very much improved)"


def test_unknown_instrument_is_rejected_with_the_known_keys():
    with pytest.raises(ValueError, match="instrument must be one of piq, pseq, psq; got 'bpi'"):
        cl.get_instrument("bpi")
