"""Convert ConvAbuse (Cercas Curry, Abercrombie & Rieser, EMNLP 2021; CC BY 4.0) to labelhouse's
raw export contract.

    python examples/convabuse/convert.py PATH/TO/ConvAbuseEMNLPfull.csv OUT_DIR

writes OUT_DIR/annotations.csv, items.csv, projects.csv and labels.csv (the dataset itself is
never copied into the repository). Choices:

* An item is a conversation turn - (conv_id, prev_agent, prev_user, agent, user) - not a row's
  example_no, which numbers judgements. item_id = conv_id + a short hash of the turn's text.
* The label is the one-hot `is_abuse.*` answer: 1 not_abusive, 0 ambiguous, -1 mildly_abusive,
  -2 strongly_abusive, -3 very_strongly_abusive.
* ConvAbuse has no timestamps. Judgements get a synthetic submitted_at that follows example_no,
  so when an annotator labelled a turn twice (the intra-annotator repeats) the later row is
  the latest judgement, the one inter-annotator statistics count.
* One project, `convabuse`; language en; the bot (CarbonBot or E.L.I.Z.A.) is the item's market.
"""

from __future__ import annotations

import csv
import hashlib
import sys
from datetime import datetime, timedelta
from pathlib import Path

PROJECT_ID = "convabuse"
ABUSE_LABELS = {
    "is_abuse.1": ("not_abusive", "false", 0),
    "is_abuse.0": ("ambiguous", "false", 1),
    "is_abuse.-1": ("mildly_abusive", "true", 2),
    "is_abuse.-2": ("strongly_abusive", "true", 3),
    "is_abuse.-3": ("very_strongly_abusive", "true", 4),
}
EPOCH = datetime(2021, 1, 4)  # synthetic: ConvAbuse carries no timestamps


class ConvAbuseError(Exception):
    """The input is not the ConvAbuse full CSV."""


def item_id_for(row: dict[str, str]) -> str:
    turn = "\x1f".join(row[k] for k in ("prev_agent", "prev_user", "agent", "user"))
    digest = hashlib.sha1(turn.encode("utf-8")).hexdigest()[:12]
    return f"{row['conv_id'].removesuffix('.0')}-{digest}"


def convert(csv_path: Path, out_dir: Path) -> dict[str, int]:
    """Write the raw exports for ConvAbuseEMNLPfull.csv into out_dir; return row counts."""
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    missing = {"example_no", "annotator_id", "conv_id", "bot", *ABUSE_LABELS} - set(rows[0] if rows else {})
    if missing:
        raise ConvAbuseError(f"{csv_path} lacks columns {sorted(missing)}: pass ConvAbuseEMNLPfull.csv")
    out_dir.mkdir(parents=True, exist_ok=True)
    items: dict[str, tuple[str, datetime]] = {}
    annotations = []
    for row in sorted(rows, key=lambda r: int(r["example_no"])):
        chosen = [key for key in ABUSE_LABELS if row[key].strip() == "1"]
        if len(chosen) != 1:
            raise ConvAbuseError(f"example_no {row['example_no']}: expected one is_abuse.* flag, got {chosen}")
        item_id = item_id_for(row)
        submitted = EPOCH + timedelta(minutes=int(row["example_no"]))
        items.setdefault(item_id, (row["bot"], submitted))
        annotations.append(
            [
                f"convabuse-{row['example_no']}",
                item_id,
                PROJECT_ID,
                row["annotator_id"],
                ABUSE_LABELS[chosen[0]][0],
                submitted.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "en",
            ]
        )
    with open(out_dir / "annotations.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["annotation_id", "item_id", "project_id", "annotator_id", "label", "submitted_at", "language"])
        w.writerows(annotations)
    with open(out_dir / "items.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["item_id", "project_id", "created_at", "language", "market", "content_type"])
        for item_id, (bot, first) in sorted(items.items()):
            created = (first - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            w.writerow([item_id, PROJECT_ID, created, "en", bot, "conversation_turn"])
    with open(out_dir / "projects.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["project_id", "name"])
        w.writerow([PROJECT_ID, "ConvAbuse (Cercas Curry et al., EMNLP 2021, CC BY 4.0)"])
    with open(out_dir / "labels.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["label", "policy_area", "is_violating", "severity"])
        for label, violating, severity in ABUSE_LABELS.values():
            w.writerow([label, "abuse", violating, severity])
    return {"annotations": len(annotations), "items": len(items)}


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python examples/convabuse/convert.py ConvAbuseEMNLPfull.csv OUT_DIR", file=sys.stderr)
        return 2
    try:
        counts = convert(Path(argv[1]), Path(argv[2]))
    except (OSError, ConvAbuseError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {counts['annotations']} judgements of {counts['items']} items to {argv[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
