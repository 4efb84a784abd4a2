"""The team's materials per subject: files with versions, owners, due dates and statuses, and
the anonymity check of case material (source: 「事例を扱う場合には、関係機関や個人名等が特定
されないよう、匿名性を担保する」).

A file is judged by its content (planner.domain.documents), never by its name; a refused file
stores nothing. A case file's every version is checked when it is stored; it can be shared
(downloaded by the team, put into the training zip) only when its latest version has a check
and every finding of it is settled, as a false alarm or replaced in a new version.

Writes of a material's versions and settlements run one at a time per material: each first
raises `Material.version_count` (the pattern of planner.services.team.roles.lock_member), then
reads and writes. The unique (material, number) key stays as the last guard.

The bytes are read and written only through `_store` and `version_bytes`, so that moving them
to an object store changes those two functions and one column (see the README).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from planner.domain import fields
from planner.domain.anonymity_process import check_elsewhere
from planner.domain.documents import UnreadableDocument, document_kind, replace_text
from planner.models import (
    MATERIAL_CATEGORIES,
    MATERIAL_STATUSES,
    AnonymityCheck,
    CheckFinding,
    Material,
    MaterialVersion,
    RoleSlot,
    TeamMember,
    Training,
    TrainingSubject,
)
from planner.models.account import utcnow
from planner.models.db import db
from planner.services.errors import ChangeRefused, rolled_back_on

#: the largest file a version may be (the app's MATERIAL_MAX_BYTES setting passes its own)
MAX_BYTES = 20 * 1024 * 1024
#: the materials are due this many days before the training when the training sets no deadline
DEFAULT_DUE_DAYS = 14
KIND_NAMES = {"docx": "Word（.docx）", "pptx": "PowerPoint（.pptx）", "xlsx": "Excel（.xlsx）", "pdf": "PDF"}
MIMETYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "pdf": "application/pdf"}
#: the kinds the app can write a replacement into
REPLACEABLE = ("docx", "pptx")
#: what a blocked case file says wherever it would be shared
BLOCKED = "匿名化の確認が終わるまで共有できません"
_PATH_PARTS = re.compile(r"^.*[\\/]")


@dataclass(frozen=True)
class Upload:
    """A file as a person sent it."""

    file_name: str
    data: bytes


# --------------------------------------------------------------------------- reading

def training_due(training: Training) -> date | None:
    """The training's materials deadline: its own, or DEFAULT_DUE_DAYS before its first day."""
    if training.materials_deadline:
        return training.materials_deadline
    if training.first_date:
        return training.first_date - timedelta(days=DEFAULT_DUE_DAYS)
    return None


def due_of(material: Material) -> date | None:
    return material.due_on or training_due(material.subject.training)


@dataclass(frozen=True)
class PreparationDue:
    """When a subject's 資料作成役 must have its materials ready, and why that day."""

    day: date
    #: the unfinished material due first; None: none is unfinished (the training's deadline)
    first: Material | None = None
    #: how many of the subject's materials are unfinished
    open_count: int = 0

    @property
    def reason(self) -> str:
        """Why this day, as a calendar event's description says it."""
        if self.first is None:
            return "研修の資料の締切"
        if self.open_count == 1:
            return f"「{self.first.title}」の締切"
        return f"未完了の資料{self.open_count}件のうち最も早い「{self.first.title}」の締切"


def preparation_due(subject: TrainingSubject) -> PreparationDue | None:
    """The due date of the subject's earliest unfinished material (each material's own, or
    the training's deadline); with none unfinished, the training's deadline. None while the
    training has no deadline and no date."""
    unfinished = [(due_of(m), m.id, m) for m in subject.materials if m.status != "done" and due_of(m)]
    if unfinished:
        day, _, first = min(unfinished, key=lambda entry: entry[:2])
        return PreparationDue(day, first, len(unfinished))
    due = training_due(subject.training)
    return PreparationDue(due) if due else None


def is_late(material: Material, today: date) -> bool:
    """Not finished and its due date has passed."""
    due = due_of(material)
    return material.status != "done" and due is not None and due < today


def preparer_of(subject: TrainingSubject) -> TeamMember | None:
    """The holder of the subject's 資料作成役 slot."""
    return next((s.holder for s in _slots(subject) if s.kind == "material_preparer"), None)


def owner_of(material: Material) -> TeamMember | None:
    """Who the material is with: the chosen owner, else the 資料作成役."""
    return material.owner or preparer_of(material.subject)


def subject_holder_ids(subject: TrainingSubject) -> set[int]:
    """The members who hold one of the subject's slots (講師役, 事例報告役, 資料作成役)."""
    return {s.holder_id for s in _slots(subject) if s.holder_id is not None}


def _slots(subject: TrainingSubject) -> list[RoleSlot]:
    return [s for s in subject.training.slots if s.subject_id == subject.id]


def late_materials(training: Training, today: date) -> list[Material]:
    return [m for row in training.subjects for m in row.materials if is_late(m, today)]


def current_check(material: Material) -> AnonymityCheck | None:
    latest = material.latest
    return latest.check if latest else None


def can_share(material: Material) -> bool:
    """Anything but case material; case material once its latest version is checked and settled."""
    if not material.is_case:
        return True
    check = current_check(material)
    return check is not None and check.settled


def open_findings(material: Material) -> list[CheckFinding]:
    check = current_check(material)
    return [f for f in check.findings if f.status == "open"] if check else []


def version_bytes(version: MaterialVersion) -> bytes:
    """The file of a version (from the database; an object store would be read here); a
    destroyed version has none."""
    if version.destroyed_at is not None:
        raise ChangeRefused(["この版のファイルは、匿名化の確定で削除されました。"])
    return version.data


# --------------------------------------------------------------------------- writing

def add_material(subject: TrainingSubject, title: str, category: str, is_case: bool, by: str,
                 upload: Upload | None = None, max_bytes: int = MAX_BYTES, by_email: str = "") -> Material:
    """A new material of the subject, with its first file when one is given (caller commits)."""
    title = _checked("material_title", title)
    if category not in MATERIAL_CATEGORIES:
        raise ChangeRefused([f"資料の種類「{category}」はありません。"])
    material = Material(subject=subject, title=title, category=category,
                        is_case=is_case or category == "case")
    if upload is not None:
        file_name, kind = _checked_file(upload, max_bytes)
    db.session.add(material)
    db.session.flush()
    if upload is not None:
        _new_version(material, file_name, kind, upload.data, by, by_email=by_email)
        material.status = "drafting"
    return material


def add_version(material: Material, upload: Upload, by: str, max_bytes: int = MAX_BYTES,
                by_email: str = "") -> MaterialVersion:
    """Store a new version of the material (caller commits); a case file is checked at once."""
    file_name, kind = _checked_file(upload, max_bytes)
    _lock(material)
    version = _new_version(material, file_name, kind, upload.data, by, by_email=by_email)
    if material.status == "todo":
        material.status = "drafting"
    return version


def set_status(material: Material, status: str) -> None:
    if status not in MATERIAL_STATUSES:
        raise ChangeRefused([f"状況「{status}」はありません。"])
    if status != "todo" and not material.versions:
        raise ChangeRefused(["ファイルがまだありません。先にファイルをアップロードしてください。"])
    material.status = status


def set_owner(material: Material, member: TeamMember | None) -> None:
    """None gives the material back to the subject's 資料作成役."""
    if member is not None and member.plan_id != material.subject.training.plan_id:
        raise ChangeRefused(["この計画のメンバーではありません。"])
    material.owner = member


def set_due(material: Material, due: date | None) -> None:
    """None: the training's materials deadline."""
    material.due_on = fields.check_date(due) if due else None


def delete_material(material: Material) -> None:
    db.session.delete(material)


def find_material(material_id: int) -> Material | None:
    """The material with this id, or None."""
    return db.session.get(Material, material_id)


def register_material(subject: TrainingSubject, title: str, category: str, is_case: bool, by: str,
                      upload: Upload | None, max_bytes: int, by_email: str,
                      before_commit: Callable[[Material], None] = lambda material: None) -> Material:
    """Add a material (add_material) and commit, `before_commit(material)` just before; a refusal rolls back."""
    with rolled_back_on(ChangeRefused):
        material = add_material(subject, title, category, is_case, by, upload, max_bytes, by_email=by_email)
    before_commit(material)
    db.session.commit()
    return material


def register_version(material: Material, upload: Upload | None, by: str, max_bytes: int, by_email: str,
                     before_commit: Callable[[Material], None] = lambda material: None) -> MaterialVersion:
    """Add a version (add_version) and commit, `before_commit(material)` just before; a refusal rolls back."""
    with rolled_back_on(ChangeRefused):
        version = add_version(material, upload, by, max_bytes, by_email=by_email)
    before_commit(material)
    db.session.commit()
    return version


def change_status(material: Material, status: str) -> None:
    """Set the material's status (set_status) and commit; ChangeRefused changes nothing."""
    set_status(material, status)
    db.session.commit()


def assign_owner(material: Material, member: TeamMember | None, due: date | None) -> None:
    """Set the material's owner and due date and commit; ChangeRefused for a member of another plan."""
    set_owner(material, member)
    set_due(material, due)
    db.session.commit()


def remove_material(material: Material) -> None:
    """Delete the material with every version and commit."""
    delete_material(material)
    db.session.commit()


def mark_false_alarm(finding: CheckFinding, by: str) -> None:
    """The finding identifies no one; recorded with who and when (caller commits)."""
    material = finding.check.version.material
    _lock(material)
    _still_open(material, [finding])
    finding.status, finding.settled_by, finding.settled_at = "false_alarm", by, utcnow()
    if finding.check.settled:  # the earlier versions with identifying text go
        destroy_earlier(material, keep=material.latest, by=by)


def replace_findings(material: Material, choices: dict[int, str], by: str) -> MaterialVersion:
    """Write a new version with each chosen finding's text replaced ({finding id: new text}),
    settle those findings as replaced, and check the new version (caller commits)."""
    if not choices:
        raise ChangeRefused(["置き換える項目を選んでください。"])
    _lock(material)
    check = current_check(material)
    by_id = {f.id: f for f in check.findings} if check else {}
    chosen = [by_id.get(finding_id) for finding_id in choices]
    if None in chosen:
        raise ChangeRefused(["この項目は最新の版のものではありません。ページを開き直してください。"])
    _still_open(material, chosen)
    replacements = {}
    for finding in chosen:
        new_text = _checked("material_replacement", choices[finding.id])
        if new_text == finding.text:
            raise ChangeRefused([f"「{finding.text}」を同じ文字に置き換えることはできません。"])
        replacements[finding.text] = new_text
    old = material.latest
    if old.kind not in REPLACEABLE:
        raise ChangeRefused([(f"{KIND_NAMES[old.kind]} のファイルはアプリで置き換えられません。"
                             "元のファイルを直して、新しい版としてアップロードしてください。")])
    try:
        data = replace_text(version_bytes(old), old.kind, replacements)
    except UnreadableDocument as exc:
        raise ChangeRefused([str(exc)]) from None
    if data == version_bytes(old):
        raise ChangeRefused(["ファイルの中に置き換える文字が見つかりませんでした。"])
    now = utcnow()
    for finding in check.findings:
        if finding.status == "open" and finding.text in replacements:
            finding.status, finding.replacement = "replaced", replacements[finding.text]
            finding.settled_by, finding.settled_at = by, now
    note = f"置き換え: {len(replacements)}種類（置き換えた文字は記録しません）"
    version = _new_version(material, old.file_name, old.kind, data, by, note=note)
    destroy_earlier(material, keep=version, by=by, now=now)
    return version


def destroy_earlier(material: Material, keep: MaterialVersion, by: str, now=None) -> list[MaterialVersion]:
    """Destroy each version before `keep` that held identifying text (a finding replaced or
    never settled): its bytes go (the row stays, with who destroyed it and when), and its
    findings' quoted strings are blanked; false alarms keep their text (it identifies no one)."""
    now = now or utcnow()
    destroyed = []
    for version in material.versions:
        if version is keep or version.number > keep.number or version.destroyed_at is not None:
            continue
        check = version.check
        if check is not None and all(f.status == "false_alarm" for f in check.findings):
            continue
        version.data, version.size, version.sha256 = b"", 0, ""
        version.destroyed_at, version.destroyed_by = now, by
        version.note = ""
        for finding in check.findings if check else []:
            finding.context, finding.start, finding.end = "", 0, 0
            if finding.status != "false_alarm":
                finding.text = ""
        destroyed.append(version)
    return destroyed



# --------------------------------------------------------------------------- the zip

def final_files(training: Training) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The latest versions of the finished (完了) materials, as (name, bytes), and notes on
    what was left out: unfinished materials and case files not yet settled."""
    files, notes, names = [], [], set()
    for row in training.subjects:
        for material in row.materials:
            latest = material.latest
            label = f"{row.letter or row.local_name}「{material.title}」"
            if material.status != "done" or latest is None:
                notes.append(f"{label}: まだ完了していないため入れていません（{material.status_name}）。")
            elif not can_share(material):
                notes.append(f"{label}: {BLOCKED}。事例資料の匿名化の確認を済ませてください。")
            else:
                name = f"{row.letter}_{latest.file_name}" if row.letter else latest.file_name
                if name in names:
                    name = f"{material.id}_{name}"
                names.add(name)
                files.append((name, version_bytes(latest)))
    return files, notes


# --------------------------------------------------------------------------- helpers

def _checked(rule_key: str, value: str) -> str:
    rule = fields.rule(rule_key)
    try:
        return fields.check_text(value or "", rule)
    except fields.FieldError as exc:
        raise ChangeRefused([f"{rule.label}: {exc}"]) from None


def _checked_file(upload: Upload, max_bytes: int) -> tuple[str, str]:
    """The file's cleaned name and its kind by content; ChangeRefused says why not."""
    name = _PATH_PARTS.sub("", upload.file_name or "")
    name = _checked("material_file_name", name)
    size = len(upload.data)
    if size == 0:
        raise ChangeRefused(["ファイルが空です。"])
    if size > max_bytes:
        raise ChangeRefused([(f"ファイルが大きすぎます（{size / 1024 / 1024:.1f}MB）。"
                             f"{max_bytes // (1024 * 1024)}MB 以下のファイルを選んでください。")])
    try:
        kind = document_kind(upload.data)
    except UnreadableDocument as exc:
        raise ChangeRefused([f"「{name}」は受け付けられません。{exc}"]) from None
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension != kind:
        raise ChangeRefused([(f"「{name}」の中身は {KIND_NAMES[kind]} のファイルですが、名前の拡張子が違います。"
                             f"名前を「.{kind}」で終わるように直してからアップロードしてください。")])
    return name, kind


def _lock(material: Material) -> None:
    """Serialise the writes of this material's versions and settlements until the transaction
    ends (as roles.lock_member), then read its versions afresh."""
    db.session.execute(db.update(Material).where(Material.id == material.id)
                       .values(version_count=Material.version_count + 1)
                       .execution_options(synchronize_session=False))
    db.session.expire(material, ["versions", "version_count"])


def _still_open(material: Material, findings: list[CheckFinding]) -> None:
    for finding in findings:
        db.session.refresh(finding)
        if finding.status != "open" or finding.check.version_id != material.latest.id:
            raise ChangeRefused([f"「{finding.text}」はすでに対応済みです（ほかの人が先に対応した可能性があります）。"])


def _new_version(material: Material, file_name: str, kind: str, data: bytes, by: str,
                 note: str = "", by_email: str = "") -> MaterialVersion:
    number = (db.session.scalar(db.select(db.func.max(MaterialVersion.number))
                                .where(MaterialVersion.material_id == material.id)) or 0) + 1
    version = MaterialVersion(material=material, number=number, file_name=file_name, kind=kind,
                              size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                              uploaded_by=by, note=note, uploaded_by_email=(by_email or "").lower())
    _store(version, data)
    db.session.add(version)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ChangeRefused(["同じ資料に同時に別の版が保存されました。もう一度お試しください。"]) from None
    if material.is_case:
        run_check(version, by)
    return version


def _store(version: MaterialVersion, data: bytes) -> None:
    """Keep the bytes of a version (in the database; an object store would be written here)."""
    version.data = data


def run_check(version: MaterialVersion, by: str) -> AnonymityCheck:
    """Check a version of case material and store what it found (caller commits). A text the
    team settled as a false alarm in an earlier version, or put in as a replacement, stays settled.

    The check runs in a short-lived process of its own (planner.domain.anonymity_process): the
    dictionary and the document libraries never stay in the web server's memory."""
    try:
        found_all = check_elsewhere(version_bytes(version), version.kind)
    except UnreadableDocument as exc:
        raise ChangeRefused([f"事例資料の文字を読み取れません。{exc}"]) from None
    earlier = _earlier_settlements(version.material, version)
    check = AnonymityCheck(version=version, checked_by=by)
    for found in found_all:
        start, end = found.start, found.end
        if found.context[start:end] != found.text and found.text in found.context:
            start = found.context.find(found.text)  # offsets that miss the text: find it again
            end = start + len(found.text)
        finding = CheckFinding(kind=found.kind[:30], text=found.text[:200], location=found.where[:50],
                               **_context_window(found.context, start, end))
        settled = earlier.get((found.kind, found.text)) or earlier.get(("", found.text))
        if settled:
            finding.status = "false_alarm"
            finding.settled_by, finding.settled_at = settled
        check.findings.append(finding)
    check.finding_count = len(check.findings)
    db.session.add(check)
    db.session.flush()
    return check


def _earlier_settlements(material: Material, version: MaterialVersion) -> dict[tuple[str, str], tuple[str, datetime]]:
    """(kind, text) of earlier false alarms, and ('', text) of the material's replacements,
    with who settled them and when."""
    settled = {}
    for earlier in material.versions:
        if earlier is version or earlier.check is None:
            continue
        for f in earlier.check.findings:
            if f.status == "false_alarm":
                settled[(f.kind, f.text)] = (f.settled_by, f.settled_at)
            elif f.status == "replaced":
                settled[("", f.replacement)] = (f.settled_by, f.settled_at)
    return settled


def _context_window(context: str, start: int, end: int, width: int = 500) -> dict:
    """The context cut to the column's width around the finding."""
    if len(context) <= width:
        return {"context": context, "start": start, "end": end}
    begin = max(0, min(start - (width - (end - start)) // 2, len(context) - width))
    return {"context": context[begin:begin + width], "start": start - begin, "end": min(end - begin, width)}
