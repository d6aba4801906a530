"""Shared static assets: the Vega, Vega-Lite and vega-embed JavaScript, from vl-convert-python.

vl-convert-python ships Vega, Vega-Lite and vega-embed inside its wheel and can emit them as one
self-contained script (no imports, no network), so `pip install` is all a machine needs. The
bundle is written once per site as assets/vega-<versions>.js and reused from the previous site
when the versions match (making it takes a few seconds).
"""

from __future__ import annotations

import shutil
from pathlib import Path

VEGA_LITE_VERSION = "6.4"
_SNIPPET = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"


def vega_bundle_name() -> str:
    import vl_convert as vlc

    return f"vega-{vlc.get_vega_version()}-vl-{VEGA_LITE_VERSION}-embed-{vlc.get_vega_embed_version()}.js"


def write_vega_bundle(assets_dir: Path, previous_assets: Path | None = None) -> str:
    """Write the bundle into assets_dir (copying it from previous_assets when there); return its file name."""
    name = vega_bundle_name()
    target = assets_dir / name
    if previous_assets is not None and (previous_assets / name).is_file():
        shutil.copyfile(previous_assets / name, target)
        return name
    import vl_convert as vlc

    code = vlc.javascript_bundle(_SNIPPET, vl_version=VEGA_LITE_VERSION)
    # A function scope keeps the bundle's top-level names out of the page's global scope.
    target.write_text("(function () {\n" + code + "\n})();\n", encoding="utf-8")
    return name
