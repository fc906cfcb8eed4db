from decimal import Decimal

import pytest

from cnslbp_lib.paper.reported import REPORTED, get_reported, reported_for, reported_n

ABSTRACT = __import__("pathlib").Path(__file__).resolve().parents[2] / "shared" / "paper" / "abstract.txt"


def test_keys_are_unique_and_reported_n_is_fourteen():
    assert len({record.key for record in REPORTED}) == len(REPORTED)
    assert reported_n() == 14


@pytest.mark.skipif(not ABSTRACT.exists(), reason="the abstract text is not in this checkout")
def test_every_printed_value_appears_verbatim_in_the_abstract():
    text = ABSTRACT.read_text(encoding="utf-8")
    for record in REPORTED:
        if record.style == "direction":
            assert "inversely associated" in text
        else:
            assert record.printed in text, record.key


def test_values_parse_from_the_printed_text():
    assert get_reported("piq_mean_change").value == Decimal("-18.79")
    assert get_reported("pseq_mean_change").value == Decimal("17.93")
    assert get_reported("association_direction").value is None
    assert reported_for("psq", "ci_low") is None


def test_unknown_key_is_refused_with_the_known_keys():
    with pytest.raises(ValueError, match="key must be one of participants_completed"):
        get_reported("piq_median")
