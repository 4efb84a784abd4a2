"""Views: thin handlers that load objects, check access and call planner.services.plans.changes.

The lookups here ask a service (which answers None for nothing or another prefecture's row)
and answer 404 themselves."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from planner.models import Plan, SupplementaryEvent, Training, User
from planner.services.accounts import find_user
from planner.services.plans.lookup import find_event, find_plan, find_training


def official_required(view):
    """Only an official of the prefecture may change plans."""
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_official:
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def found_or_404(row):
    """The row a service found; None (nothing, or not the user's prefecture's) is a 404."""
    if row is None:
        abort(404)
    return row


def plan_or_404(plan_id: int, *options) -> Plan:
    """The plan if it belongs to the user's prefecture; another prefecture's plan is a 404.

    `options` are loader options from the services (e.g. lookup.WITH_TRAININGS) for what the
    page walks, so it loads in one go.
    """
    return found_or_404(find_plan(current_user.prefecture_id, plan_id, *options))


def training_or_404(training_id: int) -> Training:
    return found_or_404(find_training(current_user.prefecture_id, training_id))


def event_or_404(event_id: int) -> SupplementaryEvent:
    """A supplementary event if its training belongs to the user's prefecture."""
    event = found_or_404(find_event(event_id))
    training_or_404(event.subject.training_id)
    return event


def user_or_404(user_id: int) -> User:
    """An account of the user's own prefecture; another prefecture's account is a 404."""
    user = find_user(user_id)
    if user is None or user.prefecture_id != current_user.prefecture_id:
        abort(404)
    return user
