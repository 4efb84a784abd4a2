"""What a 開催通知 must not leave the office without (cheap: no Word library loaded)."""
from __future__ import annotations

from planner.models import Training


def notice_problems(training: Training) -> list[str]:
    """A 文書番号 and an application deadline (else the notice reads 「第　　号」 and
    「申込締切　未定」), the dates and the venue; each missing one as a Japanese line."""
    problems = []
    if not (training.notice_number or "").strip():
        problems.append("文書番号が入っていません（通知に「第　　号」と出ます）。")
    if training.application_deadline is None:
        problems.append("申込締切が決まっていません（通知に「未定」と出ます）。")
    if not training.capacity:
        problems.append("定員が決まっていません（通知に「未定」と出ます）。")
    if not (training.plan.prefecture.letter_sender or "").strip():
        problems.append("発信者（県の設定）が入っていません。")
    if not training.first_date:
        problems.append("開催日が決まっていません。")
    if not (training.venue or "").strip():
        problems.append("会場が決まっていません。")
    return problems
