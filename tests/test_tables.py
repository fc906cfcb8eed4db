"""Tables the chapters show: captions, headers, escaping."""

import pandas as pd

from cnslbp_lib.publish import tables


def test_tables_have_captions_headers_and_escaped_cells():
    table = tables.html_table(pd.DataFrame({"a": ["<b>"], "b": [1]}), "Caption", row_ids=["row-1"])
    assert table.startswith('<table class="cnslbp-table"><caption>Caption</caption>')
    assert '<th scope="col">a</th>' in table
    assert '<tr id="row-1"><td>&lt;b&gt;</td>' in table
