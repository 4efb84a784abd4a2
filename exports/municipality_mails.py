"""The mails to a municipality's contact person: the application link with the 開催通知
attached, the receipt after each change through the link, and the official's decision on a
waiting entry. Builders: text and bytes, never a commit.

Officials' PCs on LGWAN may receive mail with the attachment removed (無害化), so each text
carries the date, time, place, deadline and the link itself.
"""
from __future__ import annotations

from datetime import date

from exports.handouts import _day_lines, _venue, contact_lines, safe_filename
from exports.notices import _env
from exports.participant_notice import notice, notice_subject
from planner.domain.dates import format_date_wareki
from planner.models import Municipality, Participant, Training
from planner.models.participants import PARTICIPANT_KINDS, PARTICIPANT_STATUSES
from planner.services.mail.outbox import FilePart
from planner.services.plans.editions import curriculum_for
from planner.services.plans.timetables import timetable_of

DOCX = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")


def addressee(municipality: Municipality) -> str:
    """宛先 of the notice mailed to one municipality."""
    return f"{municipality.name} 生活困窮者自立支援制度主管課長　様"


def _common(training: Training, municipality: Municipality, url: str) -> dict:
    prefecture = training.plan.prefecture
    deadline = training.application_deadline
    return {"training": training, "municipality": municipality, "url": url, "prefecture": prefecture,
            "curriculum": curriculum_for(training), "subject_line": notice_subject(training),
            "days": _day_lines(training, timetable_of(training), reception=True), "venue": _venue(training),
            "deadline": format_date_wareki(deadline) if deadline else "追ってお知らせします",
            "contact": contact_lines(prefecture), "sender": prefecture.letter_sender or prefecture.name}


def link_mail(training: Training, municipality: Municipality, url: str,
              today: date) -> tuple[str, str, list[FilePart]]:
    """(subject, body, [the notice addressed to this municipality with its own link])."""
    subject_line = notice_subject(training)
    data = notice(training, today, url, addressee(municipality))
    filename = f"{safe_filename(f'{municipality.name} {subject_line}')}.docx"
    body = _env.get_template("link_notice.txt").render(**_common(training, municipality, url),
                                                       filename=filename)
    return f"【申込のお願い】{subject_line}", body, [FilePart(filename, data, *DOCX)]


def _entry_line(entry: Participant) -> str:
    status = PARTICIPANT_STATUSES.get(entry.status, entry.status)
    reason = f"（{entry.waiting_reason}）" if entry.status == "waiting" and entry.waiting_reason else ""
    return f"・{entry.name}（{PARTICIPANT_KINDS.get(entry.kind, entry.kind)}）：{status}{reason}"


def receipt_mail(training: Training, municipality: Municipality, url: str, what: str,
                 entries: list[Participant]) -> tuple[str, str]:
    """(subject, body) confirming a change made through the link (`what`: 「青葉 花子さんの申込」),
    with the municipality's whole list as it is now."""
    body = _env.get_template("receipt.txt").render(**_common(training, municipality, url), what=what,
                                                   lines=[_entry_line(e) for e in entries])
    return f"【受付】{notice_subject(training)}（{municipality.name}）", body


def decision_mail(participant: Participant) -> tuple[str, str]:
    """(subject, body) telling the contact person the official's decision on a waiting entry."""
    training, municipality = participant.training, participant.municipality
    accepted = participant.status == "accepted"
    body = _env.get_template("decision.txt").render(**_common(training, municipality, ""),
                                                    participant=participant, accepted=accepted,
                                                    kind=PARTICIPANT_KINDS.get(participant.kind, participant.kind))
    label = "受講決定" if accepted else "お断り"
    return f"【{label}】{notice_subject(training)}（{participant.name}さん）", body
