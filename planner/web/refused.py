"""A refused form answers 4xx: a view that shows a form again with its errors and returns
200 is turned into 422, so browsers, scripts and tests can tell "saved" from "refused".

Form.validate (planner.web.forms) notes a failed submission in `g`; the after-request hook
changes a 200 answer to such a POST into 422 (views that already choose a status keep it).
"""
from __future__ import annotations

from flask import g, request


def note() -> None:
    g.form_refused = True


def _answer_422(response):
    if (request.method == "POST" and response.status_code == 200 and g.get("form_refused")
            and response.mimetype == "text/html"):
        response.status_code = 422
    return response


def register(app) -> None:
    app.after_request(_answer_422)
