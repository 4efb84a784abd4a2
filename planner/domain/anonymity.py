"""What in a case text could identify someone: names, places, organisations, numbers, dates.

The source's rule for cases: 「事例を扱う場合には、関係機関や個人名等が特定されないよう、匿名性を
担保する」. Names, places and organisations come from SudachiPy with its core dictionary, whose
part of speech marks 固有名詞 人名 / 地名 / 組織; adjacent tokens are merged (姓 + 名, 大分 +
赤十字病院). Telephone numbers, postal codes, addresses, dates of birth and ages next to dates
are patterns. Forms already made anonymous (A氏, Bさん, C市, ○○センター) are not findings.

Why Sudachi and not GiNZA's NER: GiNZA 5.3 itself requires SudachiPy (<0.7) and this same
core dictionary, and adds spaCy and its model (the ja_ginza wheel alone is 59 MB), so it can
only weigh more, in the install and in every server process, while issue 17 wants a process
under 100 MiB. Sudachi's part of speech already names 人名, 地名 and 組織; what it misses
(kana names, 株式会社〜, 〜病院) the rules below catch. The dictionary is loaded once per process,
on the first check, not at app start, with one tokenizer per thread. Pure: no Flask, no
database. Word lists are in data/anonymity.toml.
"""
from __future__ import annotations

import re
import threading
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from planner.domain.anonymity_rules import rule_spans

WORDS_FILE = Path(__file__).resolve().parents[2] / "data" / "anonymity.toml"

KIND_NAMES: dict[str, str] = {
    "person": "人名",
    "place": "地名",
    "organisation": "組織名",
    "phone": "電話番号",
    "postal_code": "郵便番号",
    "address": "住所",
    "birth_date": "生年月日",
    "age": "年齢と日付",
    "honorific": "敬称の付いた名前",
    "email": "メールアドレス",
    "url": "ウェブのアドレス（URL）",
    "building": "建物名と部屋番号",
    "school": "学校名と学年",
    "event_date": "出来事の日付",
    "case_number": "ケース番号など",
    "licence_plate": "自動車のナンバー",
}
CONTEXT_CHARS = 20
#: Sudachi refuses inputs over about 49 KB; a chunk of this many characters stays well below
_CHUNK_CHARS = 4000


@dataclass(frozen=True)
class Finding:
    """One thing that could identify someone; start/end are offsets in that part's text."""

    kind: str
    text: str
    where: str
    context: str
    start: int
    end: int


@dataclass(frozen=True)
class Token:
    """One of Sudachi's morphemes: its text, part of speech and offsets in the text checked."""

    surface: str
    pos: tuple[str, ...]
    start: int
    end: int
    oov: bool


@cache
def _words() -> dict[str, frozenset[str] | tuple[str, ...]]:
    raw = tomllib.loads(WORDS_FILE.read_text(encoding="utf-8"))
    return {"legal_forms": tuple(raw["legal_forms"]), "org_prefixes": tuple(raw["org_prefixes"]),
            "org_suffixes": tuple(raw["org_suffixes"]),
            "generic_words": frozenset(raw["generic_words"]),
            "broad_places": frozenset(raw["broad_places"]), "not_names": frozenset(raw["not_names"])}


_loading = threading.Lock()
_per_thread = threading.local()


def _dictionary():
    """Sudachi's core dictionary, loaded once per process on first use (it is memory-mapped)."""
    with _loading:
        if not hasattr(_dictionary, "loaded"):
            from sudachipy import Dictionary
            _dictionary.loaded = Dictionary(dict="core")
    return _dictionary.loaded


def _tokenizer():
    """This thread's tokenizer: a Sudachi tokenizer refuses to be used by two threads at once."""
    tokenizer = getattr(_per_thread, "tokenizer", None)
    if tokenizer is None:
        from sudachipy import SplitMode
        tokenizer = _per_thread.tokenizer = _dictionary().tokenizer(mode=SplitMode.C, fields={"pos"})
    return tokenizer


def tokenize(text: str) -> list[Token]:
    """Sudachi's tokens of text (split in chunks Sudachi accepts), with offsets into text."""
    tokenizer, tokens = _tokenizer(), []
    for base, chunk in _chunks(text):
        for m in tokenizer.tokenize(chunk):
            tokens.append(Token(m.surface(), tuple(m.part_of_speech()), base + m.begin(),
                                 base + m.end(), m.is_oov()))
    return tokens


def _chunks(text: str):
    """(offset, piece) pieces of at most _CHUNK_CHARS, cut after 。 or a line break where possible."""
    start = 0
    while start < len(text):
        end = min(len(text), start + _CHUNK_CHARS)
        if end < len(text):
            cut = max(text.rfind("。", start, end), text.rfind("\n", start, end))
            end = cut + 1 if cut > start else end
        yield start, text[start:end]
        start = end


# --- patterns, matched on a copy with full-width digits, hyphens and brackets made ASCII
_TO_ASCII = str.maketrans("０１２３４５６７８９－‐―−ーｰ（）　：", "0123456789------() :")
_PHONE = re.compile(r"(?<![0-9A-Za-z/_.=-])(?:\(0[1-9][0-9]{0,3}\) ?[0-9]{1,4}-?[0-9]{3,4}"
                    r"|0[1-9][0-9]{0,3}-[0-9]{1,4}-[0-9]{3,4}|0[5789]0[0-9]{8}|0[1-9][0-9]{8})(?![0-9A-Za-z])")
_POSTAL = re.compile(r"〒 ?[0-9]{3}-?[0-9]{4}(?![0-9])|(?<![0-9-])[0-9]{3}-[0-9]{4}(?![0-9-])")
_KANJI_NUMBER = "[0-9一二三四五六七八九十]+"
_ADDRESS_NUMBER = re.compile(
    rf"{_KANJI_NUMBER}丁目(?: ?[0-9]+(?:番地?|-)(?:[0-9]+号?)?(?:-[0-9]+)?)?"
    r"|(?<![0-9])[0-9]+番地(?:の?[0-9]+(?:号)?)?|(?<![0-9])[0-9]+番[0-9]+号"
    r"|(?<![0-9-])[0-9]+-[0-9]+(?:-[0-9]+)?(?![0-9-])|(?<![0-9])[0-9]+号室?")
_DATE = re.compile(r"(?<![0-9-])(?:(?:明治|大正|昭和|平成|令和|[MTSHR]) ?(?:[0-9]{1,2}|元) ?[年.]|[0-9]{4} ?[年/.-])"
                   r" ?[0-9]{1,2} ?[月/.-](?: ?[0-9]{1,2} ?日?)?(?![0-9])")
_BIRTH_BEFORE = re.compile(r"(生年月日|誕生日|生まれ|出生日?)[^。\n]{0,4}$")
_BIRTH_AFTER = re.compile(r"[) ]{0,2}(生まれ|生|出生|誕生)")
_AGE = re.compile(r"(?<![0-9])[0-9]{1,3} ?[歳才]")
_FULL_DATE = re.compile(r"日$|[/.-] ?[0-9]{1,2}$")
_PLACEHOLDER = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]{1,2}|[○〇●◯×△□◇◆＊*某甲乙丙丁]+")
_KANA = re.compile(r"[ァ-ヶー・ぁ-ゖ]+")
_PLACE_SUFFIXES = ("市", "町", "村", "区", "郡", "県", "都", "府", "駅", "地区", "丁目")
_HONORIFICS = ("様", "さま", "さん", "氏", "君", "くん", "ちゃん")
_NAME_COLUMN = re.compile(r"（(氏名|名前|お名前|本人氏名|利用者名|相談者名|氏名・続柄)）$")


def find_identifiers(parts: list[tuple[str, str]]) -> list[Finding]:
    """Everything in the parts' texts that could identify someone, in text order.

    A table cell under a name heading (where ends in 「（氏名）」, see documents.extract_text) is
    a name whatever the dictionary says: 西 ユリ is two common nouns to Sudachi. A given name
    found after a surname anywhere in the document (佐々木 蓮) is then looked for on its own
    in every part (「蓮は」), as replacing the full name would leave it.
    """
    analysed = []
    for where, text in parts:
        tokens = tokenize(text)
        spans = _name_cell(text) if _NAME_COLUMN.search(where) else []
        analysed.append((where, text, tokens, spans or _spans(text, tokens)))
    given = _given_names(analysed)
    findings = []
    for where, text, tokens, spans in analysed:
        spans = [("person", s, e) if kind in ("place", "honorific") and text[s:e] in given else (kind, s, e)
                 for kind, s, e in spans]  # 湊 is a place to Sudachi, and a person's name here
        spans = sorted(spans + _given_name_spans(tokens, spans, given), key=lambda s: s[1])
        for kind, start, end in spans:
            left = max(0, start - CONTEXT_CHARS)
            context = text[left:end + CONTEXT_CHARS].replace("\n", " ")
            findings.append(Finding(kind, text[start:end], where, context, start, end))
    return findings


def _given_names(analysed) -> set[str]:
    """The given names of the people found: Sudachi's 名 inside a person's span, and the part
    after the space of 「姓 名」."""
    names = set()
    for _, text, tokens, spans in analysed:
        for kind, start, end in spans:
            if kind != "person":
                continue
            names |= {t.surface for t in tokens if start <= t.start and t.end <= end and t.pos[3:4] == ("名",)}
            pieces = re.split(r"[ 　]+", text[start:end].strip())
            if len(pieces) == 2 and pieces[1] and not _PLACEHOLDER.fullmatch(pieces[1]):
                names.add(pieces[1])
    return {n for n in names if n not in _words()["not_names"]}


def _given_name_spans(tokens: list[Token], spans, given: set[str]) -> list[tuple[str, int, int]]:
    """Tokens that are one of the document's given names, outside every other finding."""
    found = []
    for i, token in enumerate(tokens):
        if token.surface not in given or any(s < token.end and token.start < e for _, s, e in spans):
            continue
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if len(token.surface) == 1 and token.pos[1] != "固有名詞" and not (
                following and following.start == token.end
                and (following.pos[0] == "助詞" or following.surface in _HONORIFICS)):
            continue  # 正 of 正社員 is no name; 陸は and 湊くん are
        found.append(("person", token.start, token.end))
    return found


def _spans(text: str, tokens: list[Token]) -> list[tuple[str, int, int]]:
    """(kind, start, end) of the findings in one text, none inside another."""
    ascii_text = text.translate(_TO_ASCII)
    spans = (_token_spans(tokens) + _pattern_spans(ascii_text, tokens) + _quoted_names(text)
             + rule_spans(text, tokens, _words()))
    spans.sort(key=lambda s: (s[1], -(s[2] - s[1])))
    kept: list[tuple[str, int, int]] = []
    for span in spans:
        if kept and span[1] < kept[-1][2]:  # overlaps the longer (or earlier) one kept
            continue
        previous = kept[-1] if kept else None
        if (previous and {previous[0], span[0]} <= {"person", "honorific"}
                and text[previous[2]:span[1]] in ("", " ", "　")):  # 姓 名 with a space between
            kept[-1] = ("person", previous[1], span[2])
            continue
        kept.append(span)
    return [_with_given_name(span, tokens) for span in kept]


def _with_given_name(span: tuple[str, int, int], tokens: list[Token]) -> tuple[str, int, int]:
    """A surname's span grown over a space and the given name after it (佐々木 蓮, not 佐々木):
    a one-character given name alone is too doubtful to be a finding of its own."""
    kind, start, end = span
    if kind != "person":
        return span
    after = [t for t in tokens if t.start >= end][:3]
    if len(after) < 2 or after[0].start != end or after[0].surface not in (" ", "　") or after[1].start != after[0].end:
        return span
    honorific_next = (len(after) == 3 and after[2].start == after[1].end and after[2].surface in _HONORIFICS)
    if after[1].pos[2:4] == ("人名", "名") or (  # 佐々木 颯さん: 颯 is an adverb to Sudachi
            honorific_next and after[1].pos[0] not in ("助詞", "助動詞", "補助記号") and len(after[1].surface) <= 4):
        return (kind, start, after[1].end)
    return span


def _name_cell(text: str) -> list[tuple[str, int, int]]:
    """The name in a cell under 氏名, unless it is already anonymous (Bさん, ○○) or a note (（死別）)."""
    name = text.strip()
    for honorific in _HONORIFICS:
        name = name.removesuffix(honorific)
    bare = name.replace(" ", "").replace("　", "")
    if not bare or _PLACEHOLDER.fullmatch(bare) or bare[0] in "（(［[【" or bare in _words()["not_names"]:
        return []
    start = text.index(name)
    return [("person", start, start + len(name))]


# --- names, places and organisations from Sudachi's parts of speech

def _is_proper(token: Token) -> bool:
    return token.pos[1] == "固有名詞" and not _PLACEHOLDER.fullmatch(token.surface)


def _is_placeholder(token: Token) -> bool:
    return bool(_PLACEHOLDER.fullmatch(token.surface))


def _is_noun_like(token: Token) -> bool:
    """Part of a compound name: nouns (not numbers), noun suffixes and prefixes, a middle dot."""
    return ((token.pos[0] == "名詞" and token.pos[1] not in ("数詞", "代名詞"))
            or token.pos[0] in ("接頭辞", "形状詞") or (token.pos[0] == "接尾辞" and token.pos[1] == "名詞的")
            or token.surface == "・")


def _is_name_word(token: Token) -> bool:
    """A token that names something (a proper noun, an unknown word, a kana word not generic)."""
    if _is_placeholder(token) or token.surface in _words()["generic_words"]:
        return False
    if token.pos[0] != "名詞" and not token.oov:  # not さん, の, 形状詞 (アクティブ)
        return False
    if _is_org_kind(token.surface) and not _is_proper(token):
        return False
    return _is_proper(token) or token.oov or bool(_KANA.fullmatch(token.surface))


def _is_org_kind(surface: str) -> bool:
    """病院, 中央病院, 会 (ひまわり会): a kind of organisation; a one-character kind only as a word
    of its own, or 機会 and 社会 would be organisations."""
    return bool(_org_kind_pattern().search(surface))


@cache
def _org_kind_pattern() -> re.Pattern:
    kinds = _words()["org_suffixes"]
    longer = sorted((k for k in kinds if len(k) > 1), key=len, reverse=True)
    single = [k for k in kinds if len(k) == 1]
    return re.compile(f"(?:{'|'.join(map(re.escape, longer))})$|^(?:{'|'.join(map(re.escape, single))})$")


def _token_spans(tokens: list[Token]) -> list[tuple[str, int, int]]:
    spans = []
    for run in _noun_runs(tokens):
        organisation = _organisation(run)
        if organisation:
            spans.append(("organisation", organisation[0].start, organisation[-1].end))
            continue
        spans += _names_and_places(run)
    return spans + _honorific_spans(tokens)


def _noun_runs(tokens: list[Token]) -> list[list[Token]]:
    """Maximal runs of adjacent noun-like tokens (a run holds one compound name at most).

    A kana word + の + a kind of organisation stays one run (こころのクリニック).
    """
    runs, run = [], []
    for i, token in enumerate(tokens):
        if run and run[-1].end == token.start and (_is_noun_like(token) or _org_no(tokens, i)):
            run.append(token)
            continue
        if run:
            runs.append(run)
        run = [token] if _is_noun_like(token) else []
    if run:
        runs.append(run)
    return runs


def _org_no(tokens: list[Token], i: int) -> bool:
    """Whether tokens[i] is the の of 「こころのクリニック」: kana name word, の, a kind of organisation."""
    return (tokens[i].surface == "の" and 0 < i < len(tokens) - 1 and _is_name_word(tokens[i - 1])
            and bool(_KANA.fullmatch(tokens[i - 1].surface))
            and _is_org_kind(tokens[i + 1].surface))


def _organisation(run: list[Token]) -> list[Token] | None:
    """The tokens of an organisation's name in run, or None.

    A legal form with anything else (株式会社サトウ商事), a kind of organisation before a name
    (ハローワーク佐伯) or a name with a kind of organisation (別府中央病院, センターこもれび).
    """
    patterns = _org_patterns()
    surfaces = [t.surface for t in run]
    joined = "".join(surfaces)
    offset = 0
    for i, surface in enumerate(surfaces):
        rest = joined[offset:]
        offset += len(surface)
        form = patterns["legal_form"].match(rest)
        if form and len(rest) > form.end():
            return run[i:]
        if form and i > 0:  # 丸和食品株式会社
            return run
        prefix = patterns["prefix"].match(rest)
        if prefix and any(_is_name_word(t) for t in run[i:] if t.start >= run[i].start + prefix.end()):
            return run[i:]
    names = [i for i, t in enumerate(run) if _is_name_word(t) or t.pos[2:3] == ("組織",)]
    kinds = [i for i, s in enumerate(surfaces) if _is_org_kind(s)]
    if names and (kinds or run[names[-1]].pos[2:3] == ("組織",)):
        return run[names[0]:max(names + kinds) + 1]
    return None


def _names_and_places(run: list[Token]) -> list[tuple[str, int, int]]:
    """People (姓 + 名 merged) and places (adjacent 地名 merged, 竹田 + 市) in a run of nouns."""
    spans: list[tuple[str, int, int]] = []
    for i, token in enumerate(run):
        kind = _name_kind(token, run[i + 1] if i + 1 < len(run) else None)
        if kind is None:
            continue
        end = token.end
        if kind == "place" and i + 1 < len(run) and run[i + 1].surface in _PLACE_SUFFIXES:
            end = run[i + 1].end
        if spans and spans[-1][0] == kind and spans[-1][2] == token.start:
            spans[-1] = (kind, spans[-1][1], end)
        else:
            spans.append((kind, token.start, end))
    return [span for span in spans if not _doubtful_name(span, run)]


def _doubtful_name(span: tuple[str, int, int], run: list[Token]) -> bool:
    """A lone one-character or hiragana 人名 (練 at a broken line, いくこ in 行っていくこと).

    With 様/さん/ちゃん after it, the honorific rule still finds it (保さん, ゆいさん).
    """
    kind, start, end = span
    tokens = [t for t in run if start <= t.start and t.end <= end]
    return kind == "person" and len(tokens) == 1 and (
        len(tokens[0].surface) == 1 or bool(re.fullmatch(r"[ぁ-ゖー]+", tokens[0].surface)))


def _name_kind(token: Token, following: Token | None) -> str | None:
    if not _is_proper(token):
        return None
    if following is not None and following.surface in _PLACE_SUFFIXES and token.pos[2] in ("人名", "地名"):
        return "place"
    if token.pos[2] == "人名":
        return "person"
    if token.pos[2] == "地名" and token.pos[3] != "国" and token.surface not in _words()["broad_places"]:
        return "place"
    if token.pos[2] == "組織":
        return "organisation"
    return None


def _honorific_spans(tokens: list[Token]) -> list[tuple[str, int, int]]:
    """The name before 様/さん/氏/君/ちゃん, when it is not a role or family word (母, 担当者)."""
    spans = []
    for i, token in enumerate(tokens):
        if token.surface not in _HONORIFICS or token.pos[0] not in ("接尾辞", "名詞") or i == 0:
            continue
        j = i
        while j > 0 and i - j < 6 and tokens[j - 1].end == tokens[j].start and _could_be_name(tokens[j - 1]):
            j -= 1
        while j < i and tokens[j].surface in ("・", " "):
            j += 1
        if j == i:
            continue
        name = "".join(t.surface for t in tokens[j:i])
        if name in _words()["not_names"] or any(_is_placeholder(t) for t in tokens[j:i]):
            continue
        kind = "person" if any(t.pos[2:3] == ("人名",) for t in tokens[j:i]) else "honorific"
        spans.append((kind, tokens[j].start, tokens[i - 1].end))
    return spans


def _could_be_name(token: Token) -> bool:
    if token.surface in _words()["not_names"] or _is_placeholder(token):
        return False
    if token.surface in ("・", " "):
        return True
    return token.pos[0] in ("名詞", "形状詞") and token.pos[1] not in ("数詞", "代名詞")


@cache
def _org_patterns() -> dict[str, re.Pattern]:
    """Legal forms and kinds written before a name, as patterns matching at a string's start."""
    words = _words()
    return {key: re.compile("|".join(map(re.escape, sorted(words[name], key=len, reverse=True))))
            for key, name in (("legal_form", "legal_forms"), ("prefix", "org_prefixes"))}


@cache
def _quoted_name() -> re.Pattern:
    words = _words()
    kinds = sorted({*words["legal_forms"], *words["org_prefixes"], *words["org_suffixes"]}, key=len, reverse=True)
    return re.compile(f"(?:{'|'.join(map(re.escape, kinds))})「([^」\n]{{1,30}})」")


def _quoted_names(text: str) -> list[tuple[str, int, int]]:
    """A name in 「」 after a kind of organisation: 事業所「ひだまり工房」, 旅館「ゆふの里」."""
    return [("organisation", m.start(1), m.end(1)) for m in _quoted_name().finditer(text)
            if not _PLACEHOLDER.fullmatch(m.group(1))]


# --- numbers and dates

def _pattern_spans(text: str, tokens: list[Token]) -> list[tuple[str, int, int]]:
    """Phones, postal codes, addresses, birth dates and ages near dates; text has ASCII digits."""
    spans = [("phone", m.start(), m.end()) for m in _PHONE.finditer(text)]
    spans += [("postal_code", m.start(), m.end()) for m in _POSTAL.finditer(text)]
    taken = [(s, e) for _, s, e in spans]
    for m in _ADDRESS_NUMBER.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        start = _address_start(tokens, m.start())
        bare = "丁目" not in m.group() and "番" not in m.group()
        if start == m.start() and bare:  # 1-2-3 or 203号 alone is no address; after a town it is
            continue
        spans.append(("address", start, m.end()))
    full_dates = []
    for m in _DATE.finditer(text):
        after = _BIRTH_AFTER.match(text, m.end())
        if after or _BIRTH_BEFORE.search(text[max(0, m.start() - 12):m.start()]):
            spans.append(("birth_date", m.start(), after.end() if after else m.end()))
        if _FULL_DATE.search(m.group()):
            full_dates.append((m.start(), m.end()))
    for m in _AGE.finditer(text):
        if any(_same_sentence(text, m.start(), s) for s, _ in full_dates):
            spans.append(("age", m.start(), m.end()))
    return spans


def _same_sentence(text: str, a: int, b: int) -> bool:
    """Whether offsets a and b are in one sentence (no 。 or line break between)."""
    between = text[min(a, b):max(a, b)]
    return "。" not in between and "\n" not in between


def _address_start(tokens: list[Token], start: int) -> int:
    """Where the town name before an address number begins (大分市中央町 before 1丁目2番3号)."""
    before = [t for t in tokens if t.end <= start]
    begin = start
    while before and before[-1].end == begin and _is_town_part(before[-1]):
        begin = before.pop().start
    return begin


def _is_town_part(token: Token) -> bool:
    if _is_placeholder(token) or token.pos[0] != "名詞" or token.pos[1] in ("数詞", "代名詞"):
        return False
    return (token.pos[2] == "地名" or token.oov or token.surface.endswith(("町", "村", "区", "市", "郡", "字"))
            or token.pos[1] == "固有名詞")
