"""Judgements: who judges an item, when, how long it takes, what label they give; re-exports."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from labelhouse.demo.annotators import HARD_ITEM_ACCURACY_FACTOR, _Annotators
from labelhouse.demo.constants import (
    CUTOFF,
    DAY,
    HOUR,
    MAX_JUDGEMENTS,
    MINUTE,
    N_DAYS,
    N_LABELS,
    P_FIVE_JUDGEMENTS,
    P_REEXPORT,
    P_REPEAT,
    PERIOD_START,
    PILOT_ITEMS,
)
from labelhouse.demo.files import FILE_CSV, FILE_JSONL, FILE_REEXPORT
from labelhouse.demo.items import _items_core, _weekend_slowdown
from labelhouse.demo.sampling import STREAM_PILOT, _rng
from labelhouse.demo.scenarios import _Planted
from labelhouse.demo.totals import _Totals
from labelhouse.demo.world import P_OFF_SHIFT, PROJECT_SLA_HOURS, SHIFT_END_HOUR, SHIFT_START_HOUR


@dataclass(frozen=True)
class _Plan:
    """When each judgement slot of each item would be submitted, and which slots are used."""

    submitted: np.ndarray  # (m, MAX_JUDGEMENTS)
    used: np.ndarray  # (m, MAX_JUDGEMENTS) bool, before the cutoff is applied
    repeat: np.ndarray  # (m,) bool: the first annotator judges the item again
    repeat_submitted: np.ndarray  # (m,)


def _plan_judgements(rng: np.random.Generator, core: dict[str, np.ndarray]) -> _Plan:
    """3 (or 5) slots per judged item; queue waits scale with the project's SLA."""
    m = core["created"].size
    k = np.where(rng.random(m) < P_FIVE_JUDGEMENTS, 5, 3)
    used = (np.arange(MAX_JUDGEMENTS)[None] < k[:, None]) & ~core["expert"][:, None]
    wait = rng.lognormal(np.log(PROJECT_SLA_HOURS[core["project"]] * 0.2 * HOUR), 0.8)
    delay = wait[:, None] * rng.uniform(0.3, 1.7, (m, MAX_JUDGEMENTS))
    delay += rng.exponential(2 * HOUR, (m, MAX_JUDGEMENTS)) + 2 * MINUTE
    submitted = _weekend_slowdown(rng, core["created"][:, None] + delay.astype(np.int64))
    repeat_submitted = submitted[:, 0] + rng.integers(DAY, 6 * DAY, m)
    repeat = used[:, 0] & (rng.random(m) < P_REPEAT)
    return _Plan(submitted, used, repeat, repeat_submitted)


def _into_shift(rng: np.random.Generator, when: np.ndarray, utc_offset: np.ndarray) -> np.ndarray:
    """Work that would fall outside the annotator's local shift mostly waits for the next shift."""
    local = (when + utc_offset) % DAY
    early = local < SHIFT_START_HOUR * HOUR
    late = local >= SHIFT_END_HOUR * HOUR
    wait = np.where(early, SHIFT_START_HOUR * HOUR - local, DAY - local + SHIFT_START_HOUR * HOUR)
    move = (early | late) & (rng.random(when.shape) >= P_OFF_SHIFT)
    return when + np.where(move, wait + rng.integers(0, 4 * HOUR, when.shape), 0)


@dataclass(frozen=True)
class _Judgements:
    """Who judges each slot, how long it takes, when it is submitted, and what is kept."""

    who: np.ndarray  # (m, MAX_JUDGEMENTS)
    handle: np.ndarray  # (m, MAX_JUDGEMENTS) seconds
    submitted: np.ndarray  # (m, MAX_JUDGEMENTS)
    keep: np.ndarray  # (m, MAX_JUDGEMENTS): used and submitted before the cutoff
    repeat: np.ndarray  # (m,): the first annotator judges the item again (kept)
    repeat_submitted: np.ndarray  # (m,)


def _judgements(
    rng: np.random.Generator,
    core: dict[str, np.ndarray],
    annotators: _Annotators,
    pools: list[tuple[np.ndarray, np.ndarray]],
) -> _Judgements:
    """Assign annotators to the planned slots and fit the work into their shifts."""
    plan = _plan_judgements(rng, core)
    who = _assign_annotators(rng, core["lang"], pools)
    handle = _handle_seconds(rng, annotators, who)
    offset = annotators.utc_offset
    submitted = _into_shift(rng, plan.submitted, offset[who])
    submitted = np.maximum(submitted, core["created"][:, None] + handle + 30)
    keep = plan.used & (submitted < CUTOFF)
    repeat_submitted = np.maximum(_into_shift(rng, plan.repeat_submitted, offset[who[:, 0]]), submitted[:, 0] + DAY)
    repeat = plan.repeat & keep[:, 0] & (repeat_submitted < CUTOFF)
    return _Judgements(who, handle, submitted, keep, repeat, repeat_submitted)


def _annotations_per_item(seed: int, annotators: _Annotators, pools: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """Mean number of kept judgements per item, from a pilot run of the same process."""
    rng = _rng(seed, STREAM_PILOT)
    core = _items_core(rng, 0, PILOT_ITEMS, PILOT_ITEMS)
    j = _judgements(rng, core, annotators, pools)
    return float(j.keep.sum() + j.repeat.sum()) / PILOT_ITEMS


def _assign_annotators(
    rng: np.random.Generator, lang: np.ndarray, pools: list[tuple[np.ndarray, np.ndarray]]
) -> np.ndarray:
    """(m, MAX_JUDGEMENTS) distinct annotators per item, who speak the item's language."""
    out = np.zeros((lang.size, MAX_JUDGEMENTS), dtype=np.int64)
    for li, (members, cum) in enumerate(pools):
        rows = np.flatnonzero(lang == li)
        if rows.size == 0:
            continue

        def draw(count: int, members: np.ndarray = members, cum: np.ndarray = cum) -> np.ndarray:
            pos = np.searchsorted(cum, rng.random(count) * cum[-1], side="right")
            return members[np.minimum(pos, members.size - 1)]

        picks = draw(rows.size * MAX_JUDGEMENTS).reshape(rows.size, MAX_JUDGEMENTS)
        for j in range(1, MAX_JUDGEMENTS):
            for _ in range(200):
                dup = (picks[:, j : j + 1] == picks[:, :j]).any(axis=1)
                if not dup.any():
                    break
                picks[dup, j] = draw(int(dup.sum()))
        out[rows] = picks
    return out


def _handle_seconds(rng: np.random.Generator, annotators: _Annotators, who: np.ndarray) -> np.ndarray:
    """Log-normal handle times around each annotator's own median, 4 s to 30 min."""
    log_t = annotators.handle_log_median[who] + annotators.handle_sigma[who] * rng.standard_normal(who.shape)
    return np.clip(np.rint(np.exp(log_t)), 4, 1_800).astype(np.int64)


def _judge(
    rng: np.random.Generator,
    annotators: _Annotators,
    who: np.ndarray,
    true: np.ndarray,
    hard: np.ndarray,
    factor: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Labels from each annotator's confusion matrix, and a self-reported confidence; `factor`
    (planted scenarios) multiplies the probability of a correct label."""
    p_correct = annotators.accuracy[who, true] * np.where(hard, HARD_ITEM_ACCURACY_FACTOR, 1.0)
    if factor is not None:
        p_correct = p_correct * factor
    correct = rng.random(who.size) < p_correct
    wrong = (rng.random((who.size, 1)) < annotators.confusion_cum[who, true]).argmax(axis=1)
    label = np.where(correct, true, wrong)
    confidence = np.where(
        correct, 0.55 + 0.45 * rng.beta(5.0, 1.8, who.size), 0.35 + 0.5 * rng.beta(2.0, 2.5, who.size)
    )
    return label, np.round(confidence, 2)


def _route(submitted: np.ndarray) -> np.ndarray:
    """Annotation file index from the submission day."""
    day = (submitted - PERIOD_START) // DAY
    return np.where(day >= N_DAYS - 1, FILE_CSV, np.where(day == N_DAYS - 2, FILE_JSONL, day // 7))


def _annotation_rows(
    rng: np.random.Generator,
    core: dict[str, np.ndarray],
    annotators: _Annotators,
    pools: list[tuple[np.ndarray, np.ndarray]],
    totals: _Totals,
    planted: _Planted | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The chunk's judgements (and their re-exports) as staging rows."""
    j = _judgements(rng, core, annotators, pools)
    judged = ~core["expert"]
    totals.judged_items += int(judged.sum())
    totals.backlog_items += int((judged & (j.keep.sum(axis=1) < 3)).sum())
    totals.repeats += int(j.repeat.sum())

    item_idx, slot = np.nonzero(j.keep)
    rep_idx = np.flatnonzero(j.repeat)
    idx = np.concatenate([item_idx, rep_idx])
    first = j.who[rep_idx, 0]
    who = np.concatenate([j.who[item_idx, slot], first])
    handle = np.concatenate([j.handle[item_idx, slot], _handle_seconds(rng, annotators, first)])
    submitted = np.concatenate([j.submitted[item_idx, slot], j.repeat_submitted[rep_idx]])
    factor = None
    if planted is not None:
        factor = planted.accuracy_factor(who, core["project"][idx], core["created"][idx], submitted)
    label, confidence = _judge(rng, annotators, who, core["true"][idx], core["hard"][idx], factor)
    n = idx.size
    ann_num = totals.annotations + 1 + np.arange(n, dtype=np.int64)
    totals.annotations += n
    rows = pd.DataFrame(
        {
            "ann_num": ann_num,
            "item_num": core["item_num"][idx],
            "project": core["project"][idx].astype(np.int16),
            "annotator": who.astype(np.int16),
            "label": label.astype(np.int16),
            "started": submitted - handle,
            "submitted": submitted,
            "confidence": confidence,
            "lang": core["lang"][idx].astype(np.int16),
            "file": _route(submitted).astype(np.int16),
            "defect": np.zeros(n, dtype=np.int16),
        }
    )
    return rows, _reexports(rng, rows, core["true"][idx], totals)


def _reexports(rng: np.random.Generator, rows: pd.DataFrame, true: np.ndarray, totals: _Totals) -> pd.DataFrame:
    """~0.5% of judgements exported again later; half of them with a reworked label."""
    pick = rng.random(len(rows)) < P_REEXPORT
    again = rows.loc[pick].copy()
    old = again["label"].to_numpy()
    truth = true[pick]
    change = rng.random(old.size) < 0.5
    other = (old + 1 + rng.integers(0, N_LABELS - 1, old.size)) % N_LABELS
    new = np.where(change, np.where(old != truth, truth, other), old)
    again["label"] = new.astype(np.int16)
    again["file"] = np.int16(FILE_REEXPORT)
    totals.reexports += int(pick.sum())
    totals.reexport_label_changes += int((new != old).sum())
    return again
