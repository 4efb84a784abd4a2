"""The anonymity check's rules beyond names, places and phone numbers (issue 25).

E-mail addresses (also written with ＠), URLs, buildings with a room or floor
(かわべハイツ201号室), companies with a legal form or its short form (株式会社…, （有）…),
organisations named after a place or a kana name (ハローワークかわべ, かわべ市社会福祉協議会,
かわべ中央病院), schools with a grade (○○市立第三中学校2年), dates of events (令和9年6月10日),
case numbers (ケース番号, 受付番号 …), licence plates (山形 480 あ 12-34).

Kana place names are the reason most of these are patterns around a kind word and not
Sudachi's part of speech: the dictionary cuts かわべ into かわ + べ (a sentence-final particle),
so the name is found by walking from the kind word (病院, ハイツ, 株式会社) over the adjacent
tokens until a case particle, a verb or punctuation. Pure: no Flask, no database.
"""
from __future__ import annotations

import re

#: full-width digits, hyphens and spaces made ASCII, offsets kept (not ー: コーポ stays a word)
_TO_ASCII = str.maketrans("０１２３４５６７８９－‐―−　：．", "0123456789---- :.")
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*[@＠][A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9._~:/?#\[\]@!$&'*+,;=%-]+")
#: government reference pages (mhlw.go.jp, pref.….lg.jp) point at no one
_PUBLIC_URL = re.compile(r"(?:https?://)?[^/]*\.(?:go|lg)\.jp(?:/|$)")
_BUILDING_WORDS = ("ハイツ", "コーポ", "メゾン", "レジデンス", "マンション", "アパート", "ハイム", "パレス",
                   "ヴィラ", "ビル", "団地", "住宅", "荘", "ハウス", "コート", "テラス", "シャトー", "タワー",
                   "ガーデン", "寮", "アーバン", "グラン", "プラザ", "ドミール", "サンハイツ")
_ROOM = re.compile(r"(?:[^\s、。,，（）()「」『』:：]{0,10}?)\s?[0-9]{1,4}(?:号室|号棟|号館|号|階|F)(?![0-9])")
_SCHOOLS = ("特別支援学校", "義務教育学校", "高等学校", "小学校", "中学校", "高校")
_GRADE = re.compile(r"\s?(?:[0-9]|[一二三四五六])\s?年(?:生)?(?:\s?[0-9一二三四五六]組)?")
_LEGAL_SHORT = re.compile(r"[(（](?:有|株|社福|医|特非|NPO|一社|公社|一財|公財|合)[)）]|[㈱㈲]")
_STRONG_KINDS = ("社会福祉協議会", "社協", "病院", "医院", "クリニック", "診療所", "歯科", "薬局", "保育園",
                 "保育所", "幼稚園", "こども園", "運送", "商事", "商会", "商店", "工業", "建設", "板金", "警備",
                 "精工", "工務店", "製作所", "産業", "物産", "運輸", "不動産", "食品", "電機", "ストア",
                 "スーパー", "教会", "寺", "神社", "信用金庫", "銀行", "郵便局", "交番", "警察署", "消防署",
                 "市役所", "町役場", "村役場", "区役所", "福祉事務所", "保健所", "児童相談所")
_DATE_FULL = re.compile(r"(?<![0-9])(?:(?:明治|大正|昭和|平成|令和|[MTSHR]) ?(?:[0-9]{1,2}|元) ?年|[0-9]{4} ?年) ?[0-9]{1,2} ?月"
                        r" ?[0-9]{1,2} ?日|(?<![0-9.])(?:[0-9]{4}|[RHS][0-9]{1,2})[/.][0-9]{1,2}[/.][0-9]{1,2}(?![0-9])")
_CASE_LABEL = re.compile(r"(?:ケース|相談|受付|管理|整理|記録|登録|事例|受給者|被保険者|利用者)(?:番号|No\.?|NO\.?|№|ID)"
                         r"(?:は|：|:)?\s?(?:第\s?)?[A-Za-z0-9][A-Za-z0-9-]*(?:号)?")
_CASE_NO = re.compile(r"第\s?[0-9]{2,}-[0-9]+\s?号|(?<![A-Za-z0-9-])[A-Z]{1,4}-[0-9]{2,}(?:-[0-9]+)+(?![0-9-])")
_PLATE = re.compile(r"[一-龥ぁ-ゖァ-ヶ]{1,4}\s?[0-9]{2,3}\s?[ぁ-ゖ]\s?(?:[0-9]{1,2}-[0-9]{2}|[・･.]{1,3}[0-9]{1,3})(?![0-9])")
#: particles that end a name when walking over tokens (not 終助詞: かわべ is かわ + べ)
_STOP_PARTICLES = ("格助詞", "係助詞", "副助詞", "接続助詞", "準体助詞")
#: what walking never crosses
_STOP_CHARS = set("、。,，.（）()「」『』【】:：;；!?！？\n\t・/／")
_MAX_NAME = 16


def rule_spans(text: str, tokens, words: dict) -> list[tuple[str, int, int]]:
    """(kind, start, end) of everything the rules find in text, unordered."""
    text = text.translate(_TO_ASCII)
    spans = [("email", m.start(), m.end()) for m in _EMAIL.finditer(text)]
    spans += [("url", m.start(), _trim_url(m)) for m in _URL.finditer(text) if not _PUBLIC_URL.match(m.group())]
    spans += _buildings(text, tokens)
    spans += _schools(text, tokens)
    spans += _organisations(text, tokens, words)
    spans += [("event_date", m.start(), m.end()) for m in _DATE_FULL.finditer(text)]
    spans += [("case_number", m.start(), m.end()) for m in _CASE_LABEL.finditer(text)]
    spans += [("case_number", m.start(), m.end()) for m in _CASE_NO.finditer(text)]
    spans += [("licence_plate", m.start(), m.end()) for m in _PLATE.finditer(text)
              if not _starts_in_word(text, m.start(), tokens)]
    return spans


def _trim_url(m: re.Match) -> int:
    """A URL does not end with the sentence's punctuation."""
    end = m.end()
    while end > m.start() and m.string[end - 1] in ".,;:!?)]'":
        end -= 1
    return end


def _token_at(tokens, offset: int, ending: bool = False):
    for i, t in enumerate(tokens):
        if (t.end if ending else t.start) == offset:
            return i
    return None


def _name_token(token) -> bool:
    """A token that can be part of a name when walking: a noun (not a number or pronoun), a
    prefix or suffix, kana cut into particles (かわ + べ), an unknown word."""
    if token.surface in _STOP_CHARS or token.surface.strip() == "":
        return False
    if token.pos[0] == "助詞":
        return token.pos[1] not in _STOP_PARTICLES and bool(re.fullmatch(r"[ぁ-ゖ]+", token.surface))
    if token.pos[0] in ("接頭辞", "接尾辞", "形状詞"):
        return True
    return token.pos[0] == "名詞" and token.pos[1] != "代名詞" or token.oov


def walk_left(tokens, offset: int, limit: int = _MAX_NAME) -> int:
    """Where the name ending at offset begins: the start of the adjacent name tokens before it
    (from the start of the token offset falls in: 西中 + 学校 for 西中学校)."""
    offset = next((t.start for t in tokens if t.start < offset < t.end), offset)
    i = _token_at(tokens, offset, ending=True)
    begin = offset
    while i is not None and i >= 0 and _name_token(tokens[i]) and offset - tokens[i].start <= limit \
            and tokens[i].end == begin:
        begin = tokens[i].start
        i -= 1
    return begin


def walk_right(tokens, offset: int, limit: int = _MAX_NAME) -> int:
    """Where the name starting at offset ends: the end of the adjacent name tokens after it."""
    i = _token_at(tokens, offset)
    end = offset
    while i is not None and i < len(tokens) and _name_token(tokens[i]) and tokens[i].end - offset <= limit \
            and tokens[i].start == end and tokens[i].pos[1] != "数詞":
        end = tokens[i].end
        i += 1
    return end


_PLACEHOLDER = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]{1,2}|[○〇●◯×△□◇◆＊*某甲乙丙丁]+")
_HIRAGANA = re.compile(r"[ぁ-ゖー]")
_KANJI_KANA = re.compile(r"[一-龥々ヶァ-ヺー]")
#: particles that may stand between the word before and a kana name (妻は|にし第一病院)
_LEADING_PARTICLES = ("から", "より", "まで", "は", "が", "を", "に", "で", "と", "の", "も", "へ", "や")
#: hiragana that names nothing before a kind word (その病院, この会社)
_PARTICLE_WORDS = ("として", "から", "まで", "より", "について", "では", "には", "への", "での", "とは", "など",
                   "にて", "ので", "とも", "にも", "でも", "へも", "をし", "にし て", "による", "により", "など")
_NOT_KANA_NAMES = {"その", "この", "あの", "どの", "ほかの", "べつの", "おなじ", "ある", "よく", "また", "まず",
                   "すぐ", "もう", "まだ", "いつもの", "かかりつけの", "ちかくの", "ちかく", "おおきな", "ちいさな"}


def kana_left(text: str, tokens, begin: int) -> int:
    """Grow a name's start over the hiragana before it, when Sudachi cut a kana name into verbs
    and particles (きた市民病院 is き + た + 市民病院): from the start of a token, leaving out a
    particle after a word (妻は|にし第一病院) and words that name nothing (その病院)."""
    run = begin
    while run > 0 and _HIRAGANA.match(text[run - 1]) and begin - run < _MAX_NAME:
        run -= 1
    starts = {t.start for t in tokens}
    while run < begin and run not in starts:
        run += 1
    for t in tokens:  # 凛ちゃんは|保育園: a suffix or a topic particle ends what came before
        if run <= t.start and t.end <= begin and (t.pos[0] == "接尾辞" or t.pos[1] in ("係助詞", "接続助詞")):
            run = t.end
    if run > 0 and (_KANJI_KANA.match(text[run - 1]) or _HIRAGANA.match(text[run - 1])):
        for particle in _LEADING_PARTICLES:
            if text.startswith(particle, run):
                run += len(particle)
                break
    if run >= begin or text[run:begin] in _NOT_KANA_NAMES or text[run:begin].endswith(("した", "して", "する")):
        return begin
    return run


def kana_right(text: str, end: int, with_kind: bool) -> int:
    """Grow a name's end over the hiragana after it (ハローワーク|こうの, 株式会社|にしの商会):
    the hiragana without a particle at its end, and with_kind, the kanji or katakana after it.
    Hiragana that starts with a particle word (株式会社|として, ハローワーク|にも) is no name."""
    run = end
    while run < len(text) and _HIRAGANA.match(text[run]) and run - end < _MAX_NAME:
        run += 1
    if run == end or text.startswith(_PARTICLE_WORDS, end) or text[end:run] in _LEADING_PARTICLES:
        return end
    if with_kind and run < len(text) and _KANJI_KANA.match(text[run]):
        while run < len(text) and _KANJI_KANA.match(text[run]) and run - end < _MAX_NAME:
            run += 1
        return run
    followed = run < len(text) and _KANJI_KANA.match(text[run])
    for particle in _LEADING_PARTICLES:
        if text.endswith(particle, end, run) and run - len(particle) > end and not (followed and particle == "の"):
            run -= len(particle)
            break
    return run if text[end:run] not in _NOT_KANA_NAMES else end


def _starts_in_word(text: str, start: int, tokens) -> bool:
    """A plate's region name starts a token (山形 480 …), not in the middle of one."""
    return _token_at(tokens, start) is None


def _buildings(text: str, tokens) -> list[tuple[str, int, int]]:
    """A building word with a room or floor number after it, and the name around it."""
    spans = []
    pattern = "|".join(map(re.escape, sorted(_BUILDING_WORDS, key=len, reverse=True)))
    for m in re.finditer(pattern, text):
        room = _ROOM.match(text, m.end())
        if room is None:
            continue
        start = walk_left(tokens, m.start()) if _token_at(tokens, m.start()) is not None else m.start()
        spans.append(("building", start, room.end()))
    return spans


def _schools(text: str, tokens) -> list[tuple[str, int, int]]:
    """A named school with a grade: 山形市立第三中学校2年 (a grade alone names no school)."""
    spans = []
    pattern = "|".join(map(re.escape, _SCHOOLS))
    for m in re.finditer(pattern, text):
        grade = _GRADE.match(text, m.end())
        start = kana_left(text, tokens, walk_left(tokens, m.start()))
        if grade is not None and start < m.start():
            spans.append(("school", start, grade.end()))
    return spans


def _organisations(text: str, tokens, words: dict) -> list[tuple[str, int, int]]:
    """Legal forms (long and short) with the name after or before them, kinds of organisation
    written before a name (ハローワークかわべ) and strong kinds after a name that is not generic."""
    spans = []
    forms = "|".join(map(re.escape, sorted(words["legal_forms"], key=len, reverse=True)))
    for m in re.finditer(forms, text):
        end = walk_right(tokens, m.end())
        end = kana_right(text, end, with_kind=True) if end == m.end() else end
        start = walk_left(tokens, m.start()) if end == m.end() else m.start()
        if start < m.start() or end > m.end():
            spans.append(("organisation", start, end))
    for m in _LEGAL_SHORT.finditer(text):
        end = walk_right(tokens, m.end())
        end = kana_right(text, end, with_kind=True) if end == m.end() else end
        start = walk_left(tokens, m.start()) if end == m.end() else m.start()
        if start < m.start() or end > m.end():
            spans.append(("organisation", start, end))
    for prefix in words["org_prefixes"]:
        for m in re.finditer(re.escape(prefix), text):
            end = walk_right(tokens, m.end())
            end = kana_right(text, end, with_kind=False) if end == m.end() else end
            if end > m.end() and _names_something(text[m.end():end], tokens, m.end(), end, words):
                spans.append(("organisation", m.start(), end))
    kinds = "|".join(map(re.escape, sorted(_STRONG_KINDS, key=len, reverse=True)))
    for m in re.finditer(kinds, text):
        if _token_at(tokens, m.end(), ending=True) is None:
            continue  # 病院 inside a longer word
        start = kana_left(text, tokens, walk_left(tokens, m.start()))
        if start < m.start() and _names_something(text[start:m.start()], tokens, start, m.start(), words):
            spans.append(("organisation", start, m.end()))
    return spans


def _names_something(piece: str, tokens, start: int, end: int, words: dict) -> bool:
    """Whether the tokens between start and end hold a name: a proper noun, an unknown word or
    kana that is not a generic word (地域包括支援 and 総合 name nothing)."""
    generic = words["generic_words"]
    inside = [t for t in tokens if start < t.end and t.start < end]
    for t in inside:
        if (t.surface in generic or t.surface in ("市", "町", "村", "区", "県", "立", "第", "都", "府")
                or _PLACEHOLDER.fullmatch(t.surface)):
            continue
        if t.pos[1] == "固有名詞" or t.oov or re.fullmatch(r"[ぁ-ゖァ-ヶー]+", t.surface):
            return True
        if t.pos[0] in ("助詞", "助動詞", "動詞", "副詞"):  # kana cut into particles and verbs
            return True
    return False
