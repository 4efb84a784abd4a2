"""The tables, one module per concept; importing this package registers them all."""
from planner.models.account import LoginFailure, Prefecture, User  # noqa: F401
from planner.models.plan import Plan, Training, TrainingSubject  # noqa: F401
