"""Pure builders of what leaves the app: Word handouts (.docx) and calendar files (.ics).

No HTTP in here: views and the command line call these and stream the bytes.
"""
from __future__ import annotations

import re

# C0 and C1 controls except tab and newline, lone surrogates and the two non-characters XML
# refuses: any of them makes python-docx raise and once made iOS drop a whole calendar feed.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str | None) -> str:
    """User text safe for Word and iCalendar: line breaks unified to \\n, controls removed."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return one_wave_dash(_CONTROL.sub("", text))


def one_wave_dash(text: str) -> str:
    """One wave dash in everything that leaves the app: 〜 (U+301C, as the source and some
    input write it) becomes ～ (U+FF5E, as Windows writes it), so a row never shows both."""
    return text.replace("\u301c", "\uff5e")


def clean_line(text: str | None) -> str:
    """User text for a one-line place (a file name, a table heading): breaks become spaces."""
    return " ".join(clean_text(text).split("\n")).strip()


def blank_document_number(prefix: str | None, blank: str) -> str:
    """A 文書番号 still to be numbered, with the prefecture's own part: み福第　　　　号."""
    prefix = clean_line(prefix).removesuffix("第")
    return f"{prefix}{blank}" if prefix else blank
