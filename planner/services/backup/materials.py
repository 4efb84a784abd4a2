"""A subject's materials in the plan's JSON backup (planner.services.backup.plan): each material
with its versions (the file as base64, its SHA-256) and each version's anonymity check with
its findings and their settlement.

A restored file passes the same checks as an upload: its kind by content, the size limit,
and its digest must match. The owner is named by e-mail, as role holders are. The reader takes
the backup's own field reader (`fields`), so messages name the place as everywhere in the file.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import datetime

from planner.domain.documents import UnreadableDocument, document_kind
from planner.models import (
    FINDING_STATUSES,
    MATERIAL_CATEGORIES,
    MATERIAL_STATUSES,
    AnonymityCheck,
    CheckFinding,
    Material,
    MaterialVersion,
)
from planner.services.materials.files import MAX_BYTES

MAX_MATERIALS = 50  # per subject
MAX_VERSIONS = 100  # per material
MAX_FINDINGS = 2000  # per check


# --------------------------------------------------------------------------- writing

def material_section(material: Material) -> dict:
    return {"title": material.title, "category": material.category, "is_case": material.is_case,
            "status": material.status, "owner": material.owner.email if material.owner else None,
            "due_on": material.due_on.isoformat() if material.due_on else None,
            "versions": [_version_section(v) for v in material.versions]}


def _version_section(version: MaterialVersion) -> dict:
    """A version; a destroyed one (its identifying text replaced in a later version) without
    its file, which the app no longer has, and with who destroyed it and when."""
    check = version.check
    destroyed = version.destroyed_at is not None
    return {"number": version.number, "file_name": version.file_name, "kind": version.kind,
            "sha256": version.sha256, "uploaded_by": version.uploaded_by,
            "uploaded_by_email": version.uploaded_by_email,
            "uploaded_at": _stamp(version.uploaded_at), "note": version.note,
            "destroyed_at": _stamp(version.destroyed_at) if destroyed else None,
            "destroyed_by": version.destroyed_by,
            "data": None if destroyed else base64.b64encode(version.data).decode("ascii"),
            "check": None if check is None else {
                "checked_by": check.checked_by, "checked_at": _stamp(check.checked_at),
                "findings": [_finding_section(f) for f in check.findings]}}


def _finding_section(finding: CheckFinding) -> dict:
    return {"kind": finding.kind, "text": finding.text, "where": finding.location,
            "context": finding.context, "start": finding.start, "end": finding.end,
            "status": finding.status, "replacement": finding.replacement,
            "settled_by": finding.settled_by,
            "settled_at": _stamp(finding.settled_at) if finding.settled_at else None}


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


# --------------------------------------------------------------------------- reading

def read_materials(fields, emails: set[str]) -> list[Material]:
    """The subject's `materials` list; each owner must be on the roster (`emails`)."""
    raw = fields.items("materials", MAX_MATERIALS)
    return [_read_material(type(fields)(item, f"{fields.where}の資料{i}"), emails)
            for i, item in enumerate(raw, start=1)]


def _read_material(fields, emails: set[str]) -> Material:
    fields.only({"title", "category", "is_case", "status", "owner", "due_on", "versions"})
    material = Material(title=fields.typed("title", "material_title"),
                        category=_choice(fields, "category", MATERIAL_CATEGORIES),
                        is_case=fields.boolean("is_case"), status=_choice(fields, "status", MATERIAL_STATUSES),
                        due_on=fields.day("due_on"))
    owner = fields.require("owner")
    if owner is not None:
        owner = fields.text("owner", 254, required=True).lower()
        if owner not in emails:
            raise fields.fail("owner", f" {owner} は名簿にいません。")
    #: resolved to the member once the roster is written (planner.services.backup.plan.load_plan)
    material.owner_email = owner
    raw = fields.items("versions", MAX_VERSIONS)
    material.versions = [_read_version(type(fields)(item, f"{fields.where}の版{j}"))
                         for j, item in enumerate(raw, start=1)]
    numbers = [v.number for v in material.versions]
    if len(set(numbers)) != len(numbers):
        raise fields.fail("versions", "に同じ版番号が2回あります。")
    material.version_count = len(numbers)
    return material


def _read_version(fields) -> MaterialVersion:
    fields.only({"number", "file_name", "kind", "sha256", "uploaded_by", "uploaded_at", "note", "data", "check",
                 "uploaded_by_email", "destroyed_at", "destroyed_by"})
    if fields.data.get("destroyed_at") is not None:
        return _read_destroyed(fields)
    encoded = fields.require("data")  # read as is: cleaning it as text would take seconds
    if not isinstance(encoded, str):
        raise fields.fail("data", "が文字列ではありません。")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise fields.fail("data", "が base64 として読めません。") from None
    if len(data) > MAX_BYTES:
        raise fields.fail("data", f"のファイルが大きすぎます（{MAX_BYTES // (1024 * 1024)}MB まで）。")
    if hashlib.sha256(data).hexdigest() != fields.text("sha256", 64, required=True):
        raise fields.fail("data", "のファイルが SHA-256 と合いません（壊れているか、書き換えられています）。")
    try:
        kind = document_kind(data)
    except UnreadableDocument as exc:
        raise fields.fail("data", f"のファイルは受け付けられません。{exc}") from None
    if kind != fields.text("kind", 10, required=True):
        raise fields.fail("kind", f"が中身（{kind}）と合いません。")
    version = MaterialVersion(number=fields.integer("number", 1, 10_000),
                              file_name=fields.typed("file_name", "material_file_name"), kind=kind,
                              size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data,
                              uploaded_by=fields.typed("uploaded_by", "member_name"),
                              uploaded_at=_moment(fields, "uploaded_at"), note=fields.text("note", 500),
                              uploaded_by_email=_email(fields))
    check = fields.require("check")
    if check is not None:
        version.check = _read_check(type(fields)(check, f"{fields.where}の匿名化の確認"))
    return version


def _email(fields) -> str:
    """Who uploaded the version (absent in files written before it was recorded)."""
    return fields.text("uploaded_by_email", 254).lower() if "uploaded_by_email" in fields.data else ""


def _read_destroyed(fields) -> MaterialVersion:
    """A destroyed version: no file, its findings without their strings."""
    if fields.require("data") is not None:
        raise fields.fail("data", "は、削除済みの版には書きません（null にします）。")
    kind = fields.text("kind", 10, required=True)
    if kind not in ("docx", "pptx", "xlsx", "pdf"):
        raise fields.fail("kind", f"「{kind}」はありません。")
    version = MaterialVersion(number=fields.integer("number", 1, 10_000),
                              file_name=fields.typed("file_name", "material_file_name"), kind=kind,
                              size=0, sha256="", data=b"", uploaded_by=fields.typed("uploaded_by", "member_name"),
                              uploaded_at=_moment(fields, "uploaded_at"), note=fields.text("note", 500),
                              uploaded_by_email=_email(fields), destroyed_at=_moment(fields, "destroyed_at"),
                              destroyed_by=fields.text("destroyed_by", 100))
    check = fields.require("check")
    if check is not None:
        version.check = _read_check(type(fields)(check, f"{fields.where}の匿名化の確認"), destroyed=True)
    return version


def _read_check(fields, destroyed: bool = False) -> AnonymityCheck:
    fields.only({"checked_by", "checked_at", "findings"})
    raw = fields.items("findings", MAX_FINDINGS)
    findings = [_read_finding(type(fields)(item, f"{fields.where}の項目{k}"), destroyed)
                for k, item in enumerate(raw, start=1)]
    return AnonymityCheck(checked_by=fields.typed("checked_by", "member_name"),
                          checked_at=_moment(fields, "checked_at"), findings=findings,
                          finding_count=len(findings))


def _read_finding(fields, destroyed: bool = False) -> CheckFinding:
    """A finding; one of a destroyed version has its strings blanked."""
    fields.only({"kind", "text", "where", "context", "start", "end", "status", "replacement",
                 "settled_by", "settled_at"})
    context = fields.text("context", 500, required=not destroyed)
    start = fields.integer("start", 0, len(context))
    finding = CheckFinding(kind=fields.text("kind", 30, required=True),
                           text=fields.text("text", 200, required=not destroyed),
                           location=fields.text("where", 50), context=context, start=start,
                           end=fields.integer("end", start, len(context)),
                           status=_choice(fields, "status", FINDING_STATUSES),
                           replacement=fields.text("replacement", 100), settled_by=fields.text("settled_by", 100))
    finding.settled_at = _moment(fields, "settled_at") if fields.require("settled_at") is not None else None
    if (finding.status == "open") != (finding.settled_at is None):
        raise fields.fail("settled_at", "は、対応済みの項目にだけ書きます。")
    return finding


def _choice(fields, name: str, choices: dict[str, str]) -> str:
    value = fields.text(name, 20, required=True)
    if value not in choices:
        raise fields.fail(name, f"「{value}」はありません。{', '.join(choices)} のいずれかです。")
    return value


def _moment(fields, name: str) -> datetime:
    value = fields.text(name, 40, required=True)
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise fields.fail(name, f"「{value}」は日時として読めません。") from None
