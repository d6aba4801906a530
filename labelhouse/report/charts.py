"""Turn a chart block's small YAML description into a Vega-Lite spec, through Altair.

The chart's rows are not in the spec: it reads the named data source `rows`, which the page's
script fills (and refills when a filter changes). Field types come from the query's result
columns, so a block only names columns.
"""

from __future__ import annotations

from typing import Any

import altair as alt

from labelhouse.report.pages import ReportPageError

DATA_NAME = "rows"
SMALL_N = 30
MARKS = ("line", "bar", "area", "point", "heatmap", "rule", "tick")
PALETTE = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d", "#ff9da6", "#79706e"]


def _vl_type(kind: str) -> str:
    return {"temporal": "temporal", "quantitative": "quantitative"}.get(kind, "nominal")


def _title(options: dict[str, Any], axis: str, field: str) -> str:
    return str(options.get(f"{axis}_title", field.replace("_", " ")))


def _channel(cls: Any, field: str, kinds: dict[str, str], options: dict[str, Any], axis: str, **extra: Any) -> Any:
    kind = _vl_type(kinds.get(field, "nominal"))
    if axis in ("x", "y") and f"{axis}_type" in options:
        kind = options[f"{axis}_type"]
    kw: dict[str, Any] = {"field": field, "type": kind, "title": _title(options, axis, field)}
    if options.get(f"{axis}_title") is False:
        kw["title"] = None
    axis_kw: dict[str, Any] = {}
    if f"{axis}_format" in options:
        axis_kw["format"] = options[f"{axis}_format"]
    scale_kw: dict[str, Any] = {}
    if kind == "temporal" and options.get(f"{axis}_band"):
        # one band per period (weekly bars): an ordinal axis of UTC days
        kind = "ordinal"
        kw["type"] = kind
        kw["timeUnit"] = "utcyearmonthdate"
        axis_kw.setdefault("format", options.get(f"{axis}_format", "%b %-d"))
        axis_kw["labelAngle"] = 0
        axis_kw["labelOverlap"] = True
    elif kind == "temporal":
        # the warehouse is UTC: a UTC scale draws and labels days as they are stored
        scale_kw["type"] = "utc"
        axis_kw.setdefault("format", options.get(f"{axis}_format", "%b %-d"))
        axis_kw["labelOverlap"] = True
    if kind == "quantitative":
        if f"{axis}_domain" in options:
            scale_kw["domain"] = options[f"{axis}_domain"]
        if options.get(f"{axis}_zero") is False or (axis == "y" and options.get("zero") is False):
            scale_kw["zero"] = False
    if kind == "nominal" and axis in ("x", "y"):
        axis_kw["labelLimit"] = 260 if axis == "y" else 160
        if axis == "x":
            axis_kw["labelAngle"] = options.get("x_label_angle", -30)
        if f"{axis}_sort" in options:
            kw["sort"] = options[f"{axis}_sort"]
    if axis_kw and axis in ("x", "y"):
        kw["axis"] = alt.Axis(**axis_kw)
    if scale_kw:
        kw["scale"] = alt.Scale(**scale_kw)
    kw.update(extra)
    return cls(**kw)


def _tooltip(fields: list[str], kinds: dict[str, str]) -> list[Any]:
    tips = []
    for f in fields:
        kind = _vl_type(kinds.get(f, "nominal"))
        if kind == "quantitative":
            tips.append(alt.Tooltip(field=f, type=kind, format=",.4~f"))
        elif kind == "temporal":
            tips.append(alt.Tooltip(field=f, type=kind, timeUnit="utcyearmonthdate", format="%Y-%m-%d"))
        else:
            tips.append(alt.Tooltip(field=f, type=kind))
    return tips


def _derived_fields(
    options: dict[str, Any], kinds: dict[str, str], where: str
) -> tuple[dict[str, Any], dict[str, str], list[dict[str, Any]]]:
    """Columns the chart derives in the browser: a list of columns as color or dash joins them into
    one series field (`model_name model_version`), `fold: [a, b]` turns columns into (metric, value) rows."""
    options, kinds = dict(options), dict(kinds)
    transforms: list[dict[str, Any]] = []
    fold = options.get("fold")
    if fold is not None:
        if not isinstance(fold, list) or not fold or any(c not in kinds for c in fold):
            raise ReportPageError(f"{where}: fold must list result columns, e.g. fold: [precision, recall]")
        key, value = options.get("fold_as", ["metric", "value"])
        transforms.append({"fold": {"fold": fold, "as_": [key, value]}})
        kinds[key], kinds[value] = "nominal", "quantitative"
    for channel in ("color", "dash"):
        cols = options.get(channel)
        if not isinstance(cols, list):
            continue
        bad = [c for c in cols if c not in kinds]
        if bad or not cols:
            raise ReportPageError(
                f"{where}: {channel}: columns {bad} are not in the query's result ({', '.join(kinds)})"
            )
        name = f"{channel}_series"
        expr = " + ' ' + ".join(f"datum['{c}']" for c in cols)
        transforms.append({"calculate": {name: expr}})
        kinds[name] = "nominal"
        options[channel] = name
        options.setdefault(f"{channel}_title", " ".join(c.replace("_", " ") for c in cols))
        options["tooltip"] = [*cols, *[t for t in options.get("tooltip", []) or [] if t not in cols]]
    return options, kinds, transforms


def chart_spec(options: dict[str, Any], kinds: dict[str, str], where: str) -> dict[str, Any]:
    """The Vega-Lite spec (a dict) of one chart block; `kinds` maps column -> temporal|quantitative|nominal."""
    mark = options.get("type", "line")
    options, kinds, transforms = _derived_fields(options, kinds, where)
    if mark not in MARKS:
        raise ReportPageError(f"{where}: chart type '{mark}' is not one of {', '.join(MARKS)}")
    for key in ("x", "y", "color", "column", "n", "text", "size", "detail", "dash"):
        for col in options.get(key) if isinstance(options.get(key), list) else [options.get(key)]:
            if col is not None and col not in kinds:
                raise ReportPageError(
                    f"{where}: {key}: column '{col}' is not in the query's result ({', '.join(kinds)})"
                )
    ci = options.get("ci")
    if ci is not None and (not isinstance(ci, list) or len(ci) != 2 or any(c not in kinds for c in ci)):
        raise ReportPageError(f"{where}: ci must name two result columns [low, high]")

    base = alt.Chart(alt.Data(name=DATA_NAME))
    for transform in transforms:
        base = (
            base.transform_fold(**transform["fold"])
            if "fold" in transform
            else base.transform_calculate(**transform["calculate"])
        )
    enc: dict[str, Any] = {}
    x, y = options.get("x"), options.get("y")
    if x:
        enc["x"] = _channel(alt.X, x, kinds, options, "x")
    if y:
        enc["y"] = _channel(alt.Y, y, kinds, options, "y")
    if mark == "bar" and "stack" in options:
        channel = "y" if y and _vl_type(kinds.get(y, "")) == "quantitative" else "x"
        enc[channel] = enc[channel].stack(options["stack"] if options["stack"] != "none" else None)
    color = options.get("color")
    if color and mark != "heatmap":
        scale = alt.Scale(range=PALETTE) if _vl_type(kinds[color]) == "nominal" else alt.Scale()
        if "color_domain" in options:
            scale = alt.Scale(domain=options["color_domain"], range=options.get("color_range", PALETTE))
        enc["color"] = _channel(
            alt.Color,
            color,
            kinds,
            options,
            "color",
            scale=scale,
            legend=alt.Legend(orient="bottom", columns=options.get("legend_columns", 4), labelLimit=220),
        )
    if options.get("detail"):
        details = options["detail"] if isinstance(options["detail"], list) else [options["detail"]]
        enc["detail"] = [alt.Detail(field=d, type="nominal") for d in details]
    if options.get("dash"):
        enc["strokeDash"] = alt.StrokeDash(
            field=options["dash"],
            type="nominal",
            title=_title(options, "dash", options["dash"]),
            legend=alt.Legend(orient="bottom"),
        )
    n_col = options.get("n")
    min_n = int(options.get("min_n", SMALL_N))
    tip_fields = [f for f in [x, y, color, options.get("text"), *(ci or []), n_col] if f]
    tip_fields += [f for f in options.get("tooltip", []) if f not in tip_fields]
    enc["tooltip"] = _tooltip(list(dict.fromkeys(tip_fields)), kinds)
    if n_col:
        # Small samples are drawn faint rather than as solid numbers.
        enc["opacity"] = alt.condition(f"datum['{n_col}'] < {min_n}", alt.value(0.3), alt.value(1.0))

    layers: list[Any] = []
    if mark == "heatmap":
        value = options.get("color") or options.get("value")
        heat = base.mark_rect().encode(
            x=enc["x"],
            y=enc["y"],
            color=_channel(
                alt.Color,
                value,
                kinds,
                options,
                "color",
                scale=alt.Scale(
                    scheme=options.get("scheme", "blues"),
                    **({"domain": options["color_domain"]} if "color_domain" in options else {}),
                ),
                legend=alt.Legend(orient="right", format=options.get("color_format", ".2f")),
            ),
            tooltip=enc["tooltip"],
            **({"opacity": enc["opacity"]} if "opacity" in enc else {}),
        )
        layers.append(heat)
        if options.get("text"):
            layers.append(
                base.mark_text(fontSize=10).encode(
                    x=enc["x"],
                    y=enc["y"],
                    text=alt.Text(field=options["text"], type="quantitative", format=options.get("text_format", ".2f")),
                    color=alt.condition(
                        f"datum['{value}'] > {options.get('text_dark_above', 0.5)}",
                        alt.value("white"),
                        alt.value("#222"),
                    ),
                )
            )
    else:
        mark_kw: dict[str, Any] = {}
        if mark == "line":
            mark_kw = {
                "point": bool(options.get("points", False)),
                "strokeWidth": 2,
                "interpolate": options.get("interpolate", "linear"),
            }
        if mark == "point":
            mark_kw = {"filled": True, "size": options.get("point_size", 60)}
        if mark == "area":
            mark_kw = {"opacity": 0.8}
        if mark == "bar" and options.get("bar_size"):
            mark_kw = {"size": options["bar_size"]}
        line_n = mark == "line" and "opacity" in enc
        if line_n:
            # one line is one mark: mark small samples on its points instead
            mark_kw["point"] = False
            main_enc = {k: v for k, v in enc.items() if k != "opacity"}
        else:
            main_enc = enc
        main = getattr(base, f"mark_{mark}")(**mark_kw).encode(**main_enc)
        if ci:
            lo, hi = ci
            horizontal = (
                x is not None
                and _vl_type(kinds.get(x, "")) == "quantitative"
                and (y is not None and _vl_type(kinds.get(y, "")) != "quantitative")
            )
            band = mark in ("line", "area")
            # a band keeps its own (low) opacity: the n < 30 opacity encoding would make it solid
            kept = ("color", "detail") if band else ("color", "opacity", "detail")
            ci_enc: dict[str, Any] = {k: v for k, v in enc.items() if k in kept}
            if horizontal:
                ci_enc["y"] = enc["y"]
                ci_enc["x"] = alt.X(field=lo, type="quantitative")
                ci_enc["x2"] = alt.X2(field=hi)
            else:
                ci_enc["x"] = enc["x"]
                ci_enc["y"] = alt.Y(field=lo, type="quantitative")
                ci_enc["y2"] = alt.Y2(field=hi)
            if band:
                ci_mark = base.mark_area(opacity=float(options.get("ci_opacity", 0.12)))
            else:
                ci_mark = base.mark_rule(strokeWidth=2)
            layers.append(ci_mark.encode(**ci_enc))
        layers.append(main)
        if line_n:
            layers.append(
                base.mark_point(filled=True, size=28).encode(
                    **{k: v for k, v in enc.items() if k in ("x", "y", "color", "tooltip", "detail")},
                    opacity=alt.condition(f"datum['{n_col}'] < {min_n}", alt.value(0.0), alt.value(0.9)),
                )
            )
        if options.get("highlight"):
            hl = options["highlight"]
            layers.append(
                base.mark_point(size=140, filled=True, shape="diamond", color="#222")
                .encode(x=enc["x"], y=enc["y"], tooltip=enc["tooltip"])
                .transform_filter(f"datum['{hl}']")
            )
    for rule in options.get("rules", []) or []:
        axis, value = next(iter(rule.items()))
        rule_data = alt.Chart(alt.Data(values=[{"v": value}]))
        channel = alt.X if axis == "x" else alt.Y
        enc_rule = {axis: channel(field="v", type="quantitative")}
        layers.append(rule_data.mark_rule(color="#888", strokeDash=[4, 4]).encode(**enc_rule))
    if options.get("diagonal"):
        diag = (
            alt.Chart(alt.Data(values=[{"a": 0, "b": 0}, {"a": 1, "b": 1}]))
            .mark_line(color="#999", strokeDash=[4, 4])
            .encode(x=alt.X(field="a", type="quantitative"), y=alt.Y(field="b", type="quantitative"))
        )
        layers.insert(0, diag)

    chart: Any = layers[0] if len(layers) == 1 else alt.layer(*layers)
    props: dict[str, Any] = {"height": int(options.get("height", 260))}
    if options.get("column"):
        col = options["column"]
        chart = (
            chart.properties(width=int(options.get("facet_width", 220)), height=props["height"]).facet(
                column=alt.Column(field=col, type="nominal", title=_title(options, "column", col)),
                data=alt.Data(name=DATA_NAME),
            )
            if len(layers) > 1
            else chart.properties(width=int(options.get("facet_width", 220)), height=props["height"]).encode(
                column=alt.Column(field=col, type="nominal", title=_title(options, "column", col))
            )
        )
        if "resolve" in options:
            chart = chart.resolve_scale(**options["resolve"])
        spec = chart.to_dict()
    else:
        props["width"] = "container"
        spec = chart.properties(**props).to_dict()
    spec.pop("$schema", None)
    if options.get("title"):
        spec["title"] = {"text": options["title"], "anchor": "start", "fontSize": 14}
    spec.setdefault("config", {}).update(_config())
    if isinstance(options.get("vega_lite"), dict):
        _deep_merge(spec, options["vega_lite"])  # escape hatch: any Vega-Lite property, merged in
    return spec


def _deep_merge(target: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_merge(target[key], value)
        elif key == "encoding" and "layer" in target:
            for layer in target["layer"]:
                if "encoding" in layer:
                    _deep_merge(layer["encoding"], value)
        else:
            target[key] = value


def _config() -> dict[str, Any]:
    font = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Liberation Sans', sans-serif"
    return {
        "font": font,
        "view": {"stroke": None},
        "axis": {
            "labelFontSize": 11,
            "titleFontSize": 12,
            "titleFontWeight": 500,
            "gridColor": "#eee",
            "labelColor": "#444",
            "titleColor": "#333",
            "domainColor": "#bbb",
            "tickColor": "#bbb",
        },
        "legend": {
            "labelFontSize": 11,
            "titleFontSize": 12,
            "titleFontWeight": 500,
            "symbolSize": 80,
            "symbolOpacity": 1,
        },
        "range": {"category": PALETTE},
        "autosize": {"type": "fit-x", "contains": "padding"},
    }
