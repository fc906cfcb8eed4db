import json
import re

import altair as alt
from docutils.core import publish_doctree

from cnslbp_lib.publish.build.site import _THEBE_BLOCKS, _VIEWPORT, vega_lite_version
from cnslbp_lib.publish.build.site_pages import page_description
from cnslbp_lib.publish.charts import render


def test_bundled_vega_lite_matches_altair():
    assert alt.SCHEMA_VERSION.startswith(f"v{vega_lite_version()}.")


def test_thebe_configuration_blocks_are_removed():
    body = (
        "<p>x</p>\n"
        '    <script type="text/x-thebe-config">\n{ binderOptions: {} }\n</script>\n'
        "<script>kernelName = 'python3'</script>"
    )
    assert _THEBE_BLOCKS.sub("", body) == "<p>x</p>"


def test_the_docutils_viewport_tag_is_found_either_way_round():
    tags = '<meta content="width=device-width, initial-scale=1" name="viewport" />\n<meta name="x" />'
    assert _VIEWPORT.sub("", tags) == '\n<meta name="x" />'


def chart_spec(tooltip: bool = True, slider: bool = False) -> dict:
    data = alt.Data(values=[{"x": 1, "y": 2}, {"x": 2, "y": 5}, {"x": 3, "y": 4}])
    chart = alt.Chart(data).mark_point().encode(x="x:Q", y="y:Q")
    if tooltip:
        chart = chart.encode(tooltip=["x:Q"])
    if slider:
        chart = chart.add_params(alt.param(name="size", value=3, bind=alt.binding_range(min=1, max=9, step=1)))
    description = "Dot plot of three invented points. It shows nothing else. x rises </script> to 3."
    return chart.properties(width="container", height=200, description=description).to_dict()


def test_a_chart_written_by_to_html_is_found_again_with_its_spec():
    spec = chart_spec()
    page = "<p>before</p>\n" + render.to_html(spec) + "\n<p>after</p>"
    [chart] = render.find_charts(page)
    assert chart.spec == {key: value for key, value in spec.items() if key != "$schema"}
    assert chart.description == spec["description"]
    assert page[chart.start : chart.end] == render.to_html(spec)


def test_the_static_svg_is_sized_named_described_and_scales():
    spec = chart_spec()
    svg = render.static_svg(spec, element="cnslbp-chart-0123456789abcdef")
    opening = re.match(r"<svg\b[^>]*>", svg).group(0)
    assert f'width="{render.STATIC_WIDTH}"' in opening  # the whole chart, axes included, fills the width
    assert 'viewBox="0 0 ' in opening and 'role="img"' in opening
    assert 'aria-label="Dot plot of three invented points."' in opening
    assert 'aria-describedby="cnslbp-chart-0123456789abcdef-desc"' in opening
    assert '<desc id="cnslbp-chart-0123456789abcdef-desc">It shows nothing else.' in svg
    assert all(name.startswith("cnslbp-chart-0123456789abcdef-") for name in re.findall(r'\bid="([^"]+)"', svg))
    assert svg.count("<circle") + svg.count('class="mark-symbol') >= 1


def test_interactive_charts_keep_their_spec_and_room_for_their_controls():
    static = render.static_chart_html
    plain = render.find_charts(render.to_html(chart_spec(tooltip=False)))[0]
    assert not render.is_interactive(plain.spec)
    assert "application/json" not in static(plain, "<svg></svg>")
    chart = render.find_charts(render.to_html(chart_spec(slider=True)))[0]
    assert render.is_interactive(chart.spec)
    html = static(chart, '<svg width="672" height="250"></svg>')
    assert f'style="--cnslbp-reserve: {250 + render.CONTROL_HEIGHT}px"' in html
    assert f'<script type="application/json" id="{chart.element}-spec"' in html
    assert "</script>" not in html.split("application/json")[1].split("</script>", 1)[1]  # escaped in the spec


def chart_with_controls() -> dict:
    data = alt.Data(values=[{"x": 1, "y": 2}, {"x": 2, "y": 5}, {"x": 3, "y": 4}])
    size = alt.param(name="size", value=3, bind=alt.binding_range(min=1, max=9, step=1))
    chart = (
        alt.Chart(data)
        .mark_point()
        .encode(x=alt.X("x:Q", title="An axis title that is far too long to fit across the plot on a phone"), y="y:Q")
        .add_params(size)
        .properties(width="container", height=200, description="Dot plot of three points. It shows three points.")
    )
    return render.with_controls(chart, live="A slider sets their size.", still="They are drawn at size 3.").to_dict()


def test_a_chart_with_controls_says_what_they_do_only_where_they_are_shown():
    [chart] = render.find_charts(render.to_html(chart_with_controls()))
    element = chart.element
    svg = render.static_svg(chart.spec, element=element)
    # the static drawing (print, PDF, no JavaScript) is described as drawn, with no slider
    assert f'<desc id="{element}-desc">It shows three points. They are drawn at size 3.</desc>' in svg
    assert "slider" not in svg
    html = render.static_chart_html(chart, svg)
    # the live chart's description, which cnslbp.js gives it, says what the slider does instead
    assert 'data-live-description="It shows three points. A slider sets their size."' in html
    assert chart.description == "Dot plot of three points. It shows three points."


def test_a_phone_gets_a_drawing_as_wide_as_its_column_with_type_of_at_least_11_px():
    [chart] = render.find_charts(render.to_html(chart_with_controls()))
    wide = render.static_svg(chart.spec, element=chart.element)
    narrow = render.static_svg(chart.spec, element=chart.element, narrow=True)
    opening = re.match(r"<svg\b[^>]*>", narrow).group(0)
    assert f'width="{render.NARROW_WIDTH}"' in opening and "cnslbp-static--narrow" in opening
    assert all(name.startswith(f"{chart.element}-narrow-") for name in re.findall(r'\bid="([^"]+)"', narrow))

    def sizes(svg: str) -> list[float]:
        return [float(size) for size in re.findall(r'font-size="([\d.]+)px"', svg)]

    # Vega's own axis labels are 10 px, shrunk further with the drawing; the phone's are 12 px at full size
    assert min(sizes(wide)) < 11 and min(sizes(narrow)) >= 11
    # the long axis title is set on two lines rather than cut off at the edge
    title = "An axis title that is far too long to fit across the plot on a phone"
    assert title in wide and title not in narrow
    assert "An axis title that is far too long to" in narrow and "fit across the plot on a phone" in narrow
    html = render.static_chart_html(chart, wide, narrow)
    height = float(re.search(r'height="([\d.]+)"', opening).group(1))
    assert f"--cnslbp-reserve-narrow: {round(height) + render.CONTROL_HEIGHT}px" in html
    patch = json.loads(re.search(rf'id="{chart.element}-narrow">(.*?)</script>', html).group(1))
    assert render.apply_patch(chart.spec, patch) == render.apply_patch(chart.spec, render.narrow_patch(chart.spec))


def test_a_page_is_described_by_its_overview_paragraph_shortened_at_a_word():
    source = """
Title
=====

.. note:: Built from the reconstructed dataset.

Opening words that are not the overview.

Overview
--------

This chapter reproduces the paper's primary results: the change in pain interference and in pain
self-efficacy from stage 2, after education, to stage 3, after the MRI explanation, and much more.
"""
    description = page_description(publish_doctree(source), "fallback")
    assert description.startswith("This chapter reproduces the paper's primary results")
    assert len(description) <= 160 and description.endswith("…") and " explanation" not in description
    assert page_description(publish_doctree("Title\n=====\n\n.. note:: x\n\nFirst words.\n"), "f") == "First words."
    assert page_description(None, "Search: the book.") == "Search: the book."


def test_a_build_from_other_data_never_shows_the_stored_outputs(tmp_path, monkeypatch):
    from types import SimpleNamespace

    import pytest
    from sphinx.errors import ConfigError

    from cnslbp_lib.publish.build import site

    from .conftest import COHORT_CSV

    other = tmp_path / "other.csv"  # the same scores, other bytes: not the reconstruction's file
    other.write_text(COHORT_CSV.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    monkeypatch.setenv("CNSLBP_DATA", str(other))
    monkeypatch.setenv(site.EXECUTE_ENV, "0")
    config = SimpleNamespace(html_theme_options={})
    with pytest.raises(ConfigError, match="must execute them"):
        site._configure(None, config)
    monkeypatch.setenv(site.EXECUTE_ENV, "1")
    site._configure(None, config)
    assert config.nb_execution_mode == "off" and len(config.cnslbp_execution_inputs) == 64


def test_static_drawings_drop_per_mark_aria_and_long_decimals_but_keep_every_element_and_text():
    import re

    from cnslbp_lib.publish.charts.render import _compact

    drawn = (
        '<svg role="img"><g role="graphics-object" aria-roledescription="group mark container">'
        '<path aria-label="Stage: 1; PIQ: 41" role="graphics-symbol" d="M104.667,124.286L314,111.429"'
        ' transform="translate(0.5,12.123)"></path><path class="foreground" d="" display="none"></path>'
        "<text>0.0455</text></g></svg>"
    )
    compact = _compact(drawn)
    assert re.findall(r"<(\w+)", compact) == re.findall(r"<(\w+)", drawn)  # same elements, same order
    assert "aria-label" not in compact and "graphics-symbol" not in compact
    assert 'd="M104.7,124.3L314,111.4"' in compact and 'transform="translate(0.5,12.1)"' in compact
    assert "<text>0.0455</text>" in compact  # text is never rounded
