import numpy as np
import pandas as pd

import cnslbp_lib as cl

from .conftest import HEADER


def test_audit_of_the_reconstruction_agrees_except_where_the_abstract_contradicts_itself(cohort):
    table = cl.audit(cohort)
    assert table["key"].tolist() == [record.key for record in cl.REPORTED]
    assert table.loc[~table["agrees"], "key"].tolist() == ["pseq_p_val", "piq_responders"]
    row = table.set_index("key").loc["piq_responders"]
    assert (row.reported, row.recomputed_printed) == ("78.5", "78.6")
    assert "truncated (digits cut off) instead of rounded" in row.explanation
    assert table.loc[table["agrees"], "explanation"].eq("").all()


def test_audit_prints_recomputations_as_the_paper_does(cohort):
    printed = cl.audit(cohort).set_index("key")["recomputed_printed"]
    assert printed["pseq_mean_change"] == "+17.93"
    assert printed["piq_dz"] == "0.98"
    assert printed["participants_completed"] == "Fourteen"
    assert printed["missing_data"] == "no missing data"


def test_audit_of_another_cohort_explains_differences_from_the_data(write_csv):
    rng = np.random.default_rng(5)
    rows = [
        f"X{i},{stage},{rng.integers(20, 60)},{rng.integers(10, 50)},{rng.integers(5, 35)},{'' if stage == 1 else 0}"
        for i in range(5)
        for stage in (1, 2, 3)
    ]
    cohort = cl.load_cohort(write_csv(HEADER + "\n" + "\n".join(rows) + "\n"))
    table = cl.audit(cohort).set_index("key")
    assert table.loc["participants_completed", "recomputed_printed"] == "Five"
    assert not table.loc["participants_completed", "agrees"]
    assert "the difference lies in the data" in table.loc["piq_mean_change", "explanation"]


def test_quantities_a_tiny_cohort_cannot_support_are_not_computable(write_csv):
    cohort = cl.load_cohort(write_csv(f"{HEADER}\nA,1,40,20,20,\nA,2,41,22,21,0\nA,3,20,40,15,2\n"))
    table = cl.audit(cohort).set_index("key")
    assert table.loc["piq_p_val", "recomputed_printed"] == "not computable"
    assert pd.isna(table.loc["piq_p_val", "recomputed"])
    assert table.loc["missing_data", "agrees"]
