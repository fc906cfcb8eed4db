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
    "NARROW_CONFIG",
    "NARROW_WIDTH",
    "OKABE_ITO",
    "STATIC_WIDTH",
    "WIDTH",
    "ChartHtml",
    "apply_patch",
    "enable",
    "find_charts",
    "form_note",
    "has_narrow_form",
    "is_interactive",
    "message_chart",
    "narrow_patch",
    "responder_colour",
    "stage_label",
    "static_chart_html",
    "static_svg",
    "threshold_rules",
    "to_html",
    "vega_lite_version",
    "with_controls",
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
# a chart's column on a 390 px phone: a phone gets a drawing of its own, as wide as its column, with type
# that stays at least 11 px as drawn (cnslbp.css shows it up to 575.98 px; cnslbp.js draws the live chart so too)
NARROW_WIDTH = 342
NARROW_CONFIG: dict[str, dict[str, Any]] = {
    # long labels (the audit's names of numbers) give way to the plot: a phone's chart is only so wide
    "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 140},
    # an x axis title ends where the axis ends, so it may run on under the y axis's labels, never off the right
    "axisX": {"titleAnchor": "end"},
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom", "direction": "vertical"},
    "header": {"labelFontSize": 12, "titleFontSize": 12},
    "title": {"fontSize": 13},
    "text": {"fontSize": 12},
}
# an axis title longer than this many characters is set on two or more lines in the phone drawing (about
# what 12 px bold type fits across a phone's chart, and along a plot's height)
NARROW_TITLE_CHARACTERS = {"x": 40, "y": 44}


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


def _usermeta(chart: Any) -> dict[str, Any]:
    meta = getattr(chart, "usermeta", None)
    return dict(meta) if isinstance(meta, dict) else {}


def with_note(chart: Any, note: str) -> Any:
    """Attach a sentence to show under ``chart`` (which form it is and why); no note, no change."""
    return chart.properties(usermeta={**_usermeta(chart), "note": note}) if note else chart


def with_controls(chart: Any, *, live: str, still: str) -> Any:
    """Say what ``chart``'s controls do, and what its drawing shows without them.

    ``live`` ends the description of the interactive chart, whose sliders a
    reader can move ("A slider picks a correlation."); ``still`` ends the
    description of the drawing made at build time, which is what print, the
    PDF and a page without JavaScript show: the chart at its controls'
    starting values ("The grey line marks a correlation of 0.50.").
    """
    return chart.properties(usermeta={**_usermeta(chart), "live": live, "still": still})


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


def _meta(spec: dict[str, Any], key: str) -> str:
    meta = spec.get("usermeta")
    return str(meta.get(key, "")) if isinstance(meta, dict) else ""


def _note(spec: dict[str, Any]) -> str:
    return _meta(spec, "note")


def _described(description: str, ending: str) -> str:
    return f"{description} {ending}" if ending else description


def to_html(spec: dict[str, Any]) -> str:
    """HTML that draws ``spec`` with the page's ``vegaEmbed``; deterministic.

    Once drawn, the SVG gets ``role="img"`` and the chart's description as its
    accessible name; if drawing fails, the description is shown in its place.
    A note attached with :func:`with_note` is a paragraph under the chart.
    """
    note = _note(spec)
    # what the controls do and what the drawing shows without them stay with the spec (see with_controls)
    forms = {key: _meta(spec, key) for key in ("live", "still") if _meta(spec, key)}
    # the $schema URL only names the format; leaving it out keeps every page free of outside hosts
    spec = {key: value for key, value in spec.items() if key not in {"$schema", "usermeta"}}
    if forms:
        spec["usermeta"] = forms
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
    text = _described(str(spec.get("description", "Chart")), _meta(spec, "still"))
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


SpecPath = list[str | int]


def _long_titles(node: Any, path: SpecPath) -> list[tuple[SpecPath, list[str]]]:
    """Where ``node`` sets an x or y axis title too long for a phone's plot, and that title in lines."""
    found: list[tuple[SpecPath, list[str]]] = []
    if isinstance(node, list):
        for index, item in enumerate(node):
            found += _long_titles(item, [*path, index])
    elif isinstance(node, dict):
        encoding = node.get("encoding")
        if isinstance(encoding, dict):
            for channel, limit in NARROW_TITLE_CHARACTERS.items():
                title = encoding[channel].get("title") if isinstance(encoding.get(channel), dict) else None
                if isinstance(title, str) and len(title) > limit:
                    found.append(([*path, "encoding", channel, "title"], textwrap.wrap(title, limit)))
        for key, value in node.items():
            if key not in ("datasets", "data", "encoding", "config"):
                found += _long_titles(value, [*path, key])
    return found


def narrow_patch(spec: dict[str, Any]) -> list[tuple[SpecPath, Any]]:
    """What changes in ``spec`` for a phone, as (path, value) pairs: :data:`NARROW_CONFIG` merged into its
    config, and long axis titles set on several lines.

    ``cnslbp.js`` applies the same pairs to the live chart on a phone, so it
    matches the drawing made for phones at build time (:func:`apply_patch`).

    Examples
    --------
    >>> title = "A title far too long for a phone's plot, on two lines"
    >>> spec = {"mark": "point", "encoding": {"x": {"field": "a", "title": title}}}
    >>> [path for path, value in narrow_patch(spec)]
    [['config'], ['encoding', 'x', 'title']]
    >>> apply_patch(spec, narrow_patch(spec))["encoding"]["x"]["title"]
    ["A title far too long for a phone's plot,", 'on two lines']
    """
    config = dict(spec.get("config") or {})
    for section, settings in NARROW_CONFIG.items():
        config[section] = {**(config.get(section) or {}), **settings}
    return [(["config"], config), *_long_titles(spec, [])]


def apply_patch(spec: dict[str, Any], patch: list[tuple[SpecPath, Any]]) -> dict[str, Any]:
    """A copy of ``spec`` with each (path, value) of ``patch`` set."""
    patched = json.loads(json.dumps(spec))
    for path, value in patch:
        node = patched
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value
    return patched  # type: ignore[no-any-return]


def static_svg(spec: dict[str, Any], *, element: str, width: int = STATIC_WIDTH, narrow: bool = False) -> str:
    """The chart drawn to SVG now, ``width`` pixels wide where it fills its container.

    The SVG scales down with its container (it keeps its viewBox), carries the
    chart's accessible name (the description's first sentence) and description,
    and its internal ids are prefixed with ``element`` so charts on one page
    never share an id. ``narrow`` draws the phone's form instead:
    :data:`NARROW_WIDTH` wide, with :func:`narrow_patch` applied, ids prefixed
    with ``element-narrow`` and the class ``cnslbp-static--narrow``.
    """
    import vl_convert  # noqa: PLC0415 (only the site build draws charts; kernels never load it)

    if narrow:
        spec, element, width = apply_patch(spec, narrow_patch(spec)), f"{element}-narrow", NARROW_WIDTH
    spec = {key: value for key, value in spec.items() if key != "$schema"}
    spec["description"] = _described(str(spec.get("description", "Chart")), _meta(spec, "still"))
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
    static = "cnslbp-static cnslbp-static--narrow" if narrow else "cnslbp-static"
    tag = opening.group(0).replace(' class="marks"', f' class="marks {static}"')
    tag = tag[:-1] + f' role="img" aria-label="{html.escape(name)}"'
    desc = ""
    if rest:
        tag += f' aria-describedby="{element}-desc"'
        desc = f'<desc id="{element}-desc">{html.escape(rest, quote=False)}</desc>'
    return tag + ">" + desc + svg[opening.end() :]


def has_narrow_form(spec: dict[str, Any]) -> bool:
    """Whether a chart fills its container, and so gets a drawing of its own for phones."""
    return spec.get("width") == "container"


def _reserved(svg: str, spec: dict[str, Any]) -> int:
    height = re.search(r'<svg\b[^>]*\bheight="(\d+(?:\.\d+)?)"', svg)
    return round(float(height.group(1)) if height else 0) + CONTROL_HEIGHT * _bound_inputs(spec)


def _json_script(element: str, payload: Any, **attributes: str) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False).replace("<", "\\u003c")
    extra = "".join(f' {name}="{html.escape(value)}"' for name, value in attributes.items())
    return f'<script type="application/json" id="{element}"{extra}>{text}</script>'


def static_chart_html(chart: ChartHtml, svg: str, narrow_svg: str = "") -> str:
    """The page's markup for one chart: its static SVG (and its phone form, ``narrow_svg``), and its spec
    for cnslbp.js if it is interactive.

    An interactive chart keeps room for its live drawing (``min-height``, set
    from ``--cnslbp-reserve``: the static height, plus one row per slider; on a
    phone, ``--cnslbp-reserve-narrow`` from the phone's drawing), so nothing below
    it moves when the live chart replaces the static one. The static drawings
    stay in the page, hidden, for print. The live chart's description ends
    with what its controls do (:func:`with_controls`); on a phone, cnslbp.js
    applies :func:`narrow_patch` (written beside the spec) before drawing.
    """
    description = html.escape(chart.description)
    drawings = svg + narrow_svg
    if not is_interactive(chart.spec):
        return f'<div class="{CHART_CLASS}" id="{chart.element}" data-description="{description}">{drawings}</div>'
    reserve = f"--cnslbp-reserve: {_reserved(svg, chart.spec)}px"
    if narrow_svg:
        reserve += f"; --cnslbp-reserve-narrow: {_reserved(narrow_svg, chart.spec)}px"
    live = _sentences(_described(chart.description, _meta(chart.spec, "live")))[1]
    markup = (
        f'<div class="{CHART_CLASS} {CHART_CLASS}--interactive" id="{chart.element}" '
        f'data-description="{description}" style="{reserve}">{drawings}</div>\n'
        + _json_script(f"{chart.element}-spec", chart.spec, **{"data-live-description": live})
    )
    if narrow_svg:
        markup += "\n" + _json_script(f"{chart.element}-narrow", narrow_patch(chart.spec))
    return markup
