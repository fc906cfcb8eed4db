"""The offline, deterministic renderer every chart goes through, and the shared palette.

Every chart uses the Okabe–Ito colour-blind-safe palette, labels its axes with
units and direction, shows participant label, stage and score on hover, and
carries a text alternative in its ``description`` (Vega puts it on the SVG as
its accessible name). :func:`enable` registers a renderer whose HTML calls the
page's own ``vegaEmbed`` (served from the site, never a CDN) and whose element
ids come from a hash of the spec, so re-executing a chapter gives identical
output.
"""

from __future__ import annotations

import hashlib
import html
import json
from typing import Any

import altair as alt

from ...data.instruments import get_stage

__all__ = ["CHART_CLASS", "OKABE_ITO", "WIDTH", "enable", "stage_label", "to_html"]

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
MAX_LINES = 200
# charts fill their container, so they fit a phone and a desktop page alike
WIDTH = "container"
CHART_CLASS = "cnslbp-chart"
EMBED_OPTIONS = {"renderer": "svg", "actions": False, "mode": "vega-lite"}


def stage_label(number: int) -> str:
    stage = get_stage(number)
    return f"{number}: {stage.name}"


def _spec_id(spec: dict[str, Any]) -> str:
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False)
    return "cnslbp-chart-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def to_html(spec: dict[str, Any]) -> str:
    """HTML that draws ``spec`` with the page's ``vegaEmbed``; deterministic.

    Once drawn, the SVG gets ``role="img"`` and the chart's description as its
    accessible name; if drawing fails, the description is shown in its place.
    """
    # the $schema URL only names the format; leaving it out keeps every page free of outside hosts
    spec = {key: value for key, value in spec.items() if key != "$schema"}
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
    )


def _render(spec: dict[str, Any], **metadata: Any) -> dict[str, str]:
    return {"text/html": to_html(spec), "text/plain": str(spec.get("description", "Chart"))}


def enable() -> None:
    """Make Altair charts display through the offline, deterministic renderer."""
    alt.renderers.register("cnslbp", _render)
    alt.renderers.enable("cnslbp")
    alt.data_transformers.disable_max_rows()
