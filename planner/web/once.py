"""Forms that create something carry a one-time token (the hidden field `once`), so that a
double click or a resent form creates one thing and the second answer is friendly."""
from __future__ import annotations

import secrets

from flask import Flask, flash, g, redirect, request
from markupsafe import Markup

from planner.services import submissions

FIELD = "once"


def hidden_field() -> Markup:
    """The token field for a form's template: a new token each time the form is drawn."""
    return Markup(f'<input type="hidden" name="{FIELD}" value="{secrets.token_urlsafe(24)}">')


def _token() -> str:
    """The form's token, or '' for an old page or a script (the tables' own unique keys still hold)."""
    token = request.form.get(FIELD, "")
    return token if len(token) <= 64 else ""


def _already_done(url: str):
    """To where the first submit led, saying nothing was done twice."""
    flash("この内容はすでに受け付けています（二重に送信されたため、もう一度は登録していません）。", "success")
    return redirect(url)


def first_submit(fallback: str):
    """None when this is the form's first submit (its token is now taken for this transaction);
    otherwise a redirect to where the first submit led, saying nothing was done twice."""
    token = _token()
    if not token:
        return None
    row = submissions.take(token)
    if row is not None:
        g.once_row = row
        return None
    return _already_done(submissions.result_of(token) or fallback)


def earlier_submit(fallback: str):
    """For a form whose page stops working once it has done its work (an invitation link after
    the account is made): the same friendly redirect as first_submit when this token was sent
    before, else None. Reads only; the page's own refusal follows when it is None."""
    token = _token() if request.method == "POST" else ""
    earlier = submissions.find(token) if token else None
    if earlier is None:
        return None
    return _already_done(earlier.result_url or fallback)


def remember(url: str) -> None:
    """Where the first submit led (set before the commit), for the second submit's answer."""
    row = g.get("once_row")
    if row is not None:
        row.result_url = url


def register(app: Flask) -> None:
    app.jinja_env.globals["once_field"] = hidden_field
