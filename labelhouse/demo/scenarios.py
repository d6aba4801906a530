"""Optional planted scenarios: a drifting annotator, a week in which one project's agreement
drops, and a project that will finish after its due date (all off by default), and a newer model
version that is worse than the one before it (on by default: the demo has always had it).

Each one only rescales the probability of a correct judgement (or rewrites the projects file, or
changes a model version's parameters), so it draws no extra random numbers: with the defaults the
files are the same as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from labelhouse.demo.annotators import _Annotators
from labelhouse.demo.constants import CUTOFF, DAY, _epoch
from labelhouse.demo.files import _date
from labelhouse.demo.predictions import _model_runs, _model_truth, _ModelVersion
from labelhouse.demo.world import PROJECTS

DRIFT_DAYS = 7  # the drifting annotator's last days before the cutoff
DRIFT_ACCURACY_FACTOR = 0.5  # multiplies their P(correct) in those days
DROP_PROJECT = 0  # index in PROJECTS (p_hate_2026q4)
DROP_WEEK_START = _epoch("2026-10-19T00:00:00")  # the Monday of the last complete week before the cutoff
DROP_ACCURACY_FACTOR = 0.55  # multiplies P(correct) on that project's items created in that week
LATE_PROJECT = 3  # index in PROJECTS (p_general_2026q4)
LATE_DUE_DATE = "2026-11-06"
LATE_TARGET_FACTOR = 3  # its target is this many times the items generated for it
# Guideline versions (always exported): every judgement is under GUIDELINE_VERSIONS[0] except
# GUIDELINE_PROJECT's judgements submitted from GUIDELINE_CHANGE_AT on, under GUIDELINE_VERSIONS[1].
# With the guideline_change scenario the old version is worse: its P(correct) in that project is
# multiplied by GUIDELINE_OLD_ACCURACY_FACTOR, so the new guideline helps.
GUIDELINE_PROJECT = 2  # index in PROJECTS (p_spam_2026q4)
GUIDELINE_CHANGE_AT = _epoch("2026-10-05T00:00:00")
GUIDELINE_VERSIONS = ("2026.1", "2026.2")
GUIDELINE_OLD_ACCURACY_FACTOR = 0.7


@dataclass(frozen=True)
class Scenarios:
    """Which planted scenarios to generate (issue 16). All off by default except
    worse_model_version (safety-lite v2 worse than v1, as the demo always had it); turn it off
    for data on which no model regression should be found."""

    drifting_annotator: bool = False
    agreement_drop: bool = False
    late_project: bool = False
    guideline_change: bool = False
    worse_model_version: bool = True


@dataclass(frozen=True)
class _Planted:
    """The scenarios resolved against the generated population."""

    scenarios: Scenarios
    drifter: int  # annotator index, -1 when off

    def accuracy_factor(
        self, who: np.ndarray, project: np.ndarray, created: np.ndarray, submitted: np.ndarray
    ) -> np.ndarray | None:
        """Per judgement, the factor on P(correct); None when no scenario changes judgements."""
        if not (self.scenarios.drifting_annotator or self.scenarios.agreement_drop or self.scenarios.guideline_change):
            return None
        factor = np.ones(who.shape)
        if self.scenarios.drifting_annotator:
            drifting = (who == self.drifter) & (submitted >= CUTOFF - DRIFT_DAYS * DAY)
            factor = np.where(drifting, factor * DRIFT_ACCURACY_FACTOR, factor)
        if self.scenarios.agreement_drop:
            in_week = (created >= DROP_WEEK_START) & (created < DROP_WEEK_START + 7 * DAY)
            factor = np.where((project == DROP_PROJECT) & in_week, factor * DROP_ACCURACY_FACTOR, factor)
        if self.scenarios.guideline_change:
            old = (project == GUIDELINE_PROJECT) & (submitted < GUIDELINE_CHANGE_AT)
            factor = np.where(old, factor * GUIDELINE_OLD_ACCURACY_FACTOR, factor)
        return factor

    def manifest(self, annotators: _Annotators) -> dict[str, Any]:
        """The planted facts, for the manifest's `truth.scenarios`."""
        planted: dict[str, Any] = {}
        if self.scenarios.drifting_annotator:
            planted["drifting_annotator"] = {
                "annotator_id": annotators.ids()[self.drifter],
                "from": _date(CUTOFF - DRIFT_DAYS * DAY),
                "accuracy_factor": DRIFT_ACCURACY_FACTOR,
            }
        if self.scenarios.agreement_drop:
            planted["agreement_drop"] = {
                "project_id": PROJECTS[DROP_PROJECT].project_id,
                "items_created_from": _date(DROP_WEEK_START),
                "items_created_before": _date(DROP_WEEK_START + 7 * DAY),
                "accuracy_factor": DROP_ACCURACY_FACTOR,
            }
        if self.scenarios.late_project:
            planted["late_project"] = {
                "project_id": PROJECTS[LATE_PROJECT].project_id,
                "due_date": LATE_DUE_DATE,
                "target_factor": LATE_TARGET_FACTOR,
            }
        return planted

    def model_runs(self) -> tuple[_ModelVersion, ...]:
        """Every model version's parameters under these scenarios (worse_model_version)."""
        return _model_runs(self.scenarios.worse_model_version)

    def model_truth(self) -> dict[str, dict[str, str | None]]:
        """The planted facts per model, for the manifest's `truth.models`."""
        return _model_truth(self.scenarios.worse_model_version)

    def guideline_versions(self) -> dict[str, Any]:
        """The guideline versions, for the manifest's `truth.guideline_versions`."""
        return {
            "project_id": PROJECTS[GUIDELINE_PROJECT].project_id,
            "versions": list(GUIDELINE_VERSIONS),
            "changed_at": _date(GUIDELINE_CHANGE_AT),
            "other_projects_version": GUIDELINE_VERSIONS[0],
            "old_version_accuracy_factor": GUIDELINE_OLD_ACCURACY_FACTOR if self.scenarios.guideline_change else 1.0,
        }


def _plant(scenarios: Scenarios | None, annotators: _Annotators) -> _Planted:
    """Resolve the scenarios: the drifting annotator is the good one with the most work."""
    scenarios = scenarios or Scenarios()
    drifter = -1
    if scenarios.drifting_annotator:
        good = np.flatnonzero(~annotators.is_bad)
        drifter = int(good[np.argmax(annotators.weight[good])])
    return _Planted(scenarios, drifter)
