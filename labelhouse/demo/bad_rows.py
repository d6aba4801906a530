"""Deliberately bad rows of every kind the staging layer rejects."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from labelhouse.demo.constants import N_LABELS, UNKNOWN_ITEM_BASE
from labelhouse.demo.defects import (
    ANNOTATION_DEFECTS,
    BAD_LABELS,
    DECISION_DEFECTS,
    GOLD_DEFECTS,
    ITEM_DEFECTS,
    PREDICTION_DEFECTS,
    _defect_code,
)
from labelhouse.demo.sampling import STREAM_BAD, _rng
from labelhouse.demo.staging import _Stage
from labelhouse.demo.totals import _Totals
from labelhouse.demo.world import PROJECTS


def _bad_per_kind(rows: int, kinds: int) -> int:
    """A handful of bad rows per kind: 2..20, about 0.4% of the entity in all."""
    return int(np.clip(int(rows * 0.004 / kinds), 2, 20))


def _pick(rng: np.random.Generator, population: int, kinds: Sequence[str], per_kind: int) -> pd.DataFrame:
    """Distinct random source rows (by seq) for each defect kind."""
    total = per_kind * len(kinds)
    src = rng.choice(population, size=total, replace=False)
    return pd.DataFrame(
        {
            "src_seq": src.astype(np.int64),
            "kind": np.repeat(np.arange(1, len(kinds) + 1), per_kind).astype(np.int16),
            "j": np.tile(np.arange(per_kind), len(kinds)).astype(np.int64),
        }
    )


def _with_picks(stage: _Stage, picks: pd.DataFrame, sql: str) -> None:
    stage.con.register("_picks", picks)
    stage.con.execute(sql)
    stage.con.unregister("_picks")


def _bad_annotations(stage: _Stage, rng: np.random.Generator, per_kind: int, totals: _Totals) -> None:
    """Extra annotation rows, each copied from a good one and broken in exactly one way."""
    picks = _pick(rng, stage.sizes["ann"], ANNOTATION_DEFECTS, per_kind)
    picks["new_ann_num"] = totals.annotations + 1 + np.arange(len(picks), dtype=np.int64)
    picks["new_seq"] = stage.sizes["ann"] + np.arange(len(picks), dtype=np.int64)
    d = {k: _defect_code(ANNOTATION_DEFECTS, k) for k in ANNOTATION_DEFECTS}
    _with_picks(
        stage,
        picks,
        f"""
        INSERT INTO ann BY NAME
        SELECT
            p.new_seq AS seq,
            CASE WHEN p.kind = {d["duplicate_row"]} THEN a.ann_num ELSE p.new_ann_num END AS ann_num,
            CASE WHEN p.kind = {d["unknown_item_id"]} THEN {UNKNOWN_ITEM_BASE} + p.j ELSE a.item_num END AS item_num,
            CASE WHEN p.kind = {d["unknown_project_id"]} THEN {len(PROJECTS)} ELSE a.project END AS project,
            a.annotator,
            CASE WHEN p.kind = {d["unknown_label"]} THEN {N_LABELS} + p.j % {len(BAD_LABELS)}
                 ELSE a.label END AS label,
            CASE WHEN p.kind = {d["submitted_before_started"]} THEN 2 * a.submitted - a.started + 60
                 ELSE a.started END AS started,
            a.submitted, a.confidence, a.lang, a.file,
            p.kind AS defect,
        FROM _picks AS p
        JOIN ann AS a ON a.seq = p.src_seq
        """,
    )
    stage.sizes["ann"] += len(picks)
    totals.annotations += len(picks)


def _bad_in_place(stage: _Stage, rng: np.random.Generator, table: str, kinds: Sequence[str]) -> int:
    """Break existing rows of `table` in place (defect code); returns the count per kind."""
    per_kind = _bad_per_kind(stage.sizes[table], len(kinds))
    picks = _pick(rng, stage.sizes[table], kinds, per_kind)
    _with_picks(stage, picks, f"UPDATE {table} SET defect = p.kind FROM _picks AS p WHERE {table}.seq = p.src_seq")
    return per_kind


def _bad_rows(stage: _Stage, seed: int, n_annotations: int, totals: _Totals) -> dict[str, dict[str, int]]:
    """Add every kind of deliberately bad row; returns the count of each kind per entity."""
    rng = _rng(seed, STREAM_BAD)
    per_ann = _bad_per_kind(n_annotations, len(ANNOTATION_DEFECTS))
    _bad_annotations(stage, rng, per_ann, totals)

    per_item = _bad_per_kind(stage.sizes["items"], len(ITEM_DEFECTS))
    picks = _pick(rng, stage.sizes["items"], ITEM_DEFECTS, per_item)
    picks["new_seq"] = stage.sizes["items"] + np.arange(len(picks), dtype=np.int64)
    _with_picks(
        stage,
        picks,
        "INSERT INTO items BY NAME SELECT p.new_seq AS seq, i.* EXCLUDE (seq, defect), p.kind AS defect "
        "FROM _picks AS p JOIN items AS i ON i.seq = p.src_seq",
    )
    stage.sizes["items"] += len(picks)

    per_pred = _bad_in_place(stage, rng, "preds", PREDICTION_DEFECTS[:2])
    unknown = _pick(rng, stage.sizes["preds"], ("unknown_label",), per_pred)
    unknown["new_seq"] = stage.sizes["preds"] + np.arange(len(unknown), dtype=np.int64)
    _with_picks(
        stage,
        unknown,
        f"""
        INSERT INTO preds BY NAME
        SELECT p.new_seq AS seq, r.item_num, r.version, {N_LABELS} + p.j % {len(BAD_LABELS)} AS label,
               r.score, r.predicted, {_defect_code(PREDICTION_DEFECTS, "unknown_label")} AS defect
        FROM _picks AS p JOIN preds AS r ON r.seq = p.src_seq
        """,
    )
    stage.sizes["preds"] += len(unknown)

    per_decision = _bad_in_place(stage, rng, "decisions", DECISION_DEFECTS)
    per_gold = _bad_in_place(stage, rng, "gold", GOLD_DEFECTS)
    stage.con.execute(f"UPDATE gold SET label = {N_LABELS} + seq % {len(BAD_LABELS)} WHERE defect = 1")
    return {
        "annotations": dict.fromkeys(ANNOTATION_DEFECTS, per_ann),
        "items": dict.fromkeys(ITEM_DEFECTS, per_item),
        "predictions": dict.fromkeys(PREDICTION_DEFECTS, per_pred),
        "moderation_decisions": dict.fromkeys(DECISION_DEFECTS, per_decision),
        "gold_labels": dict.fromkeys(GOLD_DEFECTS, per_gold),
    }
