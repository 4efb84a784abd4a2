"""Views: thin handlers that load objects, check access and call planner.services.plans.changes."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from planner.models import Plan, SupplementaryEvent, Training, User
from planner.models.db import db


def official_required(view):
    """Only an official of the prefecture may change plans."""
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_official:
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def plan_or_404(plan_id: int, *options) -> Plan:
    """The plan if it belongs to the user's prefecture; another prefecture's plan is a 404.

    `options` are loader options (e.g. selectinload) for what the page walks, so it loads in one go.
    """
    plan = db.session.scalar(db.select(Plan).filter_by(id=plan_id, prefecture_id=current_user.prefecture_id)
                             .options(*options))
    if plan is None:
        abort(404)
    return plan


def training_or_404(training_id: int) -> Training:
    training = db.session.scalar(
        db.select(Training).join(Plan).where(Training.id == training_id,
                                             Plan.prefecture_id == current_user.prefecture_id))
    if training is None:
        abort(404)
    return training


def event_or_404(event_id: int) -> SupplementaryEvent:
    """A supplementary event if its training belongs to the user's prefecture."""
    event = db.get_or_404(SupplementaryEvent, event_id)
    training_or_404(event.subject.training_id)
    return event


def user_or_404(user_id: int) -> User:
    """An account of the user's own prefecture; another prefecture's account is a 404."""
    user = db.session.get(User, user_id)
    if user is None or user.prefecture_id != current_user.prefecture_id:
        abort(404)
    return user
