"""Settling a case file's anonymity check at once, and keeping nothing identifying behind.

The reporter sees the whole replacement table (one row per distinct text found, with how often
it occurs and what replaces it) and settles every row in one go: replaced, or kept as a false
alarm. The app then writes ONE new version with every replacement made, and destroys each
earlier version that held identifying text: its bytes are removed from the database (and so
from the backup), the strings its check quoted are blanked, and only who settled what kind of
finding, and when, is kept. Nothing replaced is shown again: the history gives kinds and counts.

Replacements are consistent: one person is one letter everywhere (佐々木 蓮, 佐々木さん, 蓮,
蓮さん are all A), different people get different letters (two 佐々木 are A and B; the surname
alone, when two people share it, gets its own); a place keeps its kind (東京都新宿区 → A都B区,
川辺町 → C町); an organisation keeps its kind (かわべ中央病院 → A病院, 株式会社かわべ運送 →
株式会社B).
"""
from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from planner.domain.anonymity import KIND_NAMES
from planner.domain.documents import UnreadableDocument, replace_text
from planner.models import AnonymityCheck, Material, MaterialVersion
from planner.models.account import utcnow
from planner.models.db import db
from planner.services.errors import ChangeRefused, rolled_back_on
from planner.services.materials import files as materials

PERSON_KINDS = ("person", "honorific")
#: after a name these already say "a person": 佐々木さん becomes Aさん, not A氏さん
HONORIFICS = ("さん", "様", "さま", "氏", "君", "くん", "ちゃん", "殿")
_PLACE_PART = re.compile(r".+?(?:都|道|府|県|市|区|町|村|郡)")
_LEGAL_START = re.compile(r"^(?:株式会社|有限会社|合同会社|合資会社|社会福祉法人|医療法人|NPO法人|特定非営利活動法人"
                          r"|一般社団法人|公益社団法人|一般財団法人|公益財団法人|学校法人|[(（](?:有|株|社福|医)[)）]|[㈱㈲])")
_PREFIX_START = re.compile(r"^(?:ハローワーク|法テラス|フードバンク|ホテル|旅館|民宿|コープ)")
_ORG_KINDS = ("市社会福祉協議会", "町社会福祉協議会", "村社会福祉協議会", "区社会福祉協議会", "社会福祉協議会",
              "地域包括支援センター", "センター", "総合病院", "病院", "医院", "クリニック", "診療所", "歯科", "薬局",
              "保育園", "保育所", "幼稚園", "こども園", "小学校", "中学校", "高等学校", "高校", "大学", "学校",
              "市役所", "町役場", "村役場", "区役所", "福祉事務所", "役所", "役場", "協議会", "事業所", "作業所",
              "商事", "商会", "商店", "運送", "工業", "建設", "産業", "銀行", "信用金庫", "組合", "協会", "会",
              "園", "ホーム", "荘", "寮", "ハウス", "工房", "店")
_SCHOOL = re.compile(r"(特別支援学校|義務教育学校|高等学校|小学校|中学校|高校)\s?([0-9０-９一二三四五六]\s?年(?:生)?)")
_BUILDING = re.compile(r"(ハイツ|コーポ|メゾン|レジデンス|マンション|アパート|ハイム|パレス|ヴィラ|ビル|団地|住宅|荘|ハウス"
                       r"|コート|テラス|シャトー|タワー|ガーデン|寮|グラン|プラザ)")
_ROOM_KIND = re.compile(r"(号室|号棟|号館|号|階|F)$")
FIXED = {"phone": "000-0000-0000", "postal_code": "〒000-0000", "address": "○○町○丁目",
         "birth_date": "○年○月○日", "age": "○歳", "event_date": "○年○月○日", "email": "（メールアドレス）",
         "url": "（URL）", "licence_plate": "（自動車のナンバー）"}


@dataclass
class Row:
    """One distinct text of the open findings, and what replaces it."""

    number: int
    kind: str
    text: str
    suggestion: str
    finding_ids: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.finding_ids)

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)


def table(check: AnonymityCheck) -> list[Row]:
    """The replacement table of the check's open findings, in order of first appearance."""
    rows: dict[str, Row] = {}
    for finding in check.findings:
        if finding.status != "open":
            continue
        row = rows.get(finding.text)
        if row is None:
            row = rows[finding.text] = Row(len(rows) + 1, finding.kind, finding.text, "")
        row.finding_ids.append(finding.id)
    letters = _Letters()
    people = _people([r.text for r in rows.values() if r.kind in PERSON_KINDS])
    for row in rows.values():
        row.suggestion = _suggest(row, people, letters)
    return list(rows.values())


class _Letters:
    """A, B, C … per series, the same text getting the same letter."""

    def __init__(self):
        self.given: dict[tuple[str, str], str] = {}
        self.counts: Counter = Counter()

    def __call__(self, series: str, key: str) -> str:
        if (series, key) not in self.given:
            index = self.counts[series]
            self.counts[series] += 1
            self.given[(series, key)] = (string.ascii_uppercase[index % 26]
                                         + ("" if index < 26 else str(index // 26 + 1)))
        return self.given[(series, key)]


def _people(texts: list[str]) -> dict[str, str]:
    """{text: the person it names}: the key of the full name the text is a part of, when only
    one full name has that part (a surname two people share names neither of them)."""
    full = [t for t in texts if re.search(r"[ 　・]", t.strip()) or len(t) >= 4]
    joined = {t: re.sub(r"[ 　]", "", t) for t in full}
    parts = {t: re.split(r"[ 　]+", t.strip()) for t in full}
    person: dict[str, str] = {}
    for text in texts:
        bare = re.sub(r"[ 　]", "", text)
        owners = {f for f in full if joined[f] == bare}
        if not owners:
            owners = {f for f in full if text in parts[f] or (len(bare) >= 2 and joined[f] != bare and (
                joined[f].startswith(bare) or joined[f].endswith(bare)))}
        person[text] = joined[owners.pop()] if len(owners) == 1 else bare
    return person


def _suggest(row: Row, people: dict[str, str], letters: _Letters) -> str:
    if row.kind in PERSON_KINDS:
        return letters("person", people[row.text]) + "氏"
    if row.kind == "place":
        pieces = _PLACE_PART.findall(row.text)
        rest = row.text[sum(map(len, pieces)):]
        named = "".join(letters("place", p) + p[-1] for p in pieces)
        return named + (letters("place", rest) + "地区" if rest else "")
    if row.kind == "organisation":
        return _organisation(row.text, letters)
    if row.kind == "school":
        m = _SCHOOL.search(row.text)
        return letters("organisation", row.text[:m.start()] + m.group(1)) + m.group(1) + m.group(2) if m else "○○学校"
    if row.kind == "building":
        word = _BUILDING.search(row.text)
        room = _ROOM_KIND.search(row.text)
        return (letters("building", row.text) + (word.group(1) if word else "")
                + ("○" + room.group(1) if room else ""))
    if row.kind == "case_number":
        return re.sub(r"[A-Za-z0-9０-９Ａ-Ｚ][A-Za-z0-9０-９Ａ-Ｚ.\-－]*", "○○", row.text)
    return FIXED.get(row.kind, "○○")


def _organisation(text: str, letters: _Letters) -> str:
    """A letter in place of the name, the kind kept (株式会社A, ハローワークB, C病院)."""
    start = _LEGAL_START.match(text) or _PREFIX_START.match(text)
    if start:
        return start.group() + letters("organisation", text)
    kind = next((k for k in _ORG_KINDS if text.endswith(k) and len(text) > len(k)), "")
    return letters("organisation", text) + kind if kind else "○○" + letters("organisation", text)


# --------------------------------------------------------------------------- settling

def may_settle(material: Material, email: str, is_official: bool) -> bool:
    """The official, or whoever uploaded the latest version (the reporter)."""
    latest = material.latest
    return is_official or (latest is not None and bool(email) and latest.uploaded_by_email == email.lower())


def settle_findings(material: Material, check_id: int, answers: dict[int, str | None], by: str, by_email: str,
                    before_commit: Callable[[], None] = lambda: None) -> MaterialVersion | None:
    """settle_all and commit, `before_commit()` just before; a refusal rolls back."""
    with rolled_back_on(ChangeRefused):
        version = settle_all(material, check_id, answers, by, by_email)
    before_commit()
    db.session.commit()
    return version


def settle_all(material: Material, check_id: int, answers: dict[int, str | None], by: str,
               by_email: str = "") -> MaterialVersion | None:
    """Settle every open finding of the latest check at once: answers are {row number: the
    replacement, or None for a false alarm}. Writes one new version when something is
    replaced, and destroys the earlier versions that held identifying text (caller commits).
    Returns the new version, or None when every row was a false alarm."""
    materials._lock(material)
    check = materials.current_check(material)
    if check is None or check.id != check_id:
        raise ChangeRefused(["この確認は最新の版のものではありません（ほかの人が先に対応した可能性があります）。"
                             "ページを開き直してください。"])
    rows = table(check)
    if not rows:
        raise ChangeRefused(["未対応の項目はありません。"])
    missing = [r.number for r in rows if r.number not in answers]
    if missing:
        raise ChangeRefused([f"{n}行目: 置き換えるか誤検出にするかを選んでください。" for n in missing])
    replacements, messages = {}, []
    for row in rows:
        new = answers[row.number]
        if new is None:
            continue
        new = new.strip()
        if not new:
            messages.append(f"{row.number}行目（{row.kind_name}）: 置き換える文字を入れてください。")
        elif len(new) > 100:
            messages.append(f"{row.number}行目（{row.kind_name}）: 置き換える文字は100文字までです。")
        elif any(other.text in new for other in rows):  # 佐々木 → 佐々木さん would keep the name
            messages.append(f"{row.number}行目（{row.kind_name}）: 置き換える文字に元の文字が残っています。")
        else:
            replacements[row.text] = new
    if messages:
        raise ChangeRefused(messages)
    old = material.latest
    new_version = None
    now = utcnow()
    if replacements:
        if old.kind not in materials.REPLACEABLE:
            raise ChangeRefused([(f"{materials.KIND_NAMES[old.kind]} のファイルはアプリで置き換えられません。"
                                  "元のファイルを直して新しい版としてアップロードするか、すべて誤検出にしてください。")])
        try:
            data = replace_text(materials.version_bytes(old), old.kind, _pairs(rows, replacements))
        except UnreadableDocument as exc:
            raise ChangeRefused([str(exc)]) from None
    by_text = {row.text: row for row in rows}
    counts: Counter = Counter()
    for finding in check.findings:
        if finding.status != "open":
            continue
        replaced = replacements.get(finding.text)
        finding.status = "replaced" if replaced else "false_alarm"
        finding.replacement = (replaced or "")[:100]
        finding.settled_by, finding.settled_at = by, now
        counts[(by_text[finding.text].kind, finding.status)] += 1
    if replacements:
        new_version = materials._new_version(material, old.file_name, old.kind, data, by,
                                             note=_note(counts)[:500], by_email=by_email)
    destroy_earlier(material, keep=new_version or old, by=by, now=now)
    return new_version


def _pairs(rows: list[Row], replacements: dict[str, str]) -> dict[str, str]:
    """The text replacements, with a person's name before an honorific written as the letter
    alone (佐々木さん → Aさん, not A氏さん)."""
    pairs = dict(replacements)
    for row in rows:
        new = replacements.get(row.text)
        if new and row.kind in PERSON_KINDS and new.endswith("氏"):
            for honorific in HONORIFICS:
                pairs.setdefault(row.text + honorific, new.removesuffix("氏") + honorific)
    return pairs


def _note(counts: Counter) -> str:
    """What a settlement did, as kinds and counts (never the strings)."""
    replaced = [f"{KIND_NAMES.get(k, k)} {n}件" for (k, s), n in sorted(counts.items()) if s == "replaced"]
    kept = sum(n for (_, s), n in counts.items() if s == "false_alarm")
    text = "一括確定: " + ("・".join(replaced) + "を置き換え" if replaced else "置き換えなし")
    return text + (f"、誤検出 {kept}件" if kept else "")


destroy_earlier = materials.destroy_earlier


def suggestions(check: AnonymityCheck) -> dict[int, str]:
    """A replacement for each open finding, from the replacement table."""
    return {finding_id: row.suggestion for row in table(check) for finding_id in row.finding_ids}


def history(material: Material) -> list[dict]:
    """Per version, newest first: who uploaded it and when, whether it was destroyed (by whom,
    when), and its check as kinds and counts with who settled them and when. No strings."""
    rows = []
    for version in reversed(material.versions):
        check = version.check
        kinds: Counter = Counter()
        settled: set[tuple[str, object]] = set()
        for finding in check.findings if check else []:
            kinds[(KIND_NAMES.get(finding.kind, finding.kind), finding.status_name)] += 1
            if finding.settled_at:
                settled.add((finding.settled_by, finding.settled_at))
        rows.append({"version": version, "kinds": sorted(kinds.items()), "settled": sorted(settled, key=lambda s: s[1]),
                     "checked": check})
    return rows


def is_destroyed(version: MaterialVersion) -> bool:
    return version.destroyed_at is not None

