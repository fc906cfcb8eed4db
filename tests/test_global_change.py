import pandas as pd
import pytest

import cnslbp_lib as cl


def test_distribution_lists_every_rating_and_sums_to_the_answers(cohort):
    table = cl.global_change_distribution(cohort.data)
    assert table["rating"].tolist() == [-3, -2, -1, 0, 1, 2, 3]
    assert table["count"].sum() == table["n"].iloc[0] == 14
    assert table["pct"].sum() == pytest.approx(100)
    assert table.loc[table["rating"] == 2, "label"].item() == "much improved"
    assert table.loc[table["improved"], "rating"].tolist() == [2, 3]


def test_blank_ratings_are_counted_separately():
    data = pd.DataFrame({"participant": ["a", "b", "c"], "stage": [3, 3, 3], "global_change": [2, None, -1]})
    table = cl.global_change_distribution(data.astype({"global_change": "Int64"}))
    assert (table["n"].iloc[0], table["n_blank"].iloc[0]) == (2, 1)


def test_missing_column_and_stage_one_are_refused_with_reasons(cohort):
    with pytest.raises(ValueError, match="global perceived change was not collected"):
        cl.global_change_distribution(cohort.data.drop(columns="global_change"))
    with pytest.raises(ValueError, match="stage 1 has none by design"):
        cl.global_change_distribution(cohort.data, stage=1)
