"""The confirmation step of actions that mail people or replace work: the page's button sends
`ask=1`, and the view answers with a page that says what will happen and to whom, whose own
button sends the same fields without `ask` (and with a one-time token) to do it.

A form posted without `ask` (a script, a test, the confirmation page itself) acts at once.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import render_template, request
from markupsafe import Markup

from planner.web import once

FIELD = "ask"


@dataclass(frozen=True)
class Person:
    """A line of the confirmation page's list: who, and what they get."""

    name: str
    detail: str = ""


def asking() -> bool:
    """True when the page's button asked for the confirmation step first."""
    return request.form.get(FIELD) == "1"


def ask_field() -> Markup:
    """The hidden field a page's form carries to ask for the confirmation step."""
    return Markup(f'<input type="hidden" name="{FIELD}" value="1">')


def page(title: str, lead: str, button: str, cancel_url: str, people: list[Person] | None = None,
         mailing: bool = True, notes: list[str] | None = None, action: str | None = None,
         danger: bool = False, people_heading: str = ""):
    """The confirmation page: `people` are those who will be mailed (when `mailing`), the
    submitted fields are sent again without `ask`."""
    fields = [(k, v) for k, v in request.form.items(multi=True) if k not in (FIELD, "csrf_token", once.FIELD)]
    return render_template("bulk/confirm.html", title=title, lead=lead, button=button, cancel_url=cancel_url,
                           people=people or [], mailing=mailing, notes=notes or [], fields=fields,
                           action=action or request.path, danger=danger, people_heading=people_heading)


def register(app) -> None:
    app.jinja_env.globals["ask_field"] = ask_field
