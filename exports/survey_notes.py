"""The retrospective's 「次に変えること」 for a subject, in the lecturer's briefing. Kept apart
from exports.handouts (which calls `add_briefing_changes` once) and importing none of it."""
from __future__ import annotations

from exports.docx_common import bullets, heading
from planner.models import Training, TrainingSubject
from planner.services.survey.changes import changes_for_subject


def add_briefing_changes(doc, training: Training, row: TrainingSubject) -> None:
    """「前回の振り返りから（次に変えること）」 when earlier retrospectives named this subject."""
    lines = changes_for_subject(training, row)
    if lines:
        heading(doc, "前回の振り返りから（次に変えること）", 2)
        bullets(doc, [str(line) for line in lines])
