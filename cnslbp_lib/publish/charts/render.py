"""The offline, deterministic renderer every chart goes through, and the shared palette.

Every chart uses the Okabe–Ito colour-blind-safe palette, labels its axes with
units and direction, shows participant label, stage and score on hover, and
carries a text alternative in its ``description`` (the SVG's accessible name
and description). :func:`enable` registers a renderer whose HTML calls the
page's own ``vegaEmbed`` (served from the site, never a CDN) and whose element
ids come from a hash of the spec, so re-executing a chapter gives identical
output.

On the website, the Sphinx extension finds each chart in a page
(:func:`find_charts`) and puts a static SVG drawn at build time in its place
(:func:`static_chart_html`), so a chart is visible at first paint and without
JavaScript; ``cnslbp.js`` then draws the interactive chart from the same spec
when it comes near the viewport or is touched.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import textwrap
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd

from ...data.instruments import Instrument, get_stage
from ..limits import PER_PARTICIPANT_LIMIT

__all__ = [
    "CHART_CLASS",
    "OKABE_ITO",
    "STATIC_WIDTH",
    "WIDTH",
    "ChartHtml",
    "enable",
    "find_charts",
    "form_note",
    "is_interactive",
    "message_chart",
    "responder_colour",
    "stage_label",
    "static_chart_html",
    "static_svg",
    "threshold_rules",
    "to_html",
    "vega_lite_version",
    "with_note",
]

OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
    "grey": "#6B6B6B",
}
STAGE_COLOURS = [OKABE_ITO["sky"], OKABE_ITO["orange"], OKABE_ITO["blue"]]
RESPONDER_COLOURS = {"responder": OKABE_ITO["blue"], "not a responder": OKABE_ITO["orange"]}
MAX_LINES = PER_PARTICIPANT_LIMIT
# charts fill their container, so they fit a phone and a desktop page alike
WIDTH = "container"
CHART_CLASS = "cnslbp-chart"
EMBED_OPTIONS = {"renderer": "svg", "actions": False, "mode": "vega-lite"}
# the width of the article column in a 1280 px window: there the static and the live chart are the same
STATIC_WIDTH = 672
# the height of one slider (or radio) row under an interactive chart, as cnslbp.css lays it out
CONTROL_HEIGHT = 34


def vega_lite_version() -> str:
    """Altair's Vega-Lite version as major.minor, the form vl-convert bundles by."""
    major, minor, *_ = alt.SCHEMA_VERSION.lstrip("v").split(".")
    return f"{major}.{minor}"


def stage_label(number: int) -> str:
    stage = get_stage(number)
    return f"{number}: {stage.name}"


def _spec_id(spec: dict[str, Any]) -> str:
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False)
    return "cnslbp-chart-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def with_note(chart: Any, note: str) -> Any:
    """Attach a sentence to show under ``chart`` (which form it is and why); no note, no change."""
    return chart.properties(usermeta={"note": note}) if note else chart


def form_note(n: int, shown: str) -> str:
    """The sentence under a chart that no longer draws one mark per participant."""
    return (
        f"With {n:,} participants, one mark per participant would be unreadable, so this chart shows {shown} "
        f"instead; the book draws every participant only up to {PER_PARTICIPANT_LIMIT}."
    )


def responder_colour() -> alt.Color:
    """The colour encoding of ``status:N``: responder or not a responder, against the threshold."""
    return alt.Color(
        "status:N",
        title="Against the threshold",
        scale=alt.Scale(domain=list(RESPONDER_COLOURS), range=list(RESPONDER_COLOURS.values())),
        legend=alt.Legend(orient="bottom"),
    )


def threshold_rules(entry: Instrument) -> alt.Chart:
    """Dashed horizontal lines at no change and at the instrument's threshold, on a ``change`` axis."""
    references = pd.DataFrame(
        [
            {"change": 0.0, "label": "no change"},
            {"change": float(entry.threshold * entry.improvement_sign), "label": "important improvement"},
        ]
    )
    rules: alt.Chart = (
        alt.Chart(references)
        .mark_rule(strokeDash=[4, 4], color=OKABE_ITO["grey"])
        .encode(y="change:Q", tooltip=[alt.Tooltip("label:N", title="Line"), alt.Tooltip("change:Q", title="Points")])
    )
    return rules


def message_chart(message: str, description: str = "") -> alt.Chart:
    """A chart-sized box that says in words why there is nothing to draw (its description says the same)."""
    lines = textwrap.wrap(message, 70)
    frame = pd.DataFrame({"line": lines, "row": range(len(lines))})
    chart: alt.Chart = (
        alt.Chart(frame)
        .mark_text(align="left", baseline="middle", fontSize=14, color=OKABE_ITO["black"])
        .encode(x=alt.value(8), y=alt.Y("row:O", axis=None), text="line:N")
        .properties(width=WIDTH, height=alt.Step(22), description=description or message)
    )
    return chart


def _note(spec: dict[str, Any]) -> str:
    meta = spec.get("usermeta")
    return str(meta.get("note", "")) if isinstance(meta, dict) else ""


def to_html(spec: dict[str, Any]) -> str:
    """HTML that draws ``spec`` with the page's ``vegaEmbed``; deterministic.

    Once drawn, the SVG gets ``role="img"`` and the chart's description as its
    accessible name; if drawing fails, the description is shown in its place.
    A note attached with :func:`with_note` is a paragraph under the chart.
    """
    note = _note(spec)
    # the $schema URL only names the format; leaving it out keeps every page free of outside hosts
    spec = {key: value for key, value in spec.items() if key not in {"$schema", "usermeta"}}
    element = _spec_id(spec)
    description = html.escape(str(spec.get("description", "Chart")))
    payload = json.dumps(spec, sort_keys=True, ensure_ascii=False).replace("</", "<\\/")
    options = json.dumps(EMBED_OPTIONS, sort_keys=True)
    return (
        f'<div class="{CHART_CLASS}" id="{element}" data-description="{description}"></div>\n'
        "<script>\n"
        "(function () {\n"
        f'  var element = document.getElementById("{element}");\n'
        f"  var spec = {payload};\n"
        "  function draw() {\n"
        f"    window.vegaEmbed(element, spec, {options}).then(function () {{\n"
        "      var drawing = element.querySelector('svg');\n"
        "      drawing.setAttribute('role', 'img');\n"
        "      drawing.setAttribute('aria-label', element.dataset.description);\n"
        "    }).catch(function (error) {\n"
        "      element.textContent = element.dataset.description +\n"
        '        " (The chart could not be drawn: " + error.message + ")";\n'
        "      console.error(error);\n"
        "    });\n"
        "  }\n"
        "  if (window.vegaEmbed) { draw(); } else { window.addEventListener('load', draw); }\n"
        "})();\n"
        "</script>"
    ) + (f'\n<p class="cnslbp-chart-note">{html.escape(note)}</p>' if note else "")


def _render(spec: dict[str, Any], **metadata: Any) -> dict[str, str]:
    text = str(spec.get("description", "Chart"))
    note = _note(spec)
    return {"text/html": to_html(spec), "text/plain": f"{text} {note}" if note else text}


def enable() -> None:
    """Make Altair charts display through the offline, deterministic renderer."""
    alt.renderers.register("cnslbp", _render)
    alt.renderers.enable("cnslbp")
    alt.data_transformers.disable_max_rows()


@dataclass(frozen=True)
class ChartHtml:
    """One chart as :func:`to_html` wrote it, found in a page: where it is and what it draws."""

    element: str
    description: str
    spec: dict[str, Any]
    start: int
    end: int


_CHART_HTML = re.compile(
    rf'<div class="{CHART_CLASS}" id="(?P<element>cnslbp-chart-[0-9a-f]{{16}})" '
    r'data-description="(?P<description>[^"]*)"></div>\n<script>\n\(function \(\) \{\n'
    r"(?:[^\n]*\n)*?  var spec = (?P<spec>\{[^\n]*\});\n(?:[^\n]*\n)*?\}\)\(\);\n</script>"
)


def find_charts(page: str) -> list[ChartHtml]:
    """Every chart :func:`to_html` wrote into ``page`` (HTML), in order."""
    return [
        ChartHtml(
            element=match["element"],
            description=html.unescape(match["description"]),
            spec=json.loads(match["spec"]),
            start=match.start(),
            end=match.end(),
        )
        for match in _CHART_HTML.finditer(page)
    ]


def is_interactive(spec: Any) -> bool:
    """Whether a spec has anything to interact with: tooltips, or parameters bound to inputs or selections."""
    if isinstance(spec, list):
        return any(is_interactive(item) for item in spec)
    if not isinstance(spec, dict):
        return False
    if spec.get("tooltip") not in (None, False):
        return True
    if any(isinstance(param, dict) and ("bind" in param or "select" in param) for param in spec.get("params", [])):
        return True
    return any(is_interactive(value) for key, value in spec.items() if key != "datasets")


def _bound_inputs(spec: Any) -> int:
    if isinstance(spec, list):
        return sum(_bound_inputs(item) for item in spec)
    if not isinstance(spec, dict):
        return 0
    own = sum(1 for param in spec.get("params", []) if isinstance(param, dict) and "bind" in param)
    return own + sum(_bound_inputs(value) for key, value in spec.items() if key not in ("datasets", "params"))


def _sentences(description: str) -> tuple[str, str]:
    """The first sentence of a description (the chart's name), and the rest."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", description.strip(), maxsplit=1)
    return parts[0], parts[1] if len(parts) > 1 else ""


_INNER_ARIA = re.compile(r'\s(?:aria-label|aria-roledescription|aria-hidden|role|pointer-events)="[^"]*"')
_GEOMETRY = re.compile(r'\b(d|transform)="([^"]*)"')
_LONG_DECIMAL = re.compile(r"\d+\.\d{2,}")


def _compact(svg: str) -> str:
    """The same drawing in fewer bytes: no per-mark ARIA, coordinates to a tenth of a pixel.

    The static drawing is one image (``role="img"`` with the chart's description),
    so its marks' own labels and roles only repeat what the description says and
    assistive technology never reads them; they were half of a chart's bytes.
    Marks, axes and text are unchanged.
    """

    def rounded(match: re.Match[str]) -> str:
        return f'{match.group(1)}="{_LONG_DECIMAL.sub(_first_decimal, match.group(2))}"'

    return _GEOMETRY.sub(rounded, _INNER_ARIA.sub("", svg))


def _first_decimal(match: re.Match[str]) -> str:
    return f"{float(match.group(0)):.1f}"


def static_svg(spec: dict[str, Any], *, element: str, width: int = STATIC_WIDTH) -> str:
    """The chart drawn to SVG now, ``width`` pixels wide where it fills its container.

    The SVG scales down with its container (it keeps its viewBox), carries the
    chart's accessible name (the description's first sentence) and description,
    and its internal ids are prefixed with ``element`` so charts on one page
    never share an id.
    """
    import vl_convert  # noqa: PLC0415 (only the site build draws charts; kernels never load it)

    spec = {key: value for key, value in spec.items() if key != "$schema"}
    if spec.get("width") == "container":
        # what a live chart does with width "container": the whole chart, axes included, fills the width
        spec["width"] = width
        spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    svg = _compact(vl_convert.vegalite_to_svg(spec, vl_version=vega_lite_version()))
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    for name in sorted(ids, key=len, reverse=True):
        svg = svg.replace(f'id="{name}"', f'id="{element}-{name}"')
        svg = svg.replace(f"url(#{name})", f"url(#{element}-{name})").replace(
            f'href="#{name}"', f'href="#{element}-{name}"'
        )
    name, rest = _sentences(str(spec.get("description", "Chart")))
    opening = re.match(r"<svg\b[^>]*>", svg)
    if opening is None:
        raise ValueError("vl-convert returned something that is not an SVG")
    tag = opening.group(0).replace(' class="marks"', ' class="marks cnslbp-static"')
    tag = tag[:-1] + f' role="img" aria-label="{html.escape(name)}"'
    desc = ""
    if rest:
        tag += f' aria-describedby="{element}-desc"'
        desc = f'<desc id="{element}-desc">{html.escape(rest, quote=False)}</desc>'
    return tag + ">" + desc + svg[opening.end() :]


def static_chart_html(chart: ChartHtml, svg: str) -> str:
    """The page's markup for one chart: its static SVG, and its spec for cnslbp.js if it is interactive.

    An interactive chart keeps room for its live drawing (``min-height``: the
    static height at full width, plus one row per slider), so nothing below it
    moves when the live chart replaces the static one on a narrow screen.
    """
    description = html.escape(chart.description)
    if not is_interactive(chart.spec):
        return f'<div class="{CHART_CLASS}" id="{chart.element}" data-description="{description}">{svg}</div>'
    height = re.search(r'<svg\b[^>]*\bheight="(\d+(?:\.\d+)?)"', svg)
    reserved = round(float(height.group(1)) if height else 0) + CONTROL_HEIGHT * _bound_inputs(chart.spec)
    payload = json.dumps(chart.spec, sort_keys=True, ensure_ascii=False).replace("<", "\\u003c")
    return (
        f'<div class="{CHART_CLASS} {CHART_CLASS}--interactive" id="{chart.element}" '
        f'data-description="{description}" style="min-height: {reserved}px">{svg}</div>\n'
        f'<script type="application/json" id="{chart.element}-spec">{payload}</script>'
    )
