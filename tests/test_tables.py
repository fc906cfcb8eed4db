"""Tables the chapters show: captions, headers, escaping."""

import pandas as pd

from cnslbp_lib.publish import tables


def test_tables_have_captions_headers_and_escaped_cells():
    table = tables.html_table(pd.DataFrame({"a": ["<b>"], "b": [1]}), "Caption", row_ids=["row-1"])
    assert table.startswith('<table class="cnslbp-table"><caption>Caption</caption>')
    assert '<th scope="col">a</th>' in table
    assert '<tr id="row-1"><td>&lt;b&gt;</td>' in table


def test_long_tables_list_the_first_rows_and_count_the_rest():
    import numpy as np

    from cnslbp_lib.publish.limits import PER_PARTICIPANT_LIMIT

    from .conftest import tidy_pairs

    participants = PER_PARTICIPANT_LIMIT + 37
    data = tidy_pairs(np.full(participants, 40.0), np.full(participants, 30.0)).assign(pseq=20, psq=20, global_change=1)
    table = tables.global_change_table(data)
    assert table.count("<tr>") == PER_PARTICIPANT_LIMIT + 1  # the header row and the rows shown
    assert '<tr class="cnslbp-more"><td colspan="4">… and 37 more participants</td></tr>' in table


def test_the_sensitivity_table_can_show_a_bca_row_with_its_own_ranges():
    import cnslbp_lib as cl
    from cnslbp_lib.paper.reconstruction import load_summary
    from cnslbp_lib.publish.provenance import Marks

    from .conftest import COHORT_CSV

    data = cl.load_cohort(COHORT_CSV).data
    ranges = Marks(load_summary())
    bca = tables.sensitivity_table(data, "piq", ranges, bootstrap_method="bca")
    assert "<td>BCa bootstrap</td>" in bca and "Percentile bootstrap" not in bca
    # the row's limits link to the BCa entries of the registry, not the percentile ones
    assert 'data-key="piq_bca_low"' in bca and 'data-key="piq_bca_high"' in bca
    assert "piq_boot_low" not in bca
    assert 'data-key="piq_boot_low"' in tables.sensitivity_table(data, "piq", ranges)
