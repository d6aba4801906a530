"""Great Expectations gates: the raw gate on the landed exports, the mart gate on the candidate.

Suites are reviewed JSON files in `expectations/` (one per raw entity and mart family). Each file
holds GX expectation configurations (`type`, `kwargs`, `meta`, `severity`) grouped by the table
("asset") they validate, and a `parameters` block with every threshold. Kwargs may refer to a
parameter as `{"$PARAMETER": "name"}`, SQL text as `${name}`. Parameters can be overridden per
build (`build(..., gate_params=...)` or the environment variable LABELHOUSE_GATE_PARAMS, a JSON
object) without editing the suites. A reject reason is named by its key only (`meta.reject_reasons`);
a `value_set` written `"$REJECT_REASONS"` becomes those keys' texts from dbt_project.yml at load.

Every expectation is pushed down to DuckDB as SQL through GX's SQL data source (see
gx_compat.py), on the candidate file opened read-only; nothing is loaded into pandas. Failing
expectations are re-run once with the failing rows' `source_file`/`source_row_number` so the
message can name the files.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import os
import re
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from labelhouse.contract import dbt_vars
from labelhouse.errors import GateFailed
from labelhouse.paths import PROJECT_ROOT

EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
PARAMS_ENV = "LABELHOUSE_GATE_PARAMS"
NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL", "UBIGINT")
_TEXT_PARAM = re.compile(r"\$\{(\w+)\}")
# A kwargs value_set written so is the texts of the expectation's meta.reject_reasons keys.
REJECT_REASONS_MARKER = "$REJECT_REASONS"


class RawGateFailed(GateFailed):
    """The raw exports have more row-level problems than the suites tolerate."""

    exit_code = 4


class MartGateFailed(GateFailed):
    """The candidate warehouse's marts break a range, reconciliation or privacy expectation."""

    exit_code = 6


# --------------------------------------------------------------------------------------------
# Suites
# --------------------------------------------------------------------------------------------


@dataclass
class SuiteFile:
    """One reviewed suite file: a gate, its parameters and the assets it validates."""

    name: str
    gate: str
    description: str
    parameters: dict[str, Any]
    assets: list[dict[str, Any]]
    path: Path
    reasons: dict[str, str] = field(default_factory=dict)  # reject reason key -> text, as loaded


@functools.cache
def reject_reasons(project_dir: Path | None = None) -> dict[str, str]:
    """Reject reason key -> the text staging writes (var `reject_reasons` in dbt_project.yml, the one
    list; the base_raw__ models write it through the macro reject_reason). project_dir: the dbt
    project (default: labelhouse.paths.PROJECT_ROOT)."""
    return dict(dbt_vars(project_dir)["reject_reasons"])


def _suite_parameters(spec: dict[str, Any], path: Path, project_dir: Path | None = None) -> dict[str, Any]:
    """A suite's parameters, {"$DBT_VAR": name} replaced by the dbt var's value."""
    params: dict[str, Any] = {}
    for key, value in (spec.get("parameters") or {}).items():
        if isinstance(value, dict) and "$DBT_VAR" in value:
            name = value["$DBT_VAR"]
            if name not in dbt_vars(project_dir):
                raise GateFailed(f"{path.name}: parameter '{key}' reads dbt var '{name}', which dbt_project.yml lacks.")
            value = dbt_vars(project_dir)[name]
        params[key] = value
    return params


def _suite_expectations(spec: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    """(asset name, expectation) for every expectation a suite states, column rules' included."""
    for asset in spec.get("assets") or []:
        name = str(asset.get("name") or asset.get("table") or "?")
        for expectation in asset.get("expectations") or []:
            yield name, expectation
        for rule in asset.get("column_rules") or []:
            if isinstance(rule.get("expectation"), dict):
                yield name, rule["expectation"]


def _resolve_reject_reasons(spec: dict[str, Any], path: Path, reasons: dict[str, str]) -> None:
    """Check every `meta.reject_reasons` key against `reasons` (var('reject_reasons')) and write
    each `"value_set": "$REJECT_REASONS"` as the texts of its expectation's keys, in place.

    The suites state reason keys only: a value_set listing a reason's text, or a literal list on
    `row_status` (the column the raw suites read reject reasons from), is refused, so renaming a
    reason in dbt_project.yml can never leave a suite checking a text no row carries."""
    texts = set(reasons.values())
    for asset, expectation in _suite_expectations(spec):
        where = f"{path.name}: asset '{asset}', expectation '{(expectation.get('meta') or {}).get('problem', '?')}'"
        keys = (expectation.get("meta") or {}).get("reject_reasons") or []
        if not isinstance(keys, list):
            raise GateFailed(f"{where}: meta.reject_reasons must be a list of keys of var('reject_reasons').")
        for key in keys:
            if key not in reasons:
                raise GateFailed(
                    f"{path.name}: reject reason '{key}' is not a key of var('reject_reasons') in dbt_project.yml "
                    f"(asset '{asset}')."
                )
        kwargs = expectation.get("kwargs") or {}
        value_set = kwargs.get("value_set")
        if value_set == REJECT_REASONS_MARKER:
            if not keys:
                raise GateFailed(
                    f"{where}: value_set is {REJECT_REASONS_MARKER!r} but meta.reject_reasons names no key."
                )
            kwargs["value_set"] = [reasons[key] for key in keys]
        elif isinstance(value_set, list):
            restated = sorted(v for v in value_set if isinstance(v, str) and v in texts)
            if restated or (keys and kwargs.get("column") == "row_status"):
                raise GateFailed(
                    f"{where}: value_set lists reject reason text {restated or value_set}; name the keys in "
                    f'meta.reject_reasons and write "value_set": "{REJECT_REASONS_MARKER}".'
                )


def load_suites(
    gate: str,
    directory: Path | None = None,
    reasons: dict[str, str] | None = None,
    project_dir: Path | None = None,
) -> list[SuiteFile]:
    """Every suite file in `directory` (default: the dbt project's expectations/) belonging to `gate`
    ('raw' | 'mart'), its reject reason keys resolved against `reasons` (default: the project's
    var('reject_reasons')) and its $DBT_VAR parameters against the project's vars. project_dir: the
    dbt project (default: labelhouse.paths.PROJECT_ROOT)."""
    directory = Path(directory or Path(project_dir or PROJECT_ROOT) / EXPECTATIONS_DIR.name)
    reasons = dict(reject_reasons(project_dir) if reasons is None else reasons)
    suites = []
    for path in sorted(directory.glob("*.json")):
        spec = json.loads(path.read_text())
        if spec.get("gate") != gate:
            continue
        _resolve_reject_reasons(spec, path, reasons)
        suites.append(
            SuiteFile(
                name=spec["name"],
                gate=spec["gate"],
                description=spec.get("description", ""),
                parameters=_suite_parameters(spec, path, project_dir),
                assets=list(spec.get("assets") or []),
                path=path,
                reasons=reasons,
            )
        )
    if not suites:
        raise GateFailed(f"No '{gate}' suites found in {directory}: the gate cannot run without them.")
    return suites


def parameter_overrides(explicit: dict[str, Any] | None = None) -> dict[str, Any]:
    """Overrides from LABELHOUSE_GATE_PARAMS (JSON), then the explicit ones on top."""
    overrides: dict[str, Any] = {}
    env = os.environ.get(PARAMS_ENV)
    if env:
        try:
            overrides.update(json.loads(env))
        except json.JSONDecodeError as exc:
            raise GateFailed(f"{PARAMS_ENV} is not a JSON object: {exc}") from None
    overrides.update(explicit or {})
    return overrides


def resolve(value: Any, params: dict[str, Any]) -> Any:
    """Substitute {"$PARAMETER": name} objects and ${name} in strings, recursively."""
    if isinstance(value, dict):
        if set(value) == {"$PARAMETER"}:
            name = value["$PARAMETER"]
            if name not in params:
                raise GateFailed(f"Suite parameter '{name}' is not defined.")
            return params[name]
        return {k: resolve(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, params) for v in value]
    if isinstance(value, str):

        def sub(match: re.Match[str]) -> str:
            if match.group(1) not in params:
                raise GateFailed(f"Suite parameter '{match.group(1)}' is not defined.")
            return str(params[match.group(1)])

        return _TEXT_PARAM.sub(sub, value)
    return value


# --------------------------------------------------------------------------------------------
# Outcomes
# --------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """One expectation's verdict, flattened for messages, history tables and the HTML summary."""

    gate: str
    suite: str
    asset: str
    expectation: str
    column: str | None
    problem: str
    severity: str
    status: str  # passed | failed | warning | skipped
    observed: str | None = None
    threshold: str | None = None
    unexpected_count: int | None = None
    element_count: int | None = None
    unexpected_share: float | None = None
    source_files: list[str] = field(default_factory=list)
    examples: list[dict[str, Any]] = field(default_factory=list)
    note: str | None = None

    def line(self) -> str:
        text = f"{self.asset}: {self.problem}"
        if self.observed is not None:
            text += f": observed {self.observed}"
        if self.threshold:
            text += f" ({self.threshold})"
        if self.source_files:
            text += f"\n      files: {', '.join(self.source_files)}"
        if self.note:
            text += f"\n      {self.note}"
        return text


@dataclass
class GateReport:
    gate: str
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    gx_results: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def warnings(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "warning"]

    def counts(self) -> dict[str, int]:
        counts = {"passed": 0, "failed": 0, "warning": 0, "skipped": 0}
        for o in self.outcomes:
            counts[o.status] += 1
        return counts

    def summary_line(self) -> str:
        c = self.counts()
        n_assets = len({o.asset for o in self.outcomes if o.status != "skipped"})
        verdict = "passed" if self.passed else "FAILED"
        text = f"{self.gate} gate {verdict}: {c['passed']} of {c['passed'] + c['failed'] + c['warning']} "
        text += f"expectations met on {n_assets} tables in {self.seconds:.1f}s"
        extras = [f"{c[k]} {k}" for k in ("failed", "warning", "skipped") if c[k]]
        return text + (f" ({', '.join(extras)})" if extras else "")

    def failure_message(self) -> str:
        lines = [self.summary_line().replace(" gate ", " gate ", 1)]
        lines += ["  FAILED " + o.line() for o in self.failures]
        lines += ["  warning " + o.line() for o in self.warnings]
        return "\n".join(lines)

    def to_rows(self) -> list[dict[str, Any]]:
        return [asdict(o) for o in self.outcomes]


# --------------------------------------------------------------------------------------------
# Inspecting the candidate (plain DuckDB, read-only, small queries only)
# --------------------------------------------------------------------------------------------


@dataclass
class Catalog:
    """What the candidate holds: tables, their columns and types, and row counts on demand."""

    columns: dict[str, list[tuple[str, str]]]
    row_counts: dict[str, int] = field(default_factory=dict)

    def has(self, table: str) -> bool:
        return table in self.columns

    def tables_in(self, schema: str) -> list[str]:
        return sorted(t for t in self.columns if t.split(".", 1)[0] == schema)


def _read_catalog(con: duckdb.DuckDBPyConnection) -> Catalog:
    rows = con.execute(
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() order by table_schema, table_name, ordinal_position"
    ).fetchall()
    columns: dict[str, list[tuple[str, str]]] = {}
    for schema, table, column, dtype in rows:
        columns.setdefault(f"{schema}.{table}", []).append((column, dtype))
    return Catalog(columns)


def _row_count(con: duckdb.DuckDBPyConnection, catalog: Catalog, table: str) -> int:
    if table not in catalog.row_counts:
        catalog.row_counts[table] = int(con.execute(f"select count(*) from {table}").fetchone()[0])  # type: ignore[index]
    return catalog.row_counts[table]


def _runtime_parameters(con: duckdb.DuckDBPyConnection, catalog: Catalog, now: dt.datetime) -> dict[str, Any]:
    """Parameters only the data can give: the label taxonomy, the build's clock."""
    params: dict[str, Any] = {"now": now.strftime("%Y-%m-%d %H:%M:%S")}
    if catalog.has("staging.stg_raw__labels"):
        params["taxonomy"] = [
            r[0] for r in con.execute("select label from staging.stg_raw__labels order by 1").fetchall()
        ]
    return params


# --------------------------------------------------------------------------------------------
# Expanding suites into concrete GX suites
# --------------------------------------------------------------------------------------------


@dataclass
class PlannedAsset:
    suite: SuiteFile
    name: str
    table: str
    query: str
    params: dict[str, Any]
    expectations: list[dict[str, Any]]
    index_columns: list[str]
    skipped: str | None = None


def _column_names(catalog: Catalog, table: str) -> list[str]:
    return [c for c, _ in catalog.columns.get(table, [])]


def _expand_rules(asset: dict[str, Any], catalog: Catalog, table: str) -> list[dict[str, Any]]:
    """Column rules: one expectation per numeric column whose name matches, per table."""
    out: list[dict[str, Any]] = []
    for rule in asset.get("column_rules", []):
        pattern = re.compile(rule["name_regex"])
        exclude = re.compile(rule["exclude_regex"]) if rule.get("exclude_regex") else None
        for column, dtype in catalog.columns.get(table, []):
            if rule.get("numeric_only", True) and not dtype.upper().startswith(NUMERIC_TYPES):
                continue
            if pattern.search(column) and not (exclude and exclude.search(column)):
                expectation = copy.deepcopy(rule["expectation"])
                expectation.setdefault("kwargs", {})["column"] = column
                meta = expectation.setdefault("meta", {})
                meta["problem"] = rule["problem"].replace("{column}", column)
                out.append(expectation)
    return out


def _text_predicate(asset: dict[str, Any], catalog: Catalog, table: str, params: dict[str, Any]) -> str | None:
    """OR of `text_column_predicate` over every text column of the table (None when it has none),
    except the columns listed in the asset's `text_columns_except`."""
    template = asset.get("text_column_predicate")
    if not template:
        return None
    template = resolve(template, params)
    skipped = {c.lower() for c in asset.get("text_columns_except", [])}
    texts = [
        c for c, t in catalog.columns.get(table, []) if t.upper().startswith("VARCHAR") and c.lower() not in skipped
    ]
    if not texts:
        return None
    return " or ".join("(" + template.replace("{column}", f'"{c}"') + ")" for c in texts)


def plan_assets(
    suites: list[SuiteFile], con: duckdb.DuckDBPyConnection, catalog: Catalog, overrides: dict[str, Any]
) -> list[PlannedAsset]:
    runtime = _runtime_parameters(con, catalog, dt.datetime.now(dt.UTC).replace(tzinfo=None))
    planned: list[PlannedAsset] = []
    for suite in suites:
        params = {**suite.parameters, **{k: v for k, v in overrides.items() if k in suite.parameters}, **runtime}
        if "freshness_max_age_days" in params:
            newest_allowed = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(
                days=float(params["freshness_max_age_days"])
            )
            params["freshness_min_timestamp"] = newest_allowed.replace(microsecond=0)
        for asset in suite.assets:
            if "for_each_table" in asset:
                spec = asset["for_each_table"]
                name_re = re.compile(spec.get("name_regex", ".*"))
                tables = [t for t in catalog.tables_in(spec["schema"]) if name_re.search(t.split(".", 1)[1])]
                for table in tables:
                    concrete = {k: v for k, v in asset.items() if k != "for_each_table"}
                    concrete["table"] = table
                    concrete["name"] = table.split(".", 1)[1]
                    planned.append(_plan_one(suite, concrete, con, catalog, params))
                if not tables:
                    planned.append(
                        PlannedAsset(
                            suite,
                            asset.get("name", spec["schema"]),
                            "",
                            "",
                            params,
                            [],
                            [],
                            skipped=f"no table in schema {spec['schema']} matches {spec.get('name_regex')}",
                        )
                    )
            else:
                planned.append(_plan_one(suite, asset, con, catalog, params))
    return planned


def _plan_one(
    suite: SuiteFile, asset: dict[str, Any], con: duckdb.DuckDBPyConnection, catalog: Catalog, params: dict[str, Any]
) -> PlannedAsset:
    table = asset.get("table", "")
    name = asset.get("name", table)
    params = dict(params)
    params["table"] = table

    def skip(reason: str) -> PlannedAsset:
        return PlannedAsset(suite, name, table, "", params, list(asset.get("expectations", [])), [], skipped=reason)

    if table and not catalog.has(table):
        return skip(f"table {table} does not exist in this warehouse (yet): suite skipped")
    for needed in asset.get("requires_rows_in", []):
        if not catalog.has(needed) or _row_count(con, catalog, needed) == 0:
            return skip(f"skipped: {needed} has no rows")
    n_rows = _row_count(con, catalog, table) if table else 0
    if asset.get("skip_when_empty") and n_rows == 0:
        return skip("skipped: no rows (no export of this entity)")
    predicate = _text_predicate(asset, catalog, table, params)
    params["text_predicate"] = predicate or "false"
    expectations = [copy.deepcopy(e) for e in asset.get("expectations", [])]
    expectations += _expand_rules(asset, catalog, table)
    if asset.get("text_column_predicate") and predicate is None:
        expectations = [e for e in expectations if "text_predicate" not in json.dumps(e)]
    may_be_empty = set(params.get("may_be_empty", []))
    if name in may_be_empty:
        expectations = [e for e in expectations if e["type"] != "expect_table_row_count_to_be_between"]
    resolved = []
    for e in expectations:
        e = resolve(e, params)
        kwargs = e.setdefault("kwargs", {})
        if "mostly" in kwargs and params.get("tolerated_bad_rows") and n_rows:
            # A handful of bad rows in a tiny export is not a share worth failing a build on.
            requested = float(kwargs["mostly"])
            floor = max(0.0, 1.0 - float(params["tolerated_bad_rows"]) / n_rows)
            kwargs["mostly"] = round(min(requested, floor), 12)
            e.setdefault("meta", {})["mostly_requested"] = requested
        tolerance = (e.get("meta") or {}).get("tolerance")
        if tolerance:
            # floating-point sums land a hair outside an exact bound (1.0000000000000002)
            if kwargs.get("min_value") is not None:
                kwargs["min_value"] = kwargs["min_value"] - float(tolerance)
            if kwargs.get("max_value") is not None:
                kwargs["max_value"] = kwargs["max_value"] + float(tolerance)
        resolved.append(e)
    query = " ".join(resolve(asset.get("query") or f"select * from {table}", params).split())
    if not query.lower().startswith("select "):  # GX wants a bare SELECT; a CTE goes in a subquery
        query = f"select * from ({query}) as q"
    if asset.get("index_columns") == "$KEYS":
        # a mart's first few descriptive columns say which row broke the rule
        keys = [c for c, t in catalog.columns.get(table, []) if not t.upper().startswith(NUMERIC_TYPES)]
        index_columns = keys[:4]
    elif "index_columns" in asset:
        index_columns = list(asset["index_columns"])
    else:
        columns = _column_names(catalog, table)
        index_columns = [c for c in ("source_file", "source_row_number") if c in columns]
    return PlannedAsset(suite, name, table, query, params, resolved, index_columns)


# --------------------------------------------------------------------------------------------
# Running the gate
# --------------------------------------------------------------------------------------------


def _describe(config: dict[str, Any]) -> tuple[str | None, str]:
    kwargs = config.get("kwargs", {})
    column = (
        kwargs.get("column")
        or (f"{kwargs['column_A']}, {kwargs['column_B']}" if "column_A" in kwargs else None)
        or (", ".join(kwargs["column_list"]) if "column_list" in kwargs else None)
    )
    problem = (config.get("meta") or {}).get("problem") or config.get("description") or config["type"]
    return column, problem


def _threshold(config: dict[str, Any]) -> str | None:
    kwargs = config.get("kwargs", {})
    if "mostly" in kwargs and kwargs["mostly"] < 1:
        return f"at most {100 * (1 - kwargs['mostly']):.2f}% allowed"
    if "min_value" in kwargs or "max_value" in kwargs:
        lo, hi = kwargs.get("min_value"), kwargs.get("max_value")
        low = "-inf" if lo is None else (f"{lo:.6g}" if isinstance(lo, int | float) else str(lo))
        high = "inf" if hi is None else (f"{hi:.6g}" if isinstance(hi, int | float) else str(hi))
        return f"expected in [{low}, {high}]"
    if config["type"] == "unexpected_rows_expectation":
        return "expected no such rows"
    return None


def _observed(
    result: dict[str, Any], config: dict[str, Any]
) -> tuple[str | None, int | None, int | None, float | None]:
    config_type = config["type"]
    if "unexpected_count" in result:
        n_bad, n_all = result.get("unexpected_count"), result.get("element_count")
        share = result.get("unexpected_percent")
        share_frac = None if share is None else float(share) / 100
        if n_bad is None:
            return "no result", None, n_all, None
        text = f"{share or 0:.2f}% of rows ({n_bad:,} of {n_all:,})" if n_all is not None else f"{n_bad:,} rows"
        return text, n_bad, n_all, share_frac
    if "observed_value" in result:
        value = result["observed_value"]
        if config_type == "unexpected_rows_expectation":
            unit = (config.get("meta") or {}).get("observed_unit", "offending rows")
            return f"{value} {unit}", int(value), None, None
        return str(value), None, None, None
    return None, None, None, None


def _file_breakdown(con: duckdb.DuckDBPyConnection, table: str, reasons: list[str]) -> list[str]:
    """'<file> (<n> rows)' for each source file with rows rejected for one of `reasons`."""
    if not reasons:
        return []
    rows = con.execute(
        f"select source_file, count(*) from {table} where reject_reason in (select unnest(?)) "
        "group by 1 order by 2 desc, 1 limit 10",
        [reasons],
    ).fetchall()
    return [f"{f} ({n:,} rows)" for f, n in rows]


def run_gate(
    gate: str,
    warehouse: Path,
    *,
    expectations_dir: Path | None = None,
    params: dict[str, Any] | None = None,
    results_dir: Path | None = None,
    project_dir: Path | None = None,
) -> GateReport:
    """Validate the candidate `warehouse` against every `gate` suite of the dbt project in
    `project_dir` (default: labelhouse.paths.PROJECT_ROOT; expectations_dir overrides its
    expectations/); never raises on a failed check."""
    from labelhouse import gx_compat

    start = time.perf_counter()
    suites = load_suites(gate, expectations_dir, project_dir=project_dir)
    overrides = parameter_overrides(params)
    report = GateReport(gate)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        catalog = _read_catalog(con)
        planned = plan_assets(suites, con, catalog, overrides)
    finally:
        con.close()

    context = gx_compat.new_context()
    datasource = context.data_sources.add_sql(
        name=f"{gate}_candidate", connection_string=gx_compat.connection_string(warehouse)
    )
    failed_details: list[tuple[PlannedAsset, Outcome, dict[str, Any]]] = []
    # One GX validation per distinct query: every suite's expectations on a table run together,
    # so each table is read by one batch (GX's per-batch overhead dominates on small marts).
    groups: dict[str, list[PlannedAsset]] = {}
    for asset in planned:
        if asset.skipped:
            report.outcomes.append(
                Outcome(
                    gate,
                    asset.suite.name,
                    asset.name,
                    "(suite)",
                    None,
                    asset.skipped,
                    "info",
                    "skipped",
                    note=asset.skipped,
                )
            )
        elif asset.expectations:
            groups.setdefault(asset.query, []).append(asset)
    try:
        gx = gx_compat.install()
        for i, (query, assets) in enumerate(groups.items()):
            expectations = []
            for j, asset in enumerate(assets):
                for e in asset.expectations:
                    e = copy.deepcopy(e)
                    e.setdefault("meta", {})["lh_asset"] = j
                    expectations.append(e)
            name = assets[0].name
            suite = gx.ExpectationSuite(name=f"{gate}.{name}", expectations=expectations)
            data_asset = datasource.add_query_asset(name=f"a{i}_{name}", query=query)
            group_start = time.perf_counter()
            batch = data_asset.add_batch_definition_whole_table("all").get_batch()
            result_dict = batch.validate(suite, result_format="BASIC").to_json_dict()
            result_dict["meta"] = {
                "suites": sorted({a.suite.path.name for a in assets}),
                "asset": name,
                "table": assets[0].table,
                "seconds": round(time.perf_counter() - group_start, 3),
            }
            report.gx_results.append(result_dict)
            retry: dict[int, list[dict[str, Any]]] = {}
            for r in result_dict["results"]:
                config = r["expectation_config"]
                j = int((config.get("meta") or {}).get("lh_asset", 0))
                asset = assets[j]
                severity = str(config.get("severity", "critical"))
                column, problem = _describe(config)
                observed, n_bad, n_all, share = _observed(r.get("result") or {}, config)
                error = _exception_message(r.get("exception_info") or {})
                if error:
                    observed = f"error: {error}"
                status = "passed" if r["success"] else ("warning" if severity != "critical" else "failed")
                outcome = Outcome(
                    gate,
                    asset.suite.name,
                    asset.name,
                    config["type"],
                    column,
                    problem,
                    severity,
                    status,
                    observed,
                    _threshold(config),
                    n_bad,
                    n_all,
                    share,
                )
                report.outcomes.append(outcome)
                if status != "passed":
                    retry.setdefault(j, []).append(config)
                    failed_details.append((asset, outcome, config))
            for j, configs in retry.items():
                _attach_examples(gx, batch, assets[j], configs, report)
    finally:
        gx_compat.release(datasource)

    if failed_details:
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            for asset, outcome, config in failed_details:
                keys = (config.get("meta") or {}).get("reject_reasons") or []
                reasons = [asset.suite.reasons[k] for k in keys]
                files = (
                    _file_breakdown(con, asset.table, reasons) if asset.table.startswith("staging.base_raw__") else []
                )
                if files:
                    outcome.source_files = files
        finally:
            con.close()
    report.seconds = round(time.perf_counter() - start, 3)
    if results_dir is not None:
        write_results(report, results_dir)
    return report


def _attach_examples(
    gx: Any, batch: Any, asset: PlannedAsset, configs: list[dict[str, Any]], report: GateReport
) -> None:
    """Re-run the failing expectations asking for example rows with their file and row number.

    Map expectations give up to 10 failing rows (with `index_columns`); SQL expectations give
    their offending rows (few by construction: files, entities, tables over a limit).
    """
    clean = [
        {k: v for k, v in c.items() if k in ("type", "kwargs", "meta", "severity", "description")} for c in configs
    ]
    for c in clean:
        c["kwargs"] = {k: v for k, v in c["kwargs"].items() if k != "batch_id"}
    sql = [c for c in clean if c["type"] == "unexpected_rows_expectation"]
    mapped = [c for c in clean if c["type"] != "unexpected_rows_expectation"] if asset.index_columns else []
    runs: list[tuple[list[dict[str, Any]], Any]] = []
    if sql:
        runs.append((sql, {"result_format": "COMPLETE"}))
    if mapped:
        runs.append(
            (
                mapped,
                {
                    "result_format": "SUMMARY",
                    "partial_unexpected_count": 10,
                    "unexpected_index_column_names": asset.index_columns,
                    "return_unexpected_index_query": False,
                },
            )
        )
    by_key = {
        (o.expectation, o.column, o.problem): o
        for o in report.outcomes
        if o.asset == asset.name and o.status != "passed"
    }
    for expectations, fmt in runs:
        suite = gx.ExpectationSuite(name=f"{asset.suite.name}.{asset.name}.examples", expectations=expectations)
        result = batch.validate(suite, result_format=fmt).to_json_dict()
        for r in result["results"]:
            column, problem = _describe(r["expectation_config"])
            outcome = by_key.get((r["expectation_config"]["type"], column, problem))
            if outcome is None:
                continue
            if (r["expectation_config"].get("meta") or {}).get("mask_examples"):
                outcome.note = "offending rows are not printed (they may hold personal data): rerun the query in gx/"
                continue
            res = r.get("result") or {}
            examples = (
                res.get("partial_unexpected_index_list") or (res.get("details") or {}).get("unexpected_rows") or []
            )
            examples = [e for e in examples if isinstance(e, dict)][:20]
            outcome.examples = [{k: _jsonable(v) for k, v in e.items()} for e in examples]
            files = sorted({str(e["source_file"]) for e in examples if e.get("source_file") is not None})
            if files:
                outcome.source_files = [_example_rows(f, examples) for f in files]
            elif outcome.examples:
                outcome.note = "e.g. " + "; ".join(
                    ", ".join(f"{k}={v}" for k, v in e.items()) for e in outcome.examples[:5]
                )


def _example_rows(source_file: str, examples: list[dict[str, Any]]) -> str:
    rows = [
        str(e["source_row_number"])
        for e in examples
        if e.get("source_file") == source_file and "source_row_number" in e
    ]
    if rows:
        return f"{source_file} (e.g. rows {', '.join(rows)})"
    extra = [
        ", ".join(f"{k}={v}" for k, v in e.items() if k != "source_file")
        for e in examples
        if e.get("source_file") == source_file
    ]
    return f"{source_file} ({'; '.join(extra)})" if extra else source_file


def _exception_message(info: dict[str, Any]) -> str | None:
    """GX reports errors either flat or keyed by metric; return the first message, if any."""
    candidates = [info] + [v for v in info.values() if isinstance(v, dict)]
    for c in candidates:
        if c.get("raised_exception"):
            return str(c.get("exception_message") or "unknown error").splitlines()[0][:300]
    return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def write_results(report: GateReport, results_dir: Path) -> Path:
    """The gate's raw GX validation results and its flattened outcomes, as JSON in the run folder."""
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{report.gate}_gate.json"
    payload = {
        "gate": report.gate,
        "passed": report.passed,
        "seconds": report.seconds,
        "summary": report.summary_line(),
        "outcomes": report.to_rows(),
        "gx_validation_results": report.gx_results,
    }
    path.write_text(json.dumps(payload, indent=2, default=str))
    return path


def raise_if_failed(report: GateReport) -> None:
    if report.passed:
        return
    error = RawGateFailed if report.gate == "raw" else MartGateFailed
    if report.gate == "raw":
        hint = (
            "Fix the exports named above, or, if that share of bad rows is acceptable, raise the threshold "
            "(row_level_mostly in expectations/raw_<entity>.json). The published warehouse was not changed."
        )
    else:
        hint = (
            "A mart broke a range, reconciliation or privacy rule (expectations/marts_*.json, "
            "warehouse_reconciliation.json): fix the model or the data. The published warehouse was not changed."
        )
    raise error(f"{report.failure_message()}\n{hint}")


def iter_outcomes(reports: Iterable[GateReport]) -> Iterable[Outcome]:
    for report in reports:
        yield from report.outcomes
