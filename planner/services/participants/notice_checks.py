"""What a 開催通知 must not leave the office without (cheap: no Word library loaded)."""
from __future__ import annotations

from planner.models import Prefecture, Training

#: what a document for the public leaves out, and the official is told, while 県の設定 has no contact
CONTACT_MISSING = "問い合わせ先（県の設定の担当課・電話・メール）が入っていません。"
SENDER_MISSING = "発信者（県の設定）が入っていません。"


def has_contact(prefecture: Prefecture) -> bool:
    """Whether 県の設定 names a section, a phone or an address to ask."""
    return any((value or "").strip() for value in
               (prefecture.contact_section, prefecture.contact_phone, prefecture.contact_email))


def letter_problems(prefecture: Prefecture) -> list[str]:
    """What a letter leaving the office (開催通知, 講師依頼書) needs from 県の設定: its sender
    and whom to ask; each missing one as a Japanese line."""
    problems = []
    if not (prefecture.letter_sender or "").strip():
        problems.append(SENDER_MISSING)
    if not has_contact(prefecture):
        problems.append(CONTACT_MISSING)
    return problems


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
    problems += letter_problems(training.plan.prefecture)
    if not training.first_date:
        problems.append("開催日が決まっていません。")
    if not (training.venue or "").strip():
        problems.append("会場が決まっていません。")
    return problems
