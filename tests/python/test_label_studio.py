"""Label Studio JSON export -> raw contract -> warehouse (issue 9).

Two exports go into ONE raw directory and ONE dbt build:
  * tests/fixtures/label_studio/project_export.json, written by hand from Label Studio's documented
    task format (single- and multi-annotator tasks, cancelled annotations, ground truth,
    predictions with a prediction-level score, a result-level score and none, both
    `completed_by` shapes, non-Latin text, spans, boxes and a text area);
  * a generated export of a few hundred tasks with every edge case at random, a second choice
    group, and timestamps with offsets.
The warehouse's figures are compared with a reference that reads the same JSON with `json.load`
and applies the documented mapping in plain Python, independently of the streaming importer.
"""

from __future__ import annotations

import json
import random
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, _build, query
from typer.testing import CliRunner

from labelhouse.errors import LabelhouseError
from labelhouse.importers import label_studio
from labelhouse.importers.label_studio import ImportSummary, import_export

LS = FIXTURES / "label_studio"
HAND = LS / "project_export.json"
DISPLAY_LABELS = ["Benign", "Hate", "Harassment", "Violence", "Spam", "Self-harm", "Sexual"]


# ---------------------------------------------------------------------------------------------
# The reference: the documented mapping, applied to the whole parsed JSON.
# ---------------------------------------------------------------------------------------------


@dataclass
class Reference:
    judgements: dict[str, dict[str, Any]] = field(default_factory=dict)
    skips: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    gold: dict[str, tuple[datetime, str]] = field(default_factory=dict)
    predictions: dict[tuple[str, str, str], float] = field(default_factory=dict)
    items: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    rejected: Counter[str] = field(default_factory=Counter)
    unsupported: Counter[str] = field(default_factory=Counter)


def _ts(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _norm(label: str) -> str:
    return label.strip().lower().replace(" ", "_").replace("-", "_")


def _chosen(results: list[dict[str, Any]], group: str, ref: Reference) -> tuple[list[str], float | None]:
    values: list[str] = []
    score = None
    for r in results:
        if r["type"] != "choices":
            ref.unsupported[r["type"]] += 1
        elif r["from_name"] == group:
            values += [v for v in r["value"]["choices"] if v not in values]
            score = r.get("score", score)
    return values, score


def reference(export: Path, group: str) -> Reference:
    ref = Reference()
    for task in json.loads(export.read_text(encoding="utf-8")):
        item, project = str(task["id"]), str(task["project"])
        ref.items[item] = (project, task["data"].get("language"))
        for a in task.get("annotations", []):
            user = a["completed_by"]
            annotator = str(user["id"] if isinstance(user, dict) else user)
            times = [_ts(a["created_at"])] + ([_ts(a["updated_at"])] if a.get("updated_at") else [])
            submitted = max(times)
            if a["was_cancelled"]:
                ref.skips[str(a["id"])] = (item, project, annotator)
                continue
            values, _ = _chosen(a["result"], group, ref)
            if len(values) != 1:
                ref.rejected["annotation: multi-choice answer" if values else "annotation: no choice"] += 1
                continue
            if a["ground_truth"]:
                if item not in ref.gold or submitted >= ref.gold[item][0]:
                    ref.gold[item] = (submitted, _norm(values[0]))
                continue
            lead = a.get("lead_time")
            ref.judgements[str(a["id"])] = {
                "item_id": item, "project_id": project, "annotator_id": annotator, "label": _norm(values[0]),
                "submitted_at": submitted, "handle_seconds": lead,
            }  # fmt: skip
        for p in task.get("predictions", []):
            values, result_score = _chosen(p["result"], group, ref)
            score = p.get("score", result_score)
            if score is None:
                ref.rejected["prediction: no score"] += 1
                continue
            for v in values:
                ref.predictions[(p["model_version"], item, _norm(v))] = score
    return ref


# ---------------------------------------------------------------------------------------------
# A generated export with every edge case at random.
# ---------------------------------------------------------------------------------------------

TEXTS = ["You people are vermin", "Ненавиджу тебе", "أنت غبي", "死ね", "Compra seguidores ya", "nice cat 🐈"]


def _stamp(value: datetime, rng: random.Random) -> str:
    if rng.random() < 0.1:  # an offset instead of Z: must come out as the same UTC instant
        return (value + timedelta(hours=2)).isoformat(timespec="microseconds") + "+02:00"
    return value.isoformat(timespec="microseconds") + "Z"


def _result(group: str, values: list[str], score: float | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "value": {"choices": values},
        "id": "r",
        "from_name": group,
        "to_name": "text",
        "type": "choices",
    }
    if score is not None:
        out["score"] = score
    return out


def generate_export(path: Path, seed: int, n_tasks: int, first_task: int, projects: list[int]) -> None:
    rng = random.Random(seed)
    base = datetime(2026, 9, 1, 8, 0, 0)
    annotation_id = first_task * 10
    tasks = []
    for t in range(n_tasks):
        created = base + timedelta(minutes=rng.randrange(0, 60 * 24 * 20))
        data: dict[str, Any] = {"text": rng.choice(TEXTS)}
        if rng.random() < 0.8:
            data["language"] = rng.choice(["en", "uk", "ar", "ja", "es-MX"])
        annotations = []
        gold_minute = 0
        for _ in range(rng.choice([0, 1, 2, 3, 3, 4, 5])):
            annotation_id += 1
            user = rng.randrange(20, 32)
            submitted = created + timedelta(minutes=rng.randrange(1, 60 * 24 * 3), microseconds=rng.randrange(10**6))
            kind = rng.random()
            values = [rng.choice(DISPLAY_LABELS)]
            if rng.random() < 0.05:
                values = rng.sample(DISPLAY_LABELS, 2)  # multi-choice
            result = [_result("policy", values)]
            if rng.random() < 0.1:
                result.append(_result("sentiment", [rng.choice(["positive", "negative"])]))
            if rng.random() < 0.05:
                result.append(
                    {
                        "value": {"start": 0, "end": 3, "labels": ["x"]},
                        "from_name": "spans",
                        "to_name": "text",
                        "type": rng.choice(["labels", "rectanglelabels"]),
                    }
                )
            annotation: dict[str, Any] = {
                "id": annotation_id,
                "completed_by": {"id": user, "email": f"user{user}@example.com"} if rng.random() < 0.5 else user,
                "result": result,
                "was_cancelled": kind < 0.1,
                "ground_truth": 0.1 <= kind < 0.16,
                "created_at": _stamp(submitted, rng),
                "task": first_task + t,
            }
            if annotation["ground_truth"]:  # distinct times, so "the latest gold wins" is well defined
                gold_minute += 1
                annotation["created_at"] = _stamp(submitted + timedelta(days=5, minutes=gold_minute), rng)
            if rng.random() < 0.2:
                annotation["updated_at"] = _stamp(submitted + timedelta(seconds=rng.randrange(1, 9000)), rng)
            elif rng.random() < 0.5:
                annotation["updated_at"] = annotation["created_at"]
            if rng.random() < 0.9:
                annotation["lead_time"] = round(rng.uniform(0.5, 300.0), 3)
            annotations.append(annotation)
        predictions = []
        for version in rng.sample(["tox-v1", "tox-v2", "spam-v7"], rng.randrange(0, 3)):
            values = [rng.choice(DISPLAY_LABELS)] if rng.random() < 0.9 else rng.sample(DISPLAY_LABELS, 2)
            prediction: dict[str, Any] = {
                "id": rng.randrange(10**6),
                "model_version": version,
                "created_at": _stamp(created, rng),
            }
            how = rng.random()
            score = round(rng.random(), 6)
            if how < 0.6:
                prediction["score"] = score
                prediction["result"] = [_result("policy", values)]
            elif how < 0.8:
                prediction["result"] = [_result("policy", values, score)]
            else:
                prediction["result"] = [_result("policy", values)]
            predictions.append(prediction)
        tasks.append({
            "id": first_task + t, "data": data, "created_at": _stamp(created, rng),
            "updated_at": _stamp(created, rng), "project": rng.choice(projects),
            "annotations": annotations, "predictions": predictions,
        })  # fmt: skip
    path.write_text(json.dumps(tasks, ensure_ascii=False, indent=1), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# One raw directory, one build.
# ---------------------------------------------------------------------------------------------


@dataclass
class Imported:
    warehouse: Path
    raw: Path
    summaries: dict[str, ImportSummary]
    refs: dict[str, Reference]

    def union(self) -> Reference:
        out = Reference()
        for ref in self.refs.values():
            out.judgements.update(ref.judgements)
            out.skips.update(ref.skips)
            out.gold.update(ref.gold)
            out.predictions.update(ref.predictions)
            out.items.update(ref.items)
        return out


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    work = tmp_path_factory.mktemp("label_studio")
    raw = work / "raw"
    generated = work / "generated_export.json"
    generate_export(generated, seed=9, n_tasks=400, first_task=100_000, projects=[900, 901, 902])
    summaries = {
        "hand": import_export(HAND, raw, project_id=None, from_name=None, language_key="language"),
        "generated": import_export(generated, raw, project_id=None, from_name="policy", language_key="language"),
    }
    refs = {"hand": reference(HAND, "policy"), "generated": reference(generated, "policy")}
    # Skips written by hand beside the imports: a re-export of an imported skip (kept, it supersedes
    # the imported row), then bad skips that must each be rejected with their reason.
    (raw / "annotation_skips_manual.csv").write_text(
        "annotation_id,item_id,project_id,annotator_id,skipped_at\n"
        + "".join(f"{row}\n" for row in [REEXPORTED_SKIP, *BAD_SKIPS]),
        encoding="utf-8",
    )
    warehouse = work / "w.duckdb"
    _build(raw, warehouse, "path:models/staging +path:models/marts/core +path:models/marts/throughput +int_item_truth")
    return Imported(warehouse, raw, summaries, refs)


# ---------------------------------------------------------------------------------------------
# The hand fixture, worked by hand (checks the reference itself).
# ---------------------------------------------------------------------------------------------


def test_hand_fixture_worked_by_hand() -> None:
    ref = reference(HAND, "policy")
    per_annotator = Counter(j["annotator_id"] for j in ref.judgements.values())
    # 10: 5001, 5002, 5008, 5012 (completed_by as an object), 6001; 11: 5003, 5005; 12: 5004, 5011
    # (5009 is multi-choice); 15: 6002; 13 only skips; 14 only ground truth.
    assert per_annotator == {"10": 5, "11": 2, "12": 2, "15": 1}
    assert sorted(ref.skips) == ["5006", "5010", "6003"]
    assert {k: v[1] for k, v in ref.gold.items()} == {"103": "hate", "106": "harassment"}
    # 802 has no score anywhere; 803 has a result-level score; 805 is a task with no annotation.
    assert ref.predictions == {
        ("toxicity-2026-09", "101", "violence"): 0.91, ("spam-heuristics-v3", "102", "spam"): 0.67,
        ("toxicity-2026-09", "104", "self_harm"): 0.78, ("toxicity-2026-09", "105", "benign"): 0.05,
        ("toxicity-2026-09", "106", "harassment"): 0.64,
    }  # fmt: skip
    assert ref.judgements["5004"]["submitted_at"] == datetime(2026, 10, 6, 11, 0)  # updated_at is later
    assert ref.rejected == {"annotation: multi-choice answer": 1, "prediction: no score": 1}


# ---------------------------------------------------------------------------------------------
# Import then build: the warehouse's figures equal the reference.
# ---------------------------------------------------------------------------------------------


REEXPORTED_SKIP = "5006,103,7,13,2026-10-06 07:02:00.000000"
BAD_SKIPS = {
    REEXPORTED_SKIP: "duplicate annotation_id and skipped_at",  # the same row twice in one file
    "5999,999999,7,13,2026-10-06 07:02:00": "unknown item_id",
    "5998,103,7, ,2026-10-06 07:02:00": "null or blank annotator_id",
    "5997,103,7,13,yesterday": "unparsable skipped_at",
    "5996,103,8,13,2026-10-06 07:02:00": "project_id differs from the item's project",
    "5995,103,99,13,2026-10-06 07:02:00": "unknown project_id",
}


def test_only_the_hand_written_bad_skips_are_rejected(imported: Imported) -> None:
    rows = query(imported.warehouse, "select entity, source_file, source_row_number, reject_reason "
                 "from staging.rejected_rows")  # fmt: skip
    expected = [("annotation_skips", "annotation_skips_manual.csv", n, reason)
                for n, reason in enumerate(BAD_SKIPS.values(), start=2)]  # fmt: skip
    assert sorted(rows) == sorted(expected)
    # the same skip in another file is a re-export, not a duplicate: the later file's row is kept
    versions = query(imported.warehouse, "select source_file, is_superseded from staging.base_raw__annotation_skips "
                     "where annotation_id = '5006' and reject_reason is null order by source_file")  # fmt: skip
    assert versions == [("annotation_skips_label_studio_project_export.csv", True),
                        ("annotation_skips_manual.csv", False)]  # fmt: skip


def test_annotation_counts_per_annotator_and_project(imported: Imported) -> None:
    ref = imported.union()
    expected = Counter((j["annotator_id"], j["project_id"]) for j in ref.judgements.values())
    daily = query(imported.warehouse, "select annotator_id, project_id, sum(n_annotations) "
                  "from marts.fct_annotator_daily group by all")  # fmt: skip
    # skip-only annotator days have rows with 0 judgements (they carry the skip rate)
    assert {(a, p): n for a, p, n in daily if n > 0} == dict(expected)
    dim = query(imported.warehouse, "select annotator_id, n_annotations from marts.dim_annotator")
    per_annotator = Counter(j["annotator_id"] for j in ref.judgements.values())
    everyone = {j["annotator_id"] for j in ref.judgements.values()} | {s[2] for s in ref.skips.values()}
    assert {a for a, _ in dim} >= everyone
    assert {a: n for a, n in dim if n} == dict(per_annotator)


def test_every_judgement_matches(imported: Imported) -> None:
    ref = imported.union()
    rows = query(imported.warehouse, "select annotation_id, item_id, project_id, annotator_id, label, submitted_at, "
                 "started_at, handle_seconds from intermediate.int_annotations")  # fmt: skip
    assert len(rows) == len(ref.judgements) > 500
    for annotation_id, item, project, annotator, label, submitted, started, handle in rows:
        want = ref.judgements[annotation_id]
        assert (item, project, annotator, label, submitted) == (
            want["item_id"],
            want["project_id"],
            want["annotator_id"],
            want["label"],
            want["submitted_at"],
        ), annotation_id
        if want["handle_seconds"] is None:
            assert (started, handle) == (None, None)
        else:
            # started_at is exact (lead_time has millisecond precision, timestamps microsecond);
            # handle_seconds goes through epoch() doubles (~1e-8 s at today's epochs), so compare
            # it at the timestamp type's resolution.
            assert started == want["submitted_at"] - timedelta(seconds=want["handle_seconds"]), annotation_id
            assert handle == pytest.approx(want["handle_seconds"], abs=1e-6)


def test_labels_per_item_and_gold(imported: Imported) -> None:
    ref = imported.union()
    truth = query(imported.warehouse, "select item_id, n_judgements, gold_label, gold_source "
                  "from intermediate.int_item_truth")  # fmt: skip
    gold = {item: label for item, _, label, _ in truth if label is not None}
    assert gold == {item: label for item, (_, label) in ref.gold.items()}
    assert {source for *_, source in truth if source is not None} == {"label_studio_ground_truth"}
    # latest judgement per annotator and item, as int_item_truth counts them
    latest: dict[tuple[str, str], datetime] = {}
    for j in ref.judgements.values():
        latest[(j["item_id"], j["annotator_id"])] = j["submitted_at"]
    per_item = Counter(item for item, _ in latest)
    assert {item: n for item, n, *_ in truth if n} == dict(per_item)
    labels = query(imported.warehouse, "select label, count(*) from intermediate.int_annotations group by all")
    assert dict(labels) == dict(Counter(j["label"] for j in ref.judgements.values()))


def test_predictions(imported: Imported) -> None:
    ref = imported.union()
    rows = query(imported.warehouse, "select model_name, model_version, item_id, label, score "
                 "from staging.stg_raw__predictions")  # fmt: skip
    assert {name for name, *_ in rows} == {"label_studio"}
    got = {(version, item, label): score for _, version, item, label, score in rows}
    assert got.keys() == ref.predictions.keys()
    for key, score in got.items():
        assert score == pytest.approx(ref.predictions[key], abs=1e-9)


def test_skips_per_annotator_and_project(imported: Imported) -> None:
    ref = imported.union()
    rows = query(imported.warehouse, "select annotator_id, project_id, count(*) "
                 "from staging.stg_raw__annotation_skips group by all")  # fmt: skip
    expected = Counter((annotator, project) for _, project, annotator in ref.skips.values())
    assert {(a, p): n for a, p, n in rows} == dict(expected)
    judged = query(imported.warehouse, "select count(*) from intermediate.int_annotations where annotation_id in "
                   "(select annotation_id from staging.stg_raw__annotation_skips)")  # fmt: skip
    assert judged == [(0,)]  # a skip is never a judgement
    # the skip rates in the throughput marts: skips / (judgements + skips), per annotator and project
    judgements = Counter((j["annotator_id"], j["project_id"]) for j in ref.judgements.values())
    daily = query(imported.warehouse, "select annotator_id, project_id, sum(n_skips), sum(n_annotations), "
                  "count(*) filter (where abs(skip_rate - n_skips / (n_skips + n_annotations)) > 1e-12) "
                  "from marts.fct_annotator_daily group by all")  # fmt: skip
    assert {(a, p): n for a, p, n, _, _ in daily if n} == dict(expected)
    assert all(bad == 0 and judged == judgements.get((a, p), 0) for a, p, _, judged, bad in daily)
    per_project = Counter()
    for (_, project), n in expected.items():
        per_project[project] += n
    projects = query(imported.warehouse, "select project_id, sum(n_skips), sum(n_annotations), count(*) filter "
                     "(where abs(skip_rate - n_skips / (n_skips + n_annotations)) > 1e-12) "
                     "from marts.fct_project_daily group by all")  # fmt: skip
    assert {p: n for p, n, _, _ in projects if n} == dict(per_project)
    assert all(bad == 0 for *_, bad in projects)


def test_items_and_languages(imported: Imported) -> None:
    ref = imported.union()
    rows = query(imported.warehouse, "select item_id, project_id, language from intermediate.int_items")
    assert {i: p for i, p, _ in rows} == {i: p for i, (p, _) in ref.items.items()}
    languages = {i: lang for i, lang in ((i, v[1]) for i, v in ref.items.items())}
    for item, _, language in rows:
        want = languages[item]
        assert language == (want.lower().replace("_", "-").split("-")[0] if want else "und"), item


def test_summary_counts(imported: Imported) -> None:
    for name, summary in imported.summaries.items():
        ref = imported.refs[name]
        assert summary.rows["annotations"] == len(ref.judgements)
        assert summary.rows["annotation_skips"] == len(ref.skips)
        assert summary.rows["items"] == len(ref.items)
        assert summary.rows["predictions"] == len(ref.predictions)
        assert summary.unsupported == ref.unsupported
        assert (
            sum(n for r, n in summary.rejected.items() if "multi-choice" in r)
            == (ref.rejected["annotation: multi-choice answer"])
        )
        assert summary.rejected["prediction: no score"] == ref.rejected["prediction: no score"]
        assert summary.from_name == "policy"
        text = "\n".join(summary.lines())
        assert f"skipped (was_cancelled): {len(ref.skips):,}" in text
        for kind, n in ref.unsupported.items():
            assert f"{kind} x{n:,}" in text
    assert imported.summaries["generated"].ignored_groups["sentiment"] > 0
    assert not imported.summaries["hand"].unknown_labels


def test_task_text_and_emails_never_reach_the_raw_directory(imported: Imported) -> None:
    written = "\n".join(p.read_text(encoding="utf-8") for p in imported.raw.iterdir())
    for text in [*TEXTS, "Ненавиджу", "もう生きていたくない", "أنت غبي", "Buy cheap followers", "link farm"]:
        assert text not in written
    assert "@example.com" not in written and "Okafor" not in written and "Ana" not in written


# ---------------------------------------------------------------------------------------------
# Behaviour of the importer alone.
# ---------------------------------------------------------------------------------------------


def _tasks() -> list[dict[str, Any]]:
    return json.loads(HAND.read_text(encoding="utf-8"))


def _write(tmp_path: Path, tasks: Any, name: str = "export.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return path


def _import_error(export: Path, out: Path, **kwargs: Any) -> str:
    with pytest.raises(LabelhouseError) as exc:
        import_export(export, out, project_id=kwargs.get("project_id"), from_name=kwargs.get("from_name"),
                      language_key="language")  # fmt: skip
    assert exc.value.exit_code == 1
    return str(exc.value)


def test_truncated_export_names_the_task(tmp_path: Path) -> None:
    message = _import_error(LS / "malformed_truncated.json", tmp_path / "raw")
    assert "task id 302" in message and "$[1]" in message and "malformed JSON" in message
    assert not list((tmp_path / "raw").glob("*.csv*"))  # nothing half-written is left behind


@pytest.mark.parametrize(
    ("break_it", "expected"),
    [
        (lambda t: t[2]["annotations"][0].update(created_at="yesterday"),
         ["task id 103", "$[2].annotations[0].created_at", "'yesterday'"]),
        (lambda t: t[1]["annotations"][1].update(completed_by={"email": "x@example.com"}),
         ["task id 102", "$[1].annotations[1].completed_by"]),
        (lambda t: t[3].pop("id"), ["$[3].id"]),
        (lambda t: t[0].pop("project"), ["task id 101", "$[0].project", "--project"]),
        (lambda t: t[4].update(annotations={"id": 1}), ["task id 105", "$[4].annotations", "array"]),
        (lambda t: t[0]["annotations"][0]["result"].append(_result("sentiment", ["positive"])),
         ["task id 101", "$[0].annotations[0].result", "several groups", "--from-name"]),
        (lambda t: t[6]["annotations"][0]["result"].__setitem__(0, _result("severity", ["high"])),
         ["task id 201", "choice group 'severity'", "'policy'", "--from-name"]),
        (lambda t: t[1]["annotations"][0].update(lead_time="8s"), ["task id 102", "lead_time", "'8s'"]),
    ],
    ids=["bad-timestamp", "user-without-id", "task-without-id", "no-project", "annotations-not-array",
         "two-groups-in-one-annotation", "group-changes", "bad-lead-time"],
)  # fmt: skip
def test_malformed_tasks_name_the_task_and_the_json_path(tmp_path: Path, break_it: Any, expected: list[str]) -> None:
    tasks = _tasks()
    break_it(tasks)
    message = _import_error(_write(tmp_path, tasks), tmp_path / "raw")
    for fragment in expected:
        assert fragment in message
    assert not list((tmp_path / "raw").glob("*.csv*"))


@pytest.mark.parametrize(
    ("content", "expected"),
    [("", "empty"), ('{"id": 1, "data": {}}', "array of tasks"), ('{"id": 1}\n{"id": 2}\n', "JSON-MIN"),
     ("[1, 2]", "expected a task object")],
    ids=["empty", "object", "jsonl", "not-objects"],
)  # fmt: skip
def test_not_a_json_export(tmp_path: Path, content: str, expected: str) -> None:
    export = tmp_path / "export.json"
    export.write_text(content)
    assert expected in _import_error(export, tmp_path / "raw")


def test_json_min_export_is_refused(tmp_path: Path) -> None:
    tasks = [{"id": 1, "text": "hi", "policy": "Spam", "annotator": 3, "annotation_id": 9, "created_at": "2026-10-01"}]
    assert "JSON-MIN" in _import_error(_write(tmp_path, tasks), tmp_path / "raw")


def test_from_name_picks_a_group_and_project_overrides(tmp_path: Path) -> None:
    tasks = _tasks()
    for task in tasks:
        for a in task["annotations"]:
            a["result"].append(_result("severity", ["high"]))
    out = tmp_path / "raw"
    summary = import_export(_write(tmp_path, tasks), out, project_id="trust-1", from_name="severity",
                            language_key="language")  # fmt: skip
    labels = {line.split(",")[4] for line in next(out.glob("annotations_*.csv")).read_text().splitlines()[1:]}
    assert labels == {"high"}
    assert summary.ignored_groups["policy"] > 0
    assert summary.unknown_labels["high"] == summary.rows["annotations"] + summary.rows["gold_labels"]
    assert "labels outside the taxonomy" in "\n".join(summary.lines())
    projects = next(out.glob("projects_*.csv")).read_text().split()
    assert projects == ["project_id", "trust-1"]


def test_language_key_is_configurable(tmp_path: Path) -> None:
    tasks = _tasks()
    for task in tasks:
        task["data"]["lang"] = "fr"
    out = tmp_path / "raw"
    import_export(_write(tmp_path, tasks), out, project_id=None, from_name=None, language_key="lang")
    rows = next(out.glob("items_*.csv")).read_text().splitlines()[1:]
    assert {r.split(",")[3] for r in rows} == {"fr"}


def test_reimport_replaces_its_files_and_gzip_is_read(tmp_path: Path) -> None:
    import gzip

    out = tmp_path / "raw"
    first = import_export(HAND, out, project_id=None, from_name=None, language_key="language")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    zipped = tmp_path / "project_export.json.gz"
    zipped.write_bytes(gzip.compress(HAND.read_bytes()))
    second = import_export(zipped, out, project_id=None, from_name=None, language_key="language")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert first.rows == second.rows


def test_successive_snapshot_exports_supersede_instead_of_rejecting(tmp_path: Path) -> None:
    """Label Studio exports are snapshots: a later export repeats every earlier annotation.

    Both exports in one raw directory give the same marts as the later export alone: the repeats
    are re-exports (superseded), not duplicates (rejected), and an annotation edited between the
    two exports counts with its later label.
    """
    generated = tmp_path / "generated.json"
    generate_export(generated, seed=11, n_tasks=150, first_task=300_000, projects=[910, 911])
    tasks = json.loads(generated.read_text(encoding="utf-8"))
    earlier_tasks = json.loads(json.dumps(tasks[:100]))
    edited = next(
        a
        for t in tasks[:100]
        for a in t["annotations"]
        if not a["was_cancelled"] and not a["ground_truth"] and len(a["result"][0]["value"]["choices"]) == 1
    )
    new_label = next(x for x in DISPLAY_LABELS if x != edited["result"][0]["value"]["choices"][0])
    edited["result"][0]["value"]["choices"] = [new_label]
    edited["updated_at"] = "2026-12-31T00:00:00.000000Z"
    earlier = tmp_path / "project-910-at-2026-10-01-09-00-aaaa.json"
    later = tmp_path / "project-910-at-2026-10-08-09-00-bbbb.json"
    earlier.write_text(json.dumps(earlier_tasks), encoding="utf-8")
    later.write_text(json.dumps(tasks), encoding="utf-8")
    both, only_later = tmp_path / "both", tmp_path / "later"
    first = import_export(earlier, both, project_id=None, from_name="policy", language_key="language")
    import_export(later, both, project_id=None, from_name="policy", language_key="language")
    import_export(later, only_later, project_id=None, from_name="policy", language_key="language")
    select = "path:models/staging +path:models/marts/core +path:models/marts/throughput +int_item_truth"
    w_both = _build(both, tmp_path / "both.duckdb", select)
    w_later = _build(only_later, tmp_path / "later.duckdb", select)

    assert query(w_both, "select entity, reject_reason, count(*) from staging.rejected_rows group by all") == []
    for entity in ("annotations", "annotation_skips", "predictions"):
        superseded, kept = query(w_both, f"select count(*) filter (where is_superseded), count(*) filter (where not "
                                 f"is_superseded) from staging.base_raw__{entity}")[0]  # fmt: skip
        assert superseded == first.rows[entity] > 0, entity
        assert kept == query(w_later, f"select count(*) from staging.stg_raw__{entity}")[0][0], entity
    label = query(w_both, f"select label from staging.stg_raw__annotations where annotation_id = '{edited['id']}'")
    assert label == [(_norm(new_label),)]
    for table in (
        "marts.fct_annotator_daily",
        "marts.fct_project_daily",
        "marts.dim_annotator",
        "marts.dim_item",
        "marts.dim_project",
    ):
        sql = f"select * from {table} order by all"
        got, expected = query(w_both, sql), query(w_later, sql)
        assert len(got) == len(expected), table
        for a, b in zip(got, expected, strict=True):
            # floats to 1e-12: parallel sums may add in another order
            assert all(
                x == pytest.approx(y, rel=1e-12, abs=1e-12) if isinstance(y, float) else x == y
                for x, y in zip(a, b, strict=True)
            ), (table, a, b)


def test_a_projects_own_choices_are_added_to_the_taxonomy(tmp_path: Path) -> None:
    """Choices outside the bundled taxonomy must not make the two commands fail: the import adds
    them (with the taxonomy in force) to a labels file; --no-add-labels leaves them to staging."""
    tasks = _tasks()
    changed = next(
        a
        for t in tasks
        for a in t["annotations"]
        if not a.get("was_cancelled")
        and a.get("result")
        and a["result"][0].get("type") == "choices"
        and len(a["result"][0]["value"]["choices"]) == 1
    )
    changed["result"][0]["value"]["choices"] = ["Scam Offer"]
    export = _write(tmp_path, tasks)
    select = "+path:models/staging"
    raw = tmp_path / "raw"
    summary = import_export(export, raw, project_id=None, from_name="policy", language_key="language")
    assert summary.labels_file is not None and summary.labels_file.name == "labels_label_studio_export.csv"
    assert any("Scam Offer" in line and summary.labels_file.name in line for line in summary.lines())
    warehouse = _build(raw, tmp_path / "w.duckdb", select)
    unknown = "select count(*) from staging.rejected_rows where reject_reason = 'unknown label'"
    assert query(warehouse, unknown) == [(0,)]
    labels = dict((r[0], r[1:]) for r in query(warehouse, "select label, policy_area, is_violating "
                                                          "from staging.stg_raw__labels"))  # fmt: skip
    assert labels["scam_offer"] == (None, None)
    assert labels["hate"] == ("hate_speech", True)  # the bundled taxonomy's metadata is kept
    assert query(warehouse, f"select label from staging.stg_raw__annotations where annotation_id = '{changed['id']}'"
                 ) == [("scam_offer",)]  # fmt: skip

    raw_without = tmp_path / "raw_without"
    summary = import_export(export, raw_without, project_id=None, from_name="policy", language_key="language",
                            add_labels=False)  # fmt: skip
    assert summary.labels_file is None and not list(raw_without.glob("labels*"))
    warehouse = _build(raw_without, tmp_path / "w2.duckdb", select)
    assert query(warehouse, unknown) == [(1,)]


def test_progress_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(label_studio, "PROGRESS_EVERY", 2)
    messages: list[str] = []
    import_export(HAND, tmp_path / "raw", project_id=None, from_name=None, language_key="language",
                  progress=messages.append)  # fmt: skip
    assert messages == ["  2 tasks read", "  4 tasks read", "  6 tasks read", "  7 tasks read"]


def test_memory_stays_bounded_on_a_large_export(tmp_path: Path) -> None:
    export = tmp_path / "big.json"
    generate_export(export, seed=3, n_tasks=2_000, first_task=1, projects=[1, 2])
    tasks = json.loads(export.read_text(encoding="utf-8"))
    for task in tasks:  # long texts make a big file of few tasks (tracemalloc makes each task slow)
        task["data"]["text"] = "Ненавиджу " * 600
    export.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    del tasks
    size = export.stat().st_size
    assert size > 20_000_000
    tracemalloc.start()
    try:
        summary = import_export(export, tmp_path / "raw", project_id=None, from_name="policy", language_key="language")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert summary.n_tasks == 2_000
    assert peak < size / 10, f"peak {peak:,} bytes for a {size:,}-byte export"


def test_cli(tmp_path: Path) -> None:
    from labelhouse.cli import app

    runner = CliRunner()
    ok = runner.invoke(app, ["import", "label-studio", str(HAND), "--out", str(tmp_path / "raw")])
    assert ok.exit_code == 0, ok.output
    assert "annotation_skips" in ok.output and "rectanglelabels x1" in ok.output
    bad = runner.invoke(app, ["import", "label-studio", str(LS / "malformed_truncated.json"), "--out",
                              str(tmp_path / "bad")])  # fmt: skip
    assert bad.exit_code == 1
    assert "task id 302" in bad.output
