"""Sphinx extension for the book website: dataset banner, offline charts, page hygiene.

- Validates the cohort file before anything is read or written; a bad file
  stops the build with the validator's full message.
- Puts the dataset's provenance and SHA-256 in the announcement bar of every page.
- Writes one self-contained Vega / Vega-Lite / Vega-Embed bundle (from
  vl-convert, matching Altair's Vega-Lite version) into the site and loads it
  only on pages that have a chart: no CDN, no request to any other host.
- Removes the duplicate sphinx-thebe script that Sphinx 7.4 emits twice.
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert
from sphinx.application import Sphinx
from sphinx.errors import ConfigError

from ..data.load import load_cohort
from ..data.source import cohort_path, provenance
from ..exceptions import CohortValidationError
from .charts import CHART_CLASS

__all__ = ["VEGA_BUNDLE", "setup", "vega_lite_version"]

VEGA_BUNDLE = "_vendor/vega-bundle.js"
CHART_MARKER = f'class="{CHART_CLASS}"'
logger = logging.getLogger(__name__)


def vega_lite_version() -> str:
    """Altair's Vega-Lite version as major.minor, the form vl-convert bundles by."""
    major, minor, *_ = alt.SCHEMA_VERSION.lstrip("v").split(".")
    return f"{major}.{minor}"


def _announce_dataset(app: Sphinx, config: Any) -> None:
    path = cohort_path()
    try:
        cohort = load_cohort(path)
    except CohortValidationError as error:
        raise ConfigError(f"the cohort file is not valid, so nothing was built.\n{error}") from None
    source = provenance(cohort)
    kind = "reconstructed dataset (not patient data)" if source.is_reconstruction else "user-supplied cohort file"
    announcement = (
        f'<span class="cnslbp-provenance" data-kind="{source.kind}">Built from the {kind} '
        f"<code>{html.escape(source.file_name)}</code>, SHA-256 "
        f'<code class="cnslbp-sha">{source.sha256}</code></span>'
    )
    config.html_theme_options = {**config.html_theme_options, "announcement": announcement}
    # an "env" config value: when the data change, Sphinx re-reads (so re-executes) every chapter
    config.cnslbp_dataset_sha256 = source.sha256
    logger.info("cnslbp: building from %s (%s, SHA-256 %s)", path, source.kind, source.sha256)


_THEBE_BLOCKS = re.compile(
    r'\s*<script type="text/x-thebe-config">.*?</script>|\s*<script>kernelName = .*?</script>', re.S
)


def _is_thebe(asset: Any) -> bool:
    text = f"{asset} {getattr(asset, 'attributes', {}).get('body', '')}"
    return "thebe" in text.lower()


def _page_assets(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Load the Vega bundle on chart pages only; drop thebe, which the book never uses.

    Jupyter Book always adds sphinx-thebe, whose page config names a CDN and
    whose inline script Sphinx 7.4 emits twice; a static book runs no live
    kernels, so its assets and configuration are removed.
    """
    body = context.get("body", "")
    has_charts = CHART_MARKER in body
    if has_charts:
        source = context["pathto"](VEGA_BUNDLE, 1)
        context["metatags"] = context.get("metatags", "") + f'\n<script src="{source}"></script>'
    # Sphinx loads MathJax on the root page whenever any chapter has math; load it only where
    # math is, and on chart pages only once the charts are drawn (cnslbp.js), so they don't compete
    # the loader is the MathJax script with a file; the inline configuration has none and stays
    mathjax = [
        script
        for script in context.get("script_files", [])
        if "mathjax" in (getattr(script, "filename", None) or "").lower()
    ]
    has_math = 'class="math' in body
    if mathjax and (has_charts or not has_math):
        context["script_files"] = [script for script in context["script_files"] if script not in mathjax]
        if has_math:
            source = context["pathto"](mathjax[0].filename, 1)
            context["metatags"] = (
                context.get("metatags", "") + f'\n<script>window.CNSLBP_MATHJAX = "{source}";</script>'
            )
    # docutils marks bibliography entries as doc-biblioentry inside role="list", which
    # ARIA does not allow (a list's children must be list items)
    body = body.replace('role="doc-biblioentry"', 'role="listitem"')
    context["body"] = _THEBE_BLOCKS.sub("", body)
    context["script_files"] = [script for script in context.get("script_files", []) if not _is_thebe(script)]
    context["css_files"] = [sheet for sheet in context.get("css_files", []) if not _is_thebe(sheet)]


def _write_vega_bundle(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / VEGA_BUNDLE
    target.parent.mkdir(parents=True, exist_ok=True)
    # the bundle declares top-level names (such as `_`) that clash with the theme's scripts
    # when loaded as a classic script; a function scope keeps them private
    exports = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"
    bundle = vl_convert.javascript_bundle(exports, vl_version=vega_lite_version())
    bundle = "(function () {\n" + bundle + "\n})();\n"
    if not target.exists() or target.read_text(encoding="utf-8") != bundle:
        target.write_text(bundle, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("cnslbp_dataset_sha256", "", "env")
    app.connect("config-inited", _announce_dataset)
    app.connect("html-page-context", _page_assets)
    app.connect("build-finished", _write_vega_bundle)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
