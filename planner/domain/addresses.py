"""Mail addresses as people in Japan type them, checked by `email-validator`, not a pattern.

One rule for every way in (forms, roster and participant files, municipalities, the JSON
backup) and one for the way out (the mail queue):

- an internationalised domain (`tanto@市役所.jp`) is accepted and shown as typed; on the wire it
  goes in its ASCII (IDNA, xn--) form, which every SMTP server accepts;
- a non-ASCII local part (`担当@example.jp`) needs a server that offers SMTPUTF8 (RFC 6531),
  which the person typing cannot know, and most municipal mail systems do not accept it: it is
  refused where it is entered, with a Japanese message. Such an address that is already stored
  (older data) is sent with SMTPUTF8 when the server offers it and failed with a reason otherwise;
- full-width characters (ｔａｎｔｏ＠ｅｘａｍｐｌｅ．ｊｐ, typed with the IME on) are read as
  their half-width forms (NFKC), and the address is stored in lower case, as before.

Pure: no Flask, no database.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from planner.domain.fields import FieldError

#: RFC 5321's limit of a forward path, which email-validator also applies
MAX_LENGTH = 254
EXAMPLE = "tanto@city.example.lg.jp"
#: how every message about a malformed address starts (forms put "メールアドレスの" in front)
MALFORMED = "形式が正しくありません。"
NON_ASCII_LOCAL = ("「@」より前に日本語などの全角文字は使えません（半角の英数字と . _ - + などで入力してください。"
                   "「@」より後の日本語ドメインは使えます）。")


@dataclass(frozen=True)
class WireAddress:
    """An address as it goes to the SMTP server: `addr` is ASCII unless `smtputf8`."""

    addr: str
    smtputf8: bool


def _prepare(value: str) -> str:
    """NFKC turns full-width letters and ＠ into half-width; surrounding spaces go."""
    return unicodedata.normalize("NFKC", value or "").strip()


def _validated(text: str):
    """email-validator's result, or FieldError with a Japanese reason."""
    if not text:
        raise FieldError("メールアドレスを入力してください。")
    if len(text) > MAX_LENGTH:
        raise FieldError(f"メールアドレスは{MAX_LENGTH}文字以内で入力してください（{len(text)}文字あります）。")
    if "@" not in text:
        raise FieldError(f"{MALFORMED}「{text}」には「@」がありません（例 {EXAMPLE}）。")
    try:
        return validate_email(text, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError:
        raise FieldError(f"{MALFORMED}「{text}」はメールアドレスとして使えません（例 {EXAMPLE}）。") from None


def check_address(value: str) -> str:
    """The address as it is stored (lower case, domain as typed in Unicode), or FieldError.

    A non-ASCII local part is refused here (see the module's docstring).
    """
    result = _validated(_prepare(value))
    if result.smtputf8:
        raise FieldError(NON_ASCII_LOCAL)
    return result.normalized.lower()


def check_optional_address(value: str) -> str:
    """Like `check_address`, but an empty value stays empty."""
    return check_address(value) if _prepare(value) else ""


def is_address(value: str) -> bool:
    try:
        check_address(value)
    except FieldError:
        return False
    return True


def wire_address(value: str) -> WireAddress:
    """A stored address as the SMTP envelope and the To header carry it: the domain in its
    IDNA (xn--) form; a non-ASCII local part kept, marked as needing SMTPUTF8. FieldError when
    it can never be sent."""
    result = _validated(_prepare(value))
    if result.smtputf8:
        return WireAddress(result.normalized, True)
    return WireAddress(result.ascii_email, False)
