"""The demo export generator: deterministic, on contract, realistic, with known bad rows."""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest
import yaml
from scipy.stats import chi2
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from labelhouse import demo as gen
from labelhouse.demo import output as gen_output
from labelhouse.errors import LabelhouseError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
N_ANNOTATIONS = 20_000
SEED = 7
LABEL_LIST = ", ".join(f"'{label}'" for label in gen.LABELS)
ANNOTATION_COLUMNS = ["annotation_id", "item_id", "project_id", "annotator_id", "label", "started_at"]
ANNOTATION_COLUMNS += ["submitted_at", "language", "confidence", "exported_at"]


@pytest.fixture(scope="module")
def raw_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("raw")
    gen.generate(out, n_annotations=N_ANNOTATIONS, seed=SEED)
    return out


@pytest.fixture(scope="module")
def manifest(raw_dir: Path) -> dict[str, Any]:
    return json.loads((raw_dir / gen.MANIFEST_NAME).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def con(raw_dir: Path) -> duckdb.DuckDBPyConnection:
    """Views over the raw files, every column as text (as the staging layer reads them)."""
    c = duckdb.connect()
    c.execute("SET TimeZone = 'UTC'")
    d = str(raw_dir)
    ann_cols = ANNOTATION_COLUMNS
    json_cols = "{" + ", ".join(f"'{col}': 'VARCHAR'" for col in ann_cols) + "}"
    as_text = ", ".join(f"CAST({col} AS VARCHAR) AS {col}" for col in ann_cols)
    c.execute(f"""
        CREATE VIEW annotations AS
        SELECT {as_text}, filename AS file FROM read_parquet('{d}/annotations*.parquet', filename = true)
        UNION ALL BY NAME
        SELECT {as_text}, filename AS file
        FROM read_json('{d}/annotations*.jsonl', format = 'newline_delimited', columns = {json_cols}, filename = true)
        UNION ALL BY NAME
        SELECT {as_text}, filename AS file
        FROM read_csv(['{d}/annotations*.csv', '{d}/annotations*.csv.gz'], all_varchar = true, filename = true)
    """)
    c.execute(f"CREATE VIEW items AS SELECT * FROM read_parquet('{d}/items*.parquet')")
    c.execute(f"CREATE VIEW gold AS SELECT * FROM read_csv('{d}/gold_labels*.csv', all_varchar = true)")
    c.execute(f"CREATE VIEW projects AS SELECT * FROM read_csv('{d}/projects*.csv', all_varchar = true)")
    c.execute(f"""
        CREATE VIEW predictions AS
        SELECT model_name, model_version, item_id, label, score FROM read_parquet('{d}/predictions*.parquet')
    """)
    c.execute(f"""
        CREATE VIEW decisions AS
        SELECT * FROM read_json('{d}/moderation_decisions*.jsonl', format = 'newline_delimited',
            columns = {{'decision_id': 'VARCHAR', 'item_id': 'VARCHAR', 'action': 'VARCHAR', 'label': 'VARCHAR',
                        'decided_at': 'VARCHAR', 'decided_by': 'VARCHAR', 'appealed_at': 'VARCHAR',
                        'appeal_outcome': 'VARCHAR'}})
    """)
    c.execute(f"""
        CREATE TABLE valid_annotations AS
        SELECT *, try_cast(submitted_at AS TIMESTAMPTZ) AS submitted, try_cast(started_at AS TIMESTAMPTZ) AS started,
               try_cast(exported_at AS TIMESTAMPTZ) AS exported
        FROM annotations
        WHERE annotation_id IS NOT NULL AND trim(item_id) <> '' AND label IN ({LABEL_LIST})
          AND try_cast(submitted_at AS TIMESTAMPTZ) IS NOT NULL
          AND try_cast(started_at AS TIMESTAMPTZ) <= try_cast(submitted_at AS TIMESTAMPTZ)
          AND item_id IN (SELECT item_id FROM items) AND project_id IN (SELECT project_id FROM projects)
    """)
    c.execute("""
        CREATE TABLE current_annotations AS
        SELECT DISTINCT ON (annotation_id) * FROM valid_annotations ORDER BY annotation_id, exported DESC
    """)
    yield c
    c.close()


def _hashes(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def test_same_seed_and_size_give_byte_identical_files(raw_dir: Path, tmp_path: Path) -> None:
    steps: list[tuple[int, int, str]] = []
    manifest = gen.generate(
        tmp_path / "again",
        n_annotations=N_ANNOTATIONS,
        seed=SEED,
        progress=lambda done, total, label: steps.append((done, total, label)),
    )
    assert _hashes(tmp_path / "again") == _hashes(raw_dir)
    # progress: (done, total, label) once per step, counting up to a total known from the start
    assert [done for done, _, _ in steps] == list(range(1, len(steps) + 1))
    assert {total for _, total, _ in steps} == {len(steps)}
    labels = [label for _, _, label in steps]
    assert set(manifest["files"]) | {gen.MANIFEST_NAME} <= set(labels)
    assert labels[-1] == gen.MANIFEST_NAME and "bad rows" in labels


def test_every_entity_has_files_with_the_contract_columns(raw_dir: Path, manifest: dict[str, Any]) -> None:
    contract = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text())["vars"]["raw_contract"]
    c = duckdb.connect()
    for entity in gen.ENTITIES:
        files = [p for p in raw_dir.iterdir() if p.name.startswith(entity) and p.name != gen.MANIFEST_NAME]
        assert files, f"no file for {entity}"
        for path in files:
            reader = {
                ".parquet": f"read_parquet('{path}')",
                ".jsonl": f"read_json('{path}', format = 'newline_delimited')",
            }.get(path.suffix, f"read_csv('{path}', all_varchar = true)")
            columns = {row[0] for row in c.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()}
            missing = set(contract[entity]["required"]) - columns
            assert not missing, f"{path.name} lacks {missing}"
    assert not any(p.name.startswith("labels") for p in raw_dir.iterdir()), "the taxonomy is not exported"
    assert sorted(manifest["files"]) == sorted(p.name for p in raw_dir.iterdir() if p.name != gen.MANIFEST_NAME)


def test_manifest_row_counts_match_the_files(con: duckdb.DuckDBPyConnection, manifest: dict[str, Any]) -> None:
    counted = dict(con.execute("SELECT parse_filename(file), count(*) FROM annotations GROUP BY 1").fetchall())
    listed = {name: f["rows"] for name, f in manifest["files"].items() if f["entity"] == "annotations"}
    assert counted == listed
    assert _one(con, "SELECT count(*) FROM items") == manifest["entities"]["items"]["rows"]
    assert _one(con, "SELECT count(*) FROM predictions") == manifest["entities"]["predictions"]["rows"]


def test_annotation_rows_are_close_to_the_requested_number(con: duckdb.DuckDBPyConnection) -> None:
    rows = _one(con, "SELECT count(*) FROM annotations")
    assert abs(rows - N_ANNOTATIONS) <= 0.03 * N_ANNOTATIONS


def test_annotations_come_in_mixed_formats(manifest: dict[str, Any]) -> None:
    formats = [f["format"] for f in manifest["files"].values() if f["entity"] == "annotations"]
    assert formats.count("parquet") >= 4
    assert {"csv", "csv.gz", "jsonl"} <= set(formats)


BAD_ANNOTATION_QUERIES = {
    "null_annotation_id": "annotation_id IS NULL",
    "blank_item_id": "item_id IS NOT NULL AND trim(item_id) = ''",
    "unknown_label": f"label NOT IN ({LABEL_LIST})",
    "unparsable_submitted_at": "try_cast(submitted_at AS TIMESTAMPTZ) IS NULL",
    "submitted_before_started": "try_cast(started_at AS TIMESTAMPTZ) > try_cast(submitted_at AS TIMESTAMPTZ)",
    "unknown_item_id": "trim(item_id) <> '' AND item_id NOT IN (SELECT item_id FROM items WHERE item_id IS NOT NULL)",
    "unknown_project_id": "project_id NOT IN (SELECT project_id FROM projects)",
}


def test_bad_annotation_rows_of_every_kind(con: duckdb.DuckDBPyConnection, manifest: dict[str, Any]) -> None:
    expected = manifest["truth"]["bad_rows"]["annotations"]
    total = _one(con, "SELECT count(*) FROM annotations")
    for kind, condition in BAD_ANNOTATION_QUERIES.items():
        found = _one(con, f"SELECT count(*) FROM annotations WHERE {condition}")
        assert found == expected[kind] >= 2, kind
    every_column = ", ".join(ANNOTATION_COLUMNS + ["file"])
    duplicates = _one(
        con,
        f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM annotations GROUP BY {every_column})"
        " WHERE n > 1",
    )
    assert duplicates == expected["duplicate_row"] >= 2
    assert sum(expected.values()) < 0.01 * total


def test_bad_rows_in_the_other_entities(con: duckdb.DuckDBPyConnection, manifest: dict[str, Any]) -> None:
    bad = manifest["truth"]["bad_rows"]
    checks = {
        ("items", "null_item_id"): ("items", "item_id IS NULL"),
        ("predictions", "score_out_of_range"): ("predictions", "score < 0 OR score > 1"),
        ("predictions", "null_score"): ("predictions", "score IS NULL"),
        ("predictions", "unknown_label"): ("predictions", f"label NOT IN ({LABEL_LIST})"),
        ("moderation_decisions", "invalid_decided_by"): ("decisions", "decided_by NOT IN ('human', 'automated')"),
        ("moderation_decisions", "unparsable_decided_at"): ("decisions", "try_cast(decided_at AS TIMESTAMPTZ) IS NULL"),
        ("gold_labels", "unknown_label"): ("gold", f"label NOT IN ({LABEL_LIST})"),
    }
    for (entity, kind), (view, condition) in checks.items():
        found = _one(con, f"SELECT count(*) FROM {view} WHERE {condition}")
        assert found == bad[entity][kind] >= 2, (entity, kind)
    for entity, kinds in bad.items():
        assert sum(kinds.values()) < 0.01 * manifest["entities"][entity]["rows"], entity


def test_offset_timestamps_parse_to_the_intended_utc_instant(
    con: duckdb.DuckDBPyConnection, manifest: dict[str, Any]
) -> None:
    # The JSONL day is 2026-10-26 UTC although its text is in +07:00 local time.
    jsonl = _one(con, "SELECT list(submitted_at) FROM valid_annotations WHERE file LIKE '%.jsonl'")
    assert all(t.endswith("+07:00") for t in jsonl)
    lo, hi, exported = con.execute("""
        SELECT min(submitted), max(submitted), list(DISTINCT exported) FROM valid_annotations WHERE file LIKE '%.jsonl'
    """).fetchone()
    assert str(lo.date()) == "2026-10-26" and str(hi.date()) == "2026-10-26"
    assert [e.isoformat() for e in exported] == ["2026-10-27T02:00:00+00:00"]
    # The plain CSV mixes 'Z' and no offset (= UTC); both mean the same export instant.
    styles = _one(con, "SELECT list(DISTINCT right(exported_at, 1) = 'Z') FROM annotations WHERE file LIKE '%.csv'")
    assert sorted(styles) == [False, True]
    exported = _one(con, "SELECT list(DISTINCT exported) FROM valid_annotations WHERE file LIKE '%.csv'")
    assert [e.isoformat() for e in exported] == ["2026-10-28T02:00:00+00:00"]
    # Re-exports (+07:00 or Z) carry the same instants as the original rows in other styles.
    mismatched, pairs = con.execute("""
        SELECT count(*) FILTER (WHERE a.submitted <> b.submitted OR a.started <> b.started),
               count(DISTINCT annotation_id)
        FROM valid_annotations AS a JOIN valid_annotations AS b USING (annotation_id)
        WHERE a.exported < b.exported
    """).fetchone()
    assert pairs == manifest["truth"]["reexported_annotations"] > 0
    assert mismatched == 0
    offsets = _one(con, "SELECT count(*) FROM annotations WHERE file LIKE '%.csv.gz' AND submitted_at LIKE '%+07:00'")
    assert offsets > 0


def test_judgements_follow_their_items(con: duckdb.DuckDBPyConnection) -> None:
    early = _one(
        con,
        """
        SELECT count(*) FROM current_annotations AS a JOIN items AS i USING (item_id)
        WHERE a.started < try_cast(i.created_at AS TIMESTAMPTZ) OR a.started > a.submitted
    """,
    )
    assert early == 0
    seconds = np.array(_one(con, "SELECT list(epoch(submitted - started)) FROM current_annotations"))
    assert 20 <= np.median(seconds) <= 300


def test_redundancy_backlog_and_repeats(con: duckdb.DuckDBPyConnection, manifest: dict[str, Any]) -> None:
    per_item = dict(
        con.execute("""
        SELECT n, count(*) FROM (
            SELECT item_id, count(DISTINCT annotator_id) AS n FROM current_annotations GROUP BY item_id
        ) GROUP BY n
    """).fetchall()
    )
    judged = sum(per_item.values())
    assert per_item[3] > 0.8 * judged
    assert 0.05 * judged < per_item[5] < 0.15 * judged
    assert per_item.get(1, 0) + per_item.get(2, 0) > 0, "recent items are still open"
    repeats = _one(
        con,
        """
        SELECT count(*) FROM (
            SELECT item_id, annotator_id FROM current_annotations GROUP BY ALL HAVING count(*) > 1
        )
    """,
    )
    assert repeats == manifest["truth"]["self_consistency_repeats"] > 0.005 * judged


def test_non_latin_text_survives(con: duckdb.DuckDBPyConnection) -> None:
    names = {row[0] for row in con.execute("SELECT name FROM projects").fetchall()}
    assert names == {p.name for p in gen.PROJECTS}
    assert any("ตรวจสอบ" in n for n in names) and any("التطرف" in n for n in names)
    texts = {row[0] for row in con.execute("SELECT DISTINCT text FROM items").fetchall()}
    assert "สวัสดีครับ วันนี้อากาศดีมาก" in texts
    assert "صباح الخير يا أصدقاء" in texts


def test_no_email_addresses(raw_dir: Path, con: duckdb.DuckDBPyConnection) -> None:
    for path in raw_dir.iterdir():
        if path.suffix in (".csv", ".jsonl", ".json"):
            assert b"@" not in path.read_bytes(), path.name
        elif path.name.endswith(".csv.gz"):
            assert b"@" not in gzip.decompress(path.read_bytes()), path.name
    assert _one(con, "SELECT count(*) FROM items WHERE text LIKE '%@%'") == 0


def test_languages_and_their_raw_variants(con: duckdb.DuckDBPyConnection) -> None:
    raw = {row[0] for row in con.execute("SELECT DISTINCT language FROM items").fetchall()}
    assert set(gen.LANGUAGES) <= raw
    assert raw - set(gen.LANGUAGES), "a few items use an upper-case or region form"


def test_bad_annotators_are_less_accurate(con: duckdb.DuckDBPyConnection, manifest: dict[str, Any]) -> None:
    bad_ids = manifest["truth"]["bad_annotator_ids"]
    assert 2 <= len(bad_ids) <= 0.1 * manifest["truth"]["annotators"]
    con.execute("CREATE OR REPLACE TEMP TABLE bad_ids AS SELECT unnest(?::VARCHAR[]) AS annotator_id", [bad_ids])
    accuracy = dict(
        con.execute("""
        SELECT a.annotator_id IN (SELECT annotator_id FROM bad_ids), avg((a.label = g.label)::INT)
        FROM current_annotations AS a JOIN gold AS g USING (item_id)
        GROUP BY 1
    """).fetchall()
    )
    assert accuracy[True] < 0.65
    assert accuracy[False] > 0.78


def test_the_manifest_lists_every_model_with_its_files_and_thresholds(raw_dir: Path, manifest: dict[str, Any]) -> None:
    models = manifest["truth"]["models"]
    assert sorted(models) == sorted(gen.MODEL_NAMES) and len(models) >= 2
    c = duckdb.connect()
    thresholds = c.execute(
        f"SELECT model_name, model_version, label FROM read_csv('{raw_dir}/thresholds.csv')"
    ).fetchall()
    expected = set()
    for name, truth in models.items():
        assert truth["better_version"] != truth["worse_version"]
        planted = {truth["better_version"], truth["worse_version"], truth["miscalibrated_version"]}
        assert planted <= set(truth["versions"])
        for version in truth["versions"]:
            file = f"predictions_{name}_{version}.parquet"
            assert manifest["files"][file]["entity"] == "predictions"
            in_file = c.execute(f"SELECT DISTINCT model_name, model_version FROM read_parquet('{raw_dir}/{file}')")
            assert in_file.fetchall() == [(name, version)]
            expected |= {(name, version, label) for label in gen.LABELS}
    assert len(thresholds) == len(set(thresholds)) and set(thresholds) == expected


def test_each_models_planted_better_and_miscalibrated_versions(
    con: duckdb.DuckDBPyConnection, manifest: dict[str, Any]
) -> None:
    """Per model, the manifest's better version has the higher ROC AUC and wins McNemar's test on
    the top-label decisions; its miscalibrated version has the larger ECE, and the recalibration
    slope (logistic regression of the truth on the score's logit) says which way: < 1 for
    over-confident scores, > 1 for under-confident ones."""
    scored = con.execute(f"""
        SELECT p.model_name, p.model_version, p.item_id, p.score, (p.label = g.label)::INT AS positive
        FROM predictions AS p JOIN gold AS g USING (item_id)
        WHERE p.score BETWEEN 0 AND 1 AND p.label IN ({LABEL_LIST}) AND g.label IN ({LABEL_LIST})
    """).df()
    for name, truth in manifest["truth"]["models"].items():
        auc, ece, slope, correct = {}, {}, {}, {}
        for version, rows in scored[scored.model_name == name].groupby("model_version"):
            auc[version] = roc_auc_score(rows["positive"], rows["score"])
            bins = np.minimum((rows["score"] * 10).astype(int), 9)
            gaps = rows.groupby(bins).apply(lambda b: len(b) * abs(b["score"].mean() - b["positive"].mean()))
            ece[version] = gaps.sum() / len(rows)
            p = rows["score"].clip(0.001, 0.999).to_numpy()
            logit = np.log(p / (1 - p)).reshape(-1, 1)
            slope[version] = LogisticRegression(C=1e6).fit(logit, rows["positive"]).coef_[0, 0]
            top = rows.sort_values(["item_id", "score"], ascending=[True, False]).drop_duplicates("item_id")
            correct[version] = top.set_index("item_id")["positive"]
        better, worse, off = truth["better_version"], truth["worse_version"], truth["miscalibrated_version"]
        assert sorted(auc) == sorted(truth["versions"]), name
        assert auc[better] > auc[worse] + 0.02, (name, auc)
        calibrated = next(v for v in truth["versions"] if v != off)
        assert ece[off] > 2 * ece[calibrated], (name, ece)
        assert 0.8 < slope[calibrated] < 1.25, (name, slope)
        if truth["miscalibration"] == "over-confident":
            assert slope[off] < 0.75, (name, slope)
        else:
            assert truth["miscalibration"] == "under-confident" and slope[off] > 1.5, (name, slope)
        both = correct[worse].to_frame("worse").join(correct[better].to_frame("better"), how="inner")
        b = int(((both.worse == 1) & (both.better == 0)).sum())
        c = int(((both.worse == 0) & (both.better == 1)).sum())
        assert c > b and chi2.sf((abs(b - c) - 1) ** 2 / (b + c), 1) < 0.001, (name, b, c)  # McNemar


def test_expert_items_have_gold_but_no_annotations(con: duckdb.DuckDBPyConnection, manifest: dict[str, Any]) -> None:
    experts, in_items, judged = con.execute("""
        SELECT count(*), count(*) FILTER (WHERE item_id IN (SELECT item_id FROM items)),
               count(*) FILTER (WHERE item_id IN (SELECT item_id FROM annotations WHERE item_id IS NOT NULL))
        FROM gold WHERE source = 'expert'
    """).fetchone()
    assert experts == in_items == manifest["truth"]["expert_items"] > 0.01 * manifest["truth"]["items"]
    assert judged == 0
    honeypots = _one(
        con,
        """
        SELECT count(*) FROM gold
        WHERE source = 'honeypot' AND item_id IN (SELECT item_id FROM current_annotations)
    """,
    )
    assert honeypots > 0.03 * manifest["truth"]["judged_items"]


def test_projects_are_not_finished(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("""
        SELECT p.target_items::INT, count(i.item_id), p.labels_per_item, p.sla_hours, p.due_date
        FROM projects AS p LEFT JOIN items AS i USING (project_id) GROUP BY ALL
    """).fetchall()
    assert len(rows) == 4
    for target, generated, labels_per_item, sla, due in rows:
        assert target > generated > 0
        assert labels_per_item == "3" and int(sla) > 0
        datetime.strptime(due, "%Y-%m-%d")


def test_moderation_decisions_and_appeals(con: duckdb.DuckDBPyConnection) -> None:
    rates = dict(
        con.execute("""
        SELECT decided_by, avg((appeal_outcome = 'overturned')::INT) FILTER (WHERE appeal_outcome IS NOT NULL)
        FROM decisions WHERE decided_by IN ('human', 'automated') GROUP BY 1
    """).fetchall()
    )
    assert rates["automated"] > rates["human"]
    appealed = _one(con, "SELECT avg((appealed_at IS NOT NULL)::INT) FROM decisions")
    assert 0.05 < appealed < 0.2
    early = _one(
        con,
        """
        SELECT count(*) FROM decisions
        WHERE try_cast(appealed_at AS TIMESTAMPTZ) < try_cast(decided_at AS TIMESTAMPTZ)
    """,
    )
    assert early == 0


def test_refuses_a_directory_with_foreign_exports(tmp_path: Path) -> None:
    (tmp_path / "annotations_mine.csv").write_text("annotation_id\n1\n")
    with pytest.raises(LabelhouseError, match="did not write"):
        gen.generate(tmp_path, n_annotations=N_ANNOTATIONS)


def test_rejects_a_tiny_size(tmp_path: Path) -> None:
    with pytest.raises(LabelhouseError, match="at least"):
        gen.generate(tmp_path, n_annotations=10)


def test_large_text_days_spill_into_parquet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gen_output, "TEXT_FILE_MAX_ROWS", 20)  # where the export reads it
    steps: list[tuple[int, int]] = []
    progress = lambda done, total, _label: steps.append((done, total))  # noqa: E731
    files = gen.generate(tmp_path, n_annotations=gen.MIN_ANNOTATIONS, seed=SEED, progress=progress)["files"]
    assert steps[-1] == (len(steps), len(steps)), "a spilled day and its bulk file are one progress step"
    for text_name in ("annotations_2026-10-26.jsonl", "annotations_2026-10-27.csv"):
        bulk = text_name.rsplit(".", 1)[0] + "_bulk.parquet"
        assert files[text_name]["rows"] == 20
        assert files[bulk]["rows"] > 0 and files[bulk]["timestamp_styles"] == files[text_name]["timestamp_styles"]
    c = duckdb.connect()
    c.execute("SET TimeZone = 'UTC'")
    days = c.execute(f"""
        SELECT DISTINCT CAST(try_cast(submitted_at AS TIMESTAMPTZ) AS DATE)
        FROM read_parquet('{tmp_path}/annotations_2026-10-26_bulk.parquet') WHERE annotation_id IS NOT NULL
    """).fetchall()
    assert {str(d) for (d,) in days} <= {"2026-10-26", "None"}


@pytest.fixture(scope="module")
def planted_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same seed and size as `raw_dir`, with every planted scenario on."""
    out = tmp_path_factory.mktemp("planted")
    scenarios = gen.Scenarios(drifting_annotator=True, agreement_drop=True, late_project=True)
    gen.generate(out, n_annotations=N_ANNOTATIONS, seed=SEED, scenarios=scenarios)
    return out


def _annotation_labels(c: duckdb.DuckDBPyConnection, d: Path, name: str) -> None:
    """Table `name`: the valid current annotations of a raw directory (id, item, project,
    annotator, label, submitted)."""
    cols = "annotation_id, item_id, project_id, annotator_id, label, submitted_at, exported_at"
    c.execute(f"""
        CREATE TABLE {name} AS
        WITH raw AS (
            SELECT {cols} FROM read_parquet('{d}/annotations*.parquet')
            UNION ALL SELECT {cols} FROM read_json('{d}/annotations*.jsonl', format = 'newline_delimited',
                columns = {{{", ".join(f"'{col}': 'VARCHAR'" for col in cols.split(", "))}}})
            UNION ALL SELECT {cols} FROM read_csv(['{d}/annotations*.csv', '{d}/annotations*.csv.gz'],
                all_varchar = true)
        )
        SELECT DISTINCT ON (annotation_id) annotation_id, item_id, project_id, annotator_id, label,
               try_cast(submitted_at AS TIMESTAMPTZ) AS submitted
        FROM raw
        WHERE annotation_id IS NOT NULL AND label IN ({LABEL_LIST})
          AND try_cast(submitted_at AS TIMESTAMPTZ) IS NOT NULL
        ORDER BY annotation_id, try_cast(exported_at AS TIMESTAMPTZ) DESC
    """)


def test_planted_scenarios_change_only_what_they_plant(
    raw_dir: Path, planted_dir: Path, manifest: dict[str, Any]
) -> None:
    planted = json.loads((planted_dir / gen.MANIFEST_NAME).read_text(encoding="utf-8"))["truth"]["scenarios"]
    assert manifest["truth"]["scenarios"] == {}, "every scenario is off by default"
    assert set(planted) == {"drifting_annotator", "agreement_drop", "late_project"}
    before, after = _hashes(raw_dir), _hashes(planted_dir)
    assert sorted(before) == sorted(after)
    changed = {name for name in before if before[name] != after[name]}
    assert "projects.csv" in changed and any(name.startswith("annotations") for name in changed)
    assert all(name.startswith("annotations") for name in changed - {"projects.csv", gen.MANIFEST_NAME})

    c = duckdb.connect()
    c.execute("SET TimeZone = 'UTC'")
    _annotation_labels(c, raw_dir, "before")
    _annotation_labels(c, planted_dir, "after")
    c.execute(f"CREATE VIEW items AS SELECT * FROM read_parquet('{raw_dir}/items.parquet')")
    c.execute(
        f"CREATE VIEW gold AS SELECT item_id, label FROM read_csv('{raw_dir}/gold_labels_honeypot.csv', "
        f"all_varchar = true) WHERE label IN ({LABEL_LIST})"
    )
    drift, drop = planted["drifting_annotator"], planted["agreement_drop"]
    in_drift = f"(b.annotator_id = '{drift['annotator_id']}' AND b.submitted >= TIMESTAMPTZ '{drift['from']}')"
    in_drop = (
        f"(b.project_id = '{drop['project_id']}' AND i.created_at >= '{drop['items_created_from']}' "
        f"AND i.created_at < '{drop['items_created_before']}')"
    )
    rows = (
        c.execute(f"""
        SELECT {in_drift} AS drifting, {in_drop} AND NOT {in_drift} AS dropping,  -- the two overlap: count as drifting
               count(*) AS n, count(*) FILTER (WHERE b.label <> a.label) AS n_changed,
               avg((b.label = g.label)::INT) FILTER (WHERE g.label IS NOT NULL) AS accuracy_before,
               avg((a.label = g.label)::INT) FILTER (WHERE g.label IS NOT NULL) AS accuracy_after,
               count(g.label) AS n_gold
        FROM before AS b
        JOIN after AS a USING (annotation_id)
        JOIN items AS i ON i.item_id = b.item_id
        LEFT JOIN gold AS g ON g.item_id = b.item_id
        GROUP BY ALL
    """)
        .df()
        .set_index(["drifting", "dropping"])
    )
    assert c.execute("SELECT count(*) FROM before").fetchone() == c.execute("SELECT count(*) FROM after").fetchone()
    # outside the planted annotator-days and project-week not one label changes
    assert rows.loc[(False, False), "n_changed"] == 0
    for key in [(True, False), (False, True)]:
        got = rows.loc[key]
        assert got.n_changed > 0.15 * got.n and got.n_gold >= 5, (key, got)
        assert got.accuracy_after < got.accuracy_before - 0.2, (key, got)

    # the project-week's pairwise agreement (share of agreeing annotator pairs per item) drops too
    agreement = {}
    for table in ("before", "after"):
        agreement[table] = c.execute(f"""
            SELECT avg((x.label = y.label)::INT)
            FROM {table} AS x
            JOIN {table} AS y ON x.item_id = y.item_id AND x.annotation_id < y.annotation_id
            JOIN items AS i ON i.item_id = x.item_id
            JOIN before AS b ON b.annotation_id = x.annotation_id
            WHERE {in_drop}
        """).fetchone()[0]
    assert agreement["after"] < agreement["before"] - 0.2, agreement

    projects = c.execute(f"SELECT * FROM read_csv('{planted_dir}/projects.csv', all_varchar = true)").df()
    late = projects.set_index("project_id").loc[planted["late_project"]["project_id"]]
    assert late.due_date == planted["late_project"]["due_date"]
    # at the last 7 days' completion rate (items with their 3 judgements) it cannot finish by the due date
    completed, recent = c.execute(f"""
        WITH done AS (
            SELECT item_id, max(submitted) AS completed_at FROM after
            WHERE project_id = '{late.name}' GROUP BY item_id HAVING count(*) >= 3
        )
        SELECT count(*), count(*) FILTER (WHERE completed_at >= TIMESTAMPTZ '{drift["from"]}') FROM done
    """).fetchone()
    days_needed = (int(late.target_items) - completed) / (recent / 7)
    cutoff = datetime.fromisoformat(manifest["period"]["cutoff"].replace("Z", "+00:00")).date()
    due = datetime.fromisoformat(late.due_date).date()
    assert days_needed > 2 * (due - cutoff).days > 0
