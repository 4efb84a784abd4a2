"""The official's answer when an edit would break slot holders' days.

Any POST whose change hits holders (planner.services.plans.holder_conflicts) ends here: nothing was
saved, and a page lists who and why, with the same submission ready to send again with
"keep (record the conflicts)" or "release those slots". The answer travels as the form
field `holders`, which every change path reads through `begin_decision`.
"""
from __future__ import annotations

from flask import g, render_template, request

from planner.services.plans import holder_conflicts

FIELD = "holders"


def _begin():
    g.holder_token = holder_conflicts.begin_decision(
        request.form.get(FIELD) if request.method == "POST" else None)


def _end(_exc=None):
    token = g.pop("holder_token", None)
    if token is not None:
        holder_conflicts.end_decision(token)


def _ask(exc: holder_conflicts.HoldersAffected):
    """409: the list, and the same form again (its own fields as hidden inputs)."""
    fields = [(name, value) for name, values in request.form.lists() if name not in (FIELD, "csrf_token")
              for value in values]
    return render_template("holders/confirm.html", conflicts=exc.conflicts, fields=fields,
                           action=request.path), 409


def register(app) -> None:
    app.before_request(_begin)
    app.teardown_request(_end)
    app.register_error_handler(holder_conflicts.HoldersAffected, _ask)
