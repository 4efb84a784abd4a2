"""What in a case text could identify someone: names, places, organisations, numbers, dates.

The source's rule for cases: 「事例を扱う場合には、関係機関や個人名等が特定されないよう、匿名性を
担保する」. Names, places and organisations come from SudachiPy with its core dictionary, whose
part of speech marks 固有名詞 人名 / 地名 / 組織; adjacent tokens are merged (姓 + 名, 大分 +
赤十字病院). Telephone numbers, postal codes, addresses, dates of birth and ages next to dates
are patterns. Forms already made anonymous (A氏, Bさん, C市, ○○センター) are not findings.

Why Sudachi and not GiNZA's NER: GiNZA runs on top of SudachiPy and the same dictionary and
adds spaCy and a trained model, several hundred MB more installed and in memory, while issue 17
wants a server process under 100 MiB. The dictionary is loaded once per process, on the first
check, not at app start. Pure: no Flask, no database. Word lists are in data/anonymity.toml.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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
class _Token:
    surface: str
    pos: tuple[str, ...]
    start: int
    end: int
    oov: bool


@cache
def _words() -> dict[str, frozenset[str] | tuple[str, ...]]:
    raw = tomllib.loads(WORDS_FILE.read_text(encoding="utf-8"))
    return {"org_prefixes": tuple(raw["org_prefixes"]), "org_suffixes": tuple(raw["org_suffixes"]),
            "generic_words": frozenset(raw["generic_words"]),
            "broad_places": frozenset(raw["broad_places"]), "not_names": frozenset(raw["not_names"])}


@cache
def _tokenizer():
    """Sudachi with the core dictionary, made once per process (the dictionary is memory-mapped)."""
    from sudachipy import Dictionary, SplitMode
    return Dictionary(dict="core").create(mode=SplitMode.C)


def tokenize(text: str) -> list[_Token]:
    """Sudachi's tokens of text (split in chunks Sudachi accepts), with offsets into text."""
    tokenizer, tokens = _tokenizer(), []
    for base, chunk in _chunks(text):
        for m in tokenizer.tokenize(chunk):
            tokens.append(_Token(m.surface(), tuple(m.part_of_speech()), base + m.begin(),
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
_PHONE = re.compile(r"(?<![0-9-])(?:\(0[0-9]{1,4}\) ?[0-9]{1,4}-?[0-9]{3,4}|0[0-9]{1,4}-[0-9]{1,4}-[0-9]{3,4}"
                    r"|0[5789]0[0-9]{8}|0[0-9]{9})(?![0-9])")
_POSTAL = re.compile(r"〒 ?[0-9]{3}-?[0-9]{4}(?![0-9])|(?<![0-9-])[0-9]{3}-[0-9]{4}(?![0-9-])")
_KANJI_NUMBER = "[0-9一二三四五六七八九十]+"
_ADDRESS_NUMBER = re.compile(
    rf"{_KANJI_NUMBER}丁目(?: ?[0-9]+(?:番地?|-)(?:[0-9]+号?)?(?:-[0-9]+)?)?"
    r"|(?<![0-9])[0-9]+番地(?:の?[0-9]+(?:号)?)?|(?<![0-9])[0-9]+番[0-9]+号"
    r"|(?<![0-9-])[0-9]+-[0-9]+(?:-[0-9]+)?(?![0-9-])")
_DATE = re.compile(r"(?:(?:明治|大正|昭和|平成|令和|[MTSHR]) ?(?:[0-9]{1,2}|元) ?[年.]|[0-9]{4} ?[年/.-])"
                   r" ?[0-9]{1,2} ?[月/.-](?: ?[0-9]{1,2} ?日?)?")
_BIRTH_BEFORE = re.compile(r"(生年月日|誕生日|生まれ|出生日?)[^。\n]{0,4}$")
_BIRTH_AFTER = re.compile(r"[) ]{0,2}(生まれ|生|出生|誕生)")
_AGE = re.compile(r"(?<![0-9])[0-9]{1,3} ?[歳才]")
_FULL_DATE = re.compile(r"日$|[/.-] ?[0-9]{1,2}$")
_PLACEHOLDER = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]{1,2}|[○〇●◯×△□◇◆＊*某甲乙丙丁]+")
_KANA = re.compile(r"[ァ-ヶー・ぁ-ゖ]+")
_PLACE_SUFFIXES = ("市", "町", "村", "区", "郡", "県", "都", "府", "駅", "地区", "丁目")
_HONORIFICS = ("様", "さま", "さん", "氏", "君", "くん", "ちゃん")


def find_identifiers(parts: list[tuple[str, str]]) -> list[Finding]:
    """Everything in the parts' texts that could identify someone, in text order."""
    findings = []
    for where, text in parts:
        spans = _spans(text)
        for kind, start, end in spans:
            left = max(0, start - CONTEXT_CHARS)
            context = text[left:end + CONTEXT_CHARS].replace("\n", " ")
            findings.append(Finding(kind, text[start:end], where, context, start, end))
    return findings


def _spans(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of the findings in one text, none inside another."""
    ascii_text = text.translate(_TO_ASCII)
    tokens = tokenize(text)
    spans = _token_spans(tokens) + _pattern_spans(ascii_text, tokens)
    spans.sort(key=lambda s: (s[1], -(s[2] - s[1])))
    kept: list[tuple[str, int, int]] = []
    for span in spans:
        if kept and span[1] < kept[-1][2]:  # overlaps the longer (or earlier) one kept
            continue
        kept.append(span)
    return kept


# --- names, places and organisations from Sudachi's parts of speech

def _is_proper(token: _Token) -> bool:
    return token.pos[1] == "固有名詞" and not _PLACEHOLDER.fullmatch(token.surface)


def _is_placeholder(token: _Token) -> bool:
    return bool(_PLACEHOLDER.fullmatch(token.surface))


def _is_noun_like(token: _Token) -> bool:
    """Part of a compound name: nouns (not numbers), noun suffixes and prefixes, a middle dot."""
    return ((token.pos[0] == "名詞" and token.pos[1] not in ("数詞", "代名詞"))
            or token.pos[0] == "接頭辞" or (token.pos[0] == "接尾辞" and token.pos[1] == "名詞的")
            or token.surface == "・")


def _is_name_word(token: _Token) -> bool:
    """A token that names something (a proper noun, an unknown word, a kana word not generic)."""
    if _is_placeholder(token) or token.surface in _words()["generic_words"]:
        return False
    if token.surface.endswith(_words()["org_suffixes"]) and not _is_proper(token):
        return False
    return _is_proper(token) or token.oov or bool(_KANA.fullmatch(token.surface))


def _token_spans(tokens: list[_Token]) -> list[tuple[str, int, int]]:
    spans = []
    for run in _noun_runs(tokens):
        organisation = _organisation(run)
        if organisation:
            spans.append(("organisation", organisation[0].start, organisation[-1].end))
            continue
        spans += _names_and_places(run)
    return spans + _honorific_spans(tokens)


def _noun_runs(tokens: list[_Token]) -> list[list[_Token]]:
    """Maximal runs of adjacent noun-like tokens (a run holds one compound name at most)."""
    runs, run = [], []
    for token in tokens:
        if _is_noun_like(token) and (not run or run[-1].end == token.start):
            run.append(token)
        else:
            if run:
                runs.append(run)
            run = [token] if _is_noun_like(token) else []
    if run:
        runs.append(run)
    return runs


def _organisation(run: list[_Token]) -> list[_Token] | None:
    """The tokens of an organisation's name in run: 株式会社〜, ハローワーク〜 or a name + 病院 etc."""
    words = _words()
    joined = "".join(t.surface for t in run)
    for i, token in enumerate(run):
        rest = "".join(t.surface for t in run[i:])
        prefix = next((p for p in words["org_prefixes"] if rest.startswith(p)), None)
        if prefix and any(_is_name_word(t) or (t.pos[1] == "普通名詞" and t.surface not in words["generic_words"])
                          for t in run[i:] if t.start >= token.start + len(prefix)):
            return run[i:]
    if joined.endswith(words["org_suffixes"]) or (run[-1].pos[1] == "固有名詞" and run[-1].pos[2] == "組織"):
        names = [i for i, t in enumerate(run) if _is_name_word(t) or (t.pos[2:3] == ("組織",))]
        if names:
            return run[names[0]:]
    return None


def _names_and_places(run: list[_Token]) -> list[tuple[str, int, int]]:
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
    return spans


def _name_kind(token: _Token, following: _Token | None) -> str | None:
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


def _honorific_spans(tokens: list[_Token]) -> list[tuple[str, int, int]]:
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


def _could_be_name(token: _Token) -> bool:
    if token.surface in _words()["not_names"] or _is_placeholder(token):
        return False
    if token.surface in ("・", " "):
        return True
    return token.pos[0] in ("名詞", "形状詞") and token.pos[1] not in ("数詞", "代名詞")


# --- numbers and dates

def _pattern_spans(text: str, tokens: list[_Token]) -> list[tuple[str, int, int]]:
    """Phones, postal codes, addresses, birth dates and ages near dates; text has ASCII digits."""
    spans = [("phone", m.start(), m.end()) for m in _PHONE.finditer(text)]
    spans += [("postal_code", m.start(), m.end()) for m in _POSTAL.finditer(text)]
    taken = [(s, e) for _, s, e in spans]
    for m in _ADDRESS_NUMBER.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        start = _address_start(tokens, m.start())
        dash_only = "丁目" not in m.group() and "番" not in m.group()
        if start == m.start() and dash_only:  # 1-2-3 alone is no address; after a town it is
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
        if any(abs(m.start() - e) <= 40 or abs(s - m.end()) <= 40 for s, e in full_dates):
            spans.append(("age", m.start(), m.end()))
    return spans


def _address_start(tokens: list[_Token], start: int) -> int:
    """Where the town name before an address number begins (大分市中央町 before 1丁目2番3号)."""
    before = [t for t in tokens if t.end <= start]
    begin = start
    while before and before[-1].end == begin and _is_town_part(before[-1]):
        begin = before.pop().start
    return begin


def _is_town_part(token: _Token) -> bool:
    if _is_placeholder(token) or token.pos[0] != "名詞" or token.pos[1] in ("数詞", "代名詞"):
        return False
    return (token.pos[2] == "地名" or token.oov or token.surface.endswith(("町", "村", "区", "市", "郡", "字"))
            or token.pos[1] == "固有名詞")
