"""The texts of the mails that carry a one-time password link (templates/mail/password_*.txt).

A builder like the others: text only, never a commit. The web views and the command line both
use it, so the mail reads the same whoever caused it; the caller writes the link.
"""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from planner.models import User
from planner.models.password_tokens import SETUP
from planner.services.password_links import LIFETIME_TEXT

_env = Environment(loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "templates" / "mail"),
                   undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
SUBJECTS = {"setup": "【伝達研修】パスワードの設定のお願い", "reset": "【伝達研修】パスワードの再設定"}


def password_mail(user: User, link: str, purpose: str, inviter: str = "") -> tuple[str, str]:
    """(subject, plain-text body) of a setup (new account) or reset (forgotten password) mail."""
    template = "password_setup.txt" if purpose == SETUP else "password_reset.txt"
    body = _env.get_template(template).render(user=user, prefecture=user.prefecture, link=link,
                                              lifetime=LIFETIME_TEXT[purpose], inviter=inviter)
    return f"{SUBJECTS[purpose]}（{user.prefecture.name}）", body
