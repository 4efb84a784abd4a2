"""The claim benchmark's floor, served by the same process as the app: a POST that logs the
user in from the session cookie, checks the CSRF token and runs one UPDATE of a slot's holder.

`waitress --call bench.floor_app:create_app` serves the whole app plus
POST /bench/floor/<slot_id>/<member_id> (member_id 0 clears the holder), so a benchmark can
alternate real claims and floor requests against one server.
"""
from __future__ import annotations

from flask import jsonify
from flask_login import login_required

from app import create_app as create_planner_app
from planner.models import RoleSlot
from planner.models.db import db


def create_app(config: dict | None = None):
    app = create_planner_app(config)

    @app.post("/bench/floor/<int:slot_id>/<int:member_id>")
    @login_required  # the session's user, loaded as every page loads it; CSRFProtect checks the token
    def floor(slot_id: int, member_id: int):
        db.session.execute(db.update(RoleSlot).where(RoleSlot.id == slot_id).values(holder_id=member_id or None))
        db.session.commit()
        return jsonify(ok=True, message="")

    return app
