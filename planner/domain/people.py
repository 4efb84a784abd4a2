"""The same participant, however their name was typed: name and kana (ふりがな) compared
without spaces, full-width/half-width differences (NFKC) or katakana/hiragana differences.
Pure: no Flask, no database."""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def _hiragana(text: str) -> str:
    """Katakana ァ..ヶ as hiragana ぁ..ゖ (people write ふりがな both ways)."""
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def name_key(text: str) -> str:
    return _hiragana(_SPACES.sub("", unicodedata.normalize("NFKC", text or "")).lower())


def same_person(name_a: str, kana_a: str, name_b: str, kana_b: str) -> bool:
    """Same name; the same kana too when both have one (a missing kana does not tell them apart)."""
    if name_key(name_a) != name_key(name_b):
        return False
    ka, kb = name_key(kana_a), name_key(kana_b)
    return not ka or not kb or ka == kb
