"""Label Studio JSON export -> raw contract files, streamed.

Label Studio's "JSON" export is one array of tasks, each with `id`, `data`, `created_at`,
`project`, `annotations[]` and `predictions[]`. This module reads it one task at a time (ijson),
so memory stays bounded on exports of several gigabytes, and writes CSV files named
`<entity>_label_studio_<export stem>.csv` into the raw directory (re-importing the same export
replaces its files; imports of other exports sit beside them).

Mapping (see docs/label-studio.md):

* annotation -> `annotations` row: annotation_id = annotation `id`, item_id = task `id`,
  annotator_id = `completed_by` (an integer, or an object whose `id` is kept: never the e-mail),
  label = the chosen value of the `choices` result, submitted_at = the later of the annotation's
  `created_at` and `updated_at`, started_at = submitted_at - `lead_time` seconds, exported_at =
  submitted_at (so a later re-export of an edited annotation supersedes the earlier one).
* one choice group is read: `from_name` when given, else the only group the export uses (an
  export with several groups stops with a message asking for `--from-name`).
* multi-choice answers (several values in the group) are NOT judgements: agreement statistics
  need one label per judgement. They are rejected with the reason "multi-choice answer", counted
  in the summary and listed in `import_rejects_label_studio_<stem>.csv` (not read by the
  warehouse), as are annotations without a choice in the group.
* `was_cancelled: true` (a skipped task) -> `annotation_skips` row, not a judgement.
* `ground_truth: true` -> `gold_labels` row (source `label_studio_ground_truth`), not a judgement:
  a gold answer counted as a judgement would agree with itself.
* prediction -> one `predictions` row per predicted choice: model_name `label_studio`,
  model_version = `model_version` (`unversioned` when empty), score = the prediction's `score`,
  else the choices result's `score`; a prediction without any score cannot be evaluated and is
  counted and listed as rejected.
* task `data` is never copied (privacy): only `data[language_key]` when it is a string.
* result types other than `choices` (boxes, spans, text...) are counted once per type.
"""

from __future__ import annotations

import csv
import gzip
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import ijson

from labelhouse.errors import LabelhouseError
from labelhouse.paths import SEED_LABELS
from labelhouse.progress import Progress, choose_mode

MODEL_NAME = "label_studio"
UNVERSIONED = "unversioned"
GOLD_SOURCE = "label_studio_ground_truth"
PROGRESS_EVERY = 10_000
LIVE_EVERY = 500  # the live bar is redrawn at most this often (in tasks) besides its one-second tick

# Columns written per entity, in the raw contract's vocabulary (dbt_project.yml var raw_contract).
COLUMNS: dict[str, tuple[str, ...]] = {
    "annotations": (
        "annotation_id",
        "item_id",
        "project_id",
        "annotator_id",
        "label",
        "submitted_at",
        "started_at",
        "language",
        "exported_at",
    ),
    "items": ("item_id", "project_id", "created_at", "language"),
    "gold_labels": ("item_id", "label", "project_id", "source", "labelled_at"),
    "predictions": ("model_name", "model_version", "item_id", "label", "score", "predicted_at"),
    "annotation_skips": ("annotation_id", "item_id", "project_id", "annotator_id", "skipped_at"),
    "projects": ("project_id",),
    "annotators": ("annotator_id",),
}
REJECT_COLUMNS = ("task_id", "record", "record_id", "reason")


@dataclass
class ImportSummary:
    """What one import wrote and what it left out, with the reason."""

    export: Path
    out: Path
    n_tasks: int = 0
    from_name: str | None = None
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))
    files: dict[str, Path] = field(default_factory=dict)
    rejected: Counter[str] = field(default_factory=Counter)
    unsupported: Counter[str] = field(default_factory=Counter)
    ignored_groups: Counter[str] = field(default_factory=Counter)
    unknown_labels: Counter[str] = field(default_factory=Counter)
    rejects_file: Path | None = None
    labels_file: Path | None = None

    def lines(self) -> list[str]:
        out = [f"Read {self.n_tasks:,} tasks from {self.export.name} into {self.out}"]
        if self.from_name:
            out.append(f"  choice group (from_name): {self.from_name}")
        for entity in COLUMNS:
            if entity in self.files:
                out.append(f"  {entity:<17} {self.rows[entity]:>10,} rows  {self.files[entity].name}")
        out.append(f"  skipped (was_cancelled): {self.rows['annotation_skips']:,}")
        if self.rejected:
            listed = f"; listed in {self.rejects_file.name}" if self.rejects_file else ""
            out.append(f"  not imported{listed}:")
            out += [f"    {reason}: {n:,}" for reason, n in sorted(self.rejected.items())]
        if self.unsupported:
            kinds = ", ".join(f"{t} x{n:,}" for t, n in sorted(self.unsupported.items()))
            out.append(f"  unsupported result types (not imported): {kinds}")
        if self.ignored_groups:
            groups = ", ".join(f"{g} x{n:,}" for g, n in sorted(self.ignored_groups.items()))
            out.append(f"  other choice groups (ignored): {groups}")
        if self.unknown_labels and self.labels_file is not None:
            names = ", ".join(sorted(self.unknown_labels))
            out.append(
                f"  labels outside the taxonomy: {names} -- added to {self.labels_file.name} with the current"
                " taxonomy (fill in policy_area, is_violating and severity there)"
            )
        elif self.unknown_labels:
            names = ", ".join(sorted(self.unknown_labels))
            out.append(
                f"  labels outside the taxonomy (staging will reject them as 'unknown label'): {names}"
                " -- add them to a labels.csv in the raw directory"
            )
        return out


def import_export(
    export: Path,
    out: Path,
    *,
    project_id: str | None = None,
    from_name: str | None = None,
    language_key: str = "language",
    add_labels: bool = True,
    progress: Callable[[str], None] = lambda _message: None,
    seed_labels: Path = SEED_LABELS,
) -> ImportSummary:
    """Convert the Label Studio JSON export `export` into raw contract files in `out`.

    With add_labels, choices outside the taxonomy (a project's own label names) are added to a
    `labels_label_studio_<export>.csv` beside the other files, together with the taxonomy in force
    (the raw directory's labels files, else `seed_labels`, the project's seed), so that the
    build accepts them.
    """
    export, out = Path(export), Path(out)
    if not export.is_file():
        raise LabelhouseError(f"Label Studio export '{export}' does not exist.")
    out.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", export.name.removesuffix(".gz").removesuffix(".json"))
    summary = ImportSummary(export=export, out=out, from_name=from_name)
    converter = _Converter(summary, project_id, from_name, language_key, _taxonomy(out, seed_labels))
    targets = {entity: out / f"{entity}_label_studio_{stem}.csv" for entity in COLUMNS}
    rejects_target = out / f"import_rejects_label_studio_{stem}.csv"
    writers = _Writers({**targets, "rejects": rejects_target}, {**COLUMNS, "rejects": REJECT_COLUMNS})
    # on a terminal a live bar (tasks read, elapsed); elsewhere a line every PROGRESS_EVERY tasks
    live = choose_mode() == "live"
    bar = Progress("importing", unit="tasks", say=progress, indent="  ", mode="live" if live else "off")
    try:
        with bar:
            bar.set_label(export.name)
            for index, task in _tasks(export):
                converter.task(index, task, writers)
                summary.n_tasks += 1
                if live and summary.n_tasks % LIVE_EVERY == 0:
                    bar.step(summary.n_tasks)
                elif not live and summary.n_tasks % PROGRESS_EVERY == 0:
                    progress(f"  {summary.n_tasks:,} tasks read")
            for project in sorted(converter.projects):
                writers.write("projects", (project,))
            for annotator in sorted(converter.annotators):
                writers.write("annotators", (annotator,))
            bar.step(summary.n_tasks)
            bar.finish(f"{summary.n_tasks:,} tasks read")
    except BaseException:
        writers.discard()
        raise
    written = writers.publish()
    summary.from_name = converter.from_name
    for entity in COLUMNS:
        summary.rows[entity] = writers.counts[entity]
        if entity in written:
            summary.files[entity] = written[entity]
    summary.rejects_file = written.get("rejects")
    labels_target = out / f"labels_label_studio_{stem}.csv"
    if add_labels and summary.unknown_labels:
        summary.labels_file = _write_taxonomy(out, labels_target, summary.unknown_labels, seed_labels)
    return summary


LABEL_COLUMNS = ("label", "policy_area", "is_violating", "severity")


def _taxonomy_files(out: Path, seed_labels: Path, exclude: Path | None = None) -> list[Path]:
    """The raw directory's labels*.csv files (they replace the seed taxonomy), else the seed."""
    raw_name = re.compile(r"labels.*\.(csv|csv\.gz|jsonl|parquet)")
    files = sorted(p for p in out.iterdir() if p.is_file() and raw_name.fullmatch(p.name) and p != exclude)
    return files or [seed_labels]


def _write_taxonomy(out: Path, target: Path, new_labels: Counter[str], seed_labels: Path) -> Path:
    """Write the taxonomy in force plus `new_labels` (metadata left empty) to `target`, atomically."""
    rows: dict[str, dict[str, str]] = {}
    for path in _taxonomy_files(out, seed_labels, exclude=target):
        if not path.name.endswith(".csv"):
            continue
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                row = {k.strip().lower(): (v or "") for k, v in row.items() if k}
                label = _normalise_label(row.get("label", ""))
                if label:
                    rows[label] = {c: row.get(c, "") for c in LABEL_COLUMNS} | {"label": label}
    for raw_label in sorted(new_labels):
        label = _normalise_label(raw_label)
        rows.setdefault(label, dict.fromkeys(LABEL_COLUMNS, "") | {"label": label})
    partial = target.with_name(target.name + ".partial")
    with open(partial, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(LABEL_COLUMNS)
        for label in sorted(rows):
            writer.writerow([rows[label][c] for c in LABEL_COLUMNS])
    partial.replace(target)
    return target


class _Writers:
    """One CSV per entity, written to a temporary name and renamed only when the import succeeds."""

    def __init__(self, targets: dict[str, Path], columns: dict[str, tuple[str, ...]]) -> None:
        self.targets = targets
        self.columns = columns
        self.counts: Counter[str] = Counter({name: 0 for name in targets})
        self._handles: dict[str, IO[str]] = {}
        self._writers: dict[str, Any] = {}

    def _tmp(self, name: str) -> Path:
        return self.targets[name].with_name(self.targets[name].name + ".partial")

    def write(self, name: str, row: tuple[str, ...]) -> None:
        writer = self._writers.get(name)
        if writer is None:
            handle = open(self._tmp(name), "w", newline="", encoding="utf-8")  # noqa: SIM115 - closed in publish
            self._handles[name] = handle
            writer = self._writers[name] = csv.writer(handle, lineterminator="\n")
            writer.writerow(self.columns[name])
        writer.writerow(row)
        self.counts[name] += 1

    def publish(self) -> dict[str, Path]:
        """Rename the finished files into place; an entity with no rows leaves no (stale) file."""
        for handle in self._handles.values():
            handle.close()
        written = {}
        for name, target in self.targets.items():
            if name in self._handles:
                self._tmp(name).replace(target)
                written[name] = target
            else:
                target.unlink(missing_ok=True)
        return written

    def discard(self) -> None:
        for name, handle in self._handles.items():
            handle.close()
            self._tmp(name).unlink(missing_ok=True)


def _open(export: Path) -> IO[bytes]:
    if export.name.endswith(".gz"):
        return gzip.open(export, "rb")
    return open(export, "rb")  # noqa: SIM115 - the caller closes it


def _tasks(export: Path) -> Iterator[tuple[int, Any]]:
    """Yield (index, task) from the export's top-level array, one task in memory at a time."""
    with _open(export) as stream:
        head = stream.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
        if not head:
            raise LabelhouseError(
                f"{export}: the file is empty; expected Label Studio's JSON export (an array of tasks)."
            )
        if not head.startswith(b"["):
            hint = " (this looks like a JSON-MIN / JSONL export)" if head.startswith(b"{") else ""
            raise LabelhouseError(
                f"{export}: expected Label Studio's JSON export, an array of tasks, at JSON path $; "
                f"the file starts with {head[:20]!r}{hint}. Export the project as 'JSON'."
            )
    index = -1
    last_id: Any = None
    try:
        with _open(export) as stream:
            for index, task in enumerate(ijson.items(stream, "item", use_float=True)):
                yield index, task
                last_id = task.get("id") if isinstance(task, dict) else None
    except ijson.JSONError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        failing = index + 1
        task_id = _id_of_task(export, failing)
        where = f"task id {task_id}" if task_id is not None else "a task with no id read yet"
        after = f" (the previous task, id {last_id}, was read)" if last_id is not None else ""
        raise LabelhouseError(
            f"{export}: malformed JSON in {where} at JSON path $[{failing}]{after}: {reason}. "
            "Re-export the project or repair the file."
        ) from None


def _id_of_task(export: Path, index: int) -> Any:
    """On a syntax error only: re-read the events up to the failure to name the broken task's id."""
    seen = -1
    found: Any = None
    try:
        with _open(export) as stream:
            for prefix, event, value in ijson.parse(stream):
                if prefix == "item" and event == "start_map":
                    seen += 1
                    found = None
                elif prefix == "item.id" and seen == index:
                    found = value
    except ijson.JSONError:
        pass
    except OSError:
        return None
    return found if seen == index else None


def _taxonomy(out: Path, seed_labels: Path) -> set[str] | None:
    """The labels staging will accept: labels*.csv in the raw directory, else the seed taxonomy."""
    files = _taxonomy_files(out, seed_labels)
    if any(not p.name.endswith(".csv") for p in files):
        return None  # only CSV taxonomies are checked here; staging checks every format
    labels: set[str] = set()
    try:
        for path in files:
            with open(path, newline="", encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    value = {k.strip().lower(): v for k, v in row.items() if k}.get("label")
                    if value and _normalise_label(value):
                        labels.add(_normalise_label(value))
    except (OSError, csv.Error, UnicodeDecodeError):
        return None
    return labels


def _normalise_label(value: str) -> str:
    """As the staging macro normalise_label: lower-case, trimmed, spaces and hyphens as underscores."""
    return value.strip().lower().replace(" ", "_").replace("-", "_")


def _text_id(value: Any) -> str | None:
    """An id as text: integers and non-blank strings; anything else is not an id."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _format(value: datetime) -> str:
    return value.isoformat(sep=" ", timespec="microseconds")


class _Converter:
    def __init__(
        self,
        summary: ImportSummary,
        project_id: str | None,
        from_name: str | None,
        language_key: str,
        taxonomy: set[str] | None,
    ) -> None:
        self.summary = summary
        self.project_override = project_id
        self.from_name = from_name
        self.from_name_given = from_name is not None
        self.language_key = language_key
        self.taxonomy = taxonomy
        self.projects: set[str] = set()
        self.annotators: set[str] = set()

    # -- helpers that fail with the task id and the JSON path ------------------------------------

    def _fail(self, task_id: Any, path: str, problem: str) -> LabelhouseError:
        who = f"task id {task_id}" if task_id is not None else "a task"
        return LabelhouseError(f"{self.summary.export}: {who}, JSON path {path}: {problem}")

    def _timestamp(self, value: Any, task_id: Any, path: str, *, required: bool) -> datetime | None:
        if value is None or value == "":
            if required:
                raise self._fail(task_id, path, "missing timestamp")
            return None
        if not isinstance(value, str):
            raise self._fail(task_id, path, f"expected an ISO-8601 timestamp, got {value!r}")
        try:
            return _utc(datetime.fromisoformat(value.strip()))
        except ValueError:
            raise self._fail(task_id, path, f"unparsable timestamp {value!r}") from None

    def _list(self, value: Any, task_id: Any, path: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._fail(task_id, path, f"expected an array, got {type(value).__name__}")
        return value

    def _reject(self, writers: _Writers, task_id: str, record: str, record_id: str, reason: str) -> None:
        self.summary.rejected[f"{record}: {reason}"] += 1
        writers.write("rejects", (task_id, record, record_id, reason))

    def _label(self, value: str) -> str:
        label = value.strip()
        if self.taxonomy is not None and _normalise_label(label) not in self.taxonomy:
            self.summary.unknown_labels[label] += 1
        return label

    def _choices(self, results: list[Any], task_id: Any, path: str) -> tuple[list[str], float | None]:
        """The distinct chosen values of the selected choice group, and the result-level score if any."""
        groups: dict[str, list[str]] = {}
        score: float | None = None
        for r, result in enumerate(results):
            where = f"{path}[{r}]"
            if not isinstance(result, dict):
                raise self._fail(task_id, where, "expected a result object")
            kind = result.get("type")
            if kind != "choices":
                self.summary.unsupported[str(kind)] += 1
                continue
            name = result.get("from_name")
            if not isinstance(name, str):
                raise self._fail(task_id, f"{where}.from_name", "a choices result needs a from_name")
            value = result.get("value")
            chosen = value.get("choices") if isinstance(value, dict) else None
            if not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen):
                raise self._fail(task_id, f"{where}.value.choices", "expected an array of strings")
            groups.setdefault(name, []).extend(chosen)
            if isinstance(result.get("score"), int | float) and not isinstance(result.get("score"), bool):
                score = float(result["score"])
        if not groups:
            return [], score
        if self.from_name is None:
            if len(groups) > 1:
                raise self._fail(
                    task_id,
                    path,
                    f"choices in several groups ({', '.join(sorted(groups))}); pass --from-name to pick one",
                )
            self.from_name = next(iter(groups))
        for name in groups:
            if name != self.from_name:
                if not self.from_name_given:
                    raise self._fail(
                        task_id,
                        path,
                        f"choice group '{name}' but earlier tasks used '{self.from_name}'; "
                        "pass --from-name to pick one",
                    )
                self.summary.ignored_groups[name] += 1
        chosen = groups.get(self.from_name, [])
        return list(dict.fromkeys(c.strip() for c in chosen if c.strip())), score

    # -- one task ---------------------------------------------------------------------------------

    def task(self, index: int, task: Any, writers: _Writers) -> None:
        path = f"$[{index}]"
        if not isinstance(task, dict):
            raise self._fail(None, path, f"expected a task object, got {type(task).__name__}")
        item_id = _text_id(task.get("id"))
        if item_id is None:
            raise self._fail(None, f"{path}.id", "a task needs an integer or text id")
        if "annotations" not in task and "data" not in task:
            raise self._fail(
                item_id,
                path,
                "no 'data' and no 'annotations': this looks like a JSON-MIN export; export the project as 'JSON'",
            )
        project = self.project_override or _text_id(task.get("project"))
        if project is None:
            raise self._fail(item_id, f"{path}.project", "no project id; pass --project ID")
        created_at = self._timestamp(task.get("created_at"), item_id, f"{path}.created_at", required=True)
        data = task.get("data")
        if data is not None and not isinstance(data, dict):
            raise self._fail(item_id, f"{path}.data", "expected an object")
        language = (data or {}).get(self.language_key)
        language = language.strip() if isinstance(language, str) else ""
        self.projects.add(project)
        writers.write("items", (item_id, project, _format(created_at), language))  # type: ignore[arg-type]

        for a, annotation in enumerate(self._list(task.get("annotations"), item_id, f"{path}.annotations")):
            self._annotation(item_id, project, language, annotation, f"{path}.annotations[{a}]", writers)
        for p, prediction in enumerate(self._list(task.get("predictions"), item_id, f"{path}.predictions")):
            self._prediction(item_id, prediction, f"{path}.predictions[{p}]", writers)

    def _annotation(
        self, item_id: str, project: str, language: str, annotation: Any, path: str, writers: _Writers
    ) -> None:
        if not isinstance(annotation, dict):
            raise self._fail(item_id, path, "expected an annotation object")
        annotation_id = _text_id(annotation.get("id"))
        if annotation_id is None:
            raise self._fail(item_id, f"{path}.id", "an annotation needs an id")
        completed_by = annotation.get("completed_by")
        # Some versions export the user as an object: keep its id, never the e-mail or the name.
        annotator_id = _text_id(completed_by.get("id") if isinstance(completed_by, dict) else completed_by)
        if annotator_id is None:
            raise self._fail(item_id, f"{path}.completed_by", "expected a user id or an object with an 'id'")
        created = self._timestamp(annotation.get("created_at"), item_id, f"{path}.created_at", required=True)
        updated = self._timestamp(annotation.get("updated_at"), item_id, f"{path}.updated_at", required=False)
        # An edited annotation is re-exported with a later updated_at: that is when it was last submitted.
        submitted = max(created, updated) if updated else created  # type: ignore[type-var]
        assert submitted is not None
        self.annotators.add(annotator_id)

        if annotation.get("was_cancelled") is True:
            row = (annotation_id, item_id, project, annotator_id, _format(submitted))
            writers.write("annotation_skips", row)
            return

        lead_time = annotation.get("lead_time")
        started = ""
        if lead_time is not None:
            if isinstance(lead_time, bool) or not isinstance(lead_time, int | float):
                raise self._fail(item_id, f"{path}.lead_time", f"expected seconds as a number, got {lead_time!r}")
            if lead_time >= 0:
                started = _format(submitted - timedelta(seconds=lead_time))
            else:
                self.summary.rejected["annotation: negative lead_time (imported without started_at)"] += 1

        results = self._list(annotation.get("result"), item_id, f"{path}.result")
        chosen, _score = self._choices(results, item_id, f"{path}.result")
        kind = "gold annotation" if annotation.get("ground_truth") is True else "annotation"
        if not chosen:
            self._reject(writers, item_id, kind, annotation_id, "no choice in the choice group")
            return
        if len(chosen) > 1:
            self._reject(writers, item_id, kind, annotation_id, "multi-choice answer")
            return
        label = self._label(chosen[0])
        if kind == "gold annotation":
            writers.write("gold_labels", (item_id, label, project, GOLD_SOURCE, _format(submitted)))
            return
        row = (
            annotation_id,
            item_id,
            project,
            annotator_id,
            label,
            _format(submitted),
            started,
            language,
            _format(submitted),
        )
        writers.write("annotations", row)

    def _prediction(self, item_id: str, prediction: Any, path: str, writers: _Writers) -> None:
        if not isinstance(prediction, dict):
            raise self._fail(item_id, path, "expected a prediction object")
        version = prediction.get("model_version")
        version = str(version).strip() if version not in (None, "") else UNVERSIONED
        results = self._list(prediction.get("result"), item_id, f"{path}.result")
        chosen, result_score = self._choices(results, item_id, f"{path}.result")
        record_id = _text_id(prediction.get("id")) or f"{path}"
        if not chosen:
            self._reject(writers, item_id, "prediction", record_id, "no choice in the choice group")
            return
        score = prediction.get("score")
        if isinstance(score, bool) or not isinstance(score, int | float):
            score = result_score
        if score is None:
            self._reject(writers, item_id, "prediction", record_id, "no score")
            return
        stamp = prediction.get("updated_at") or prediction.get("created_at")
        predicted = self._timestamp(stamp, item_id, f"{path}.created_at", required=False)
        for choice in chosen:
            row = (
                MODEL_NAME,
                version,
                item_id,
                self._label(choice),
                repr(float(score)),
                _format(predicted) if predicted else "",
            )
            writers.write("predictions", row)


__all__ = ["ImportSummary", "import_export"]
