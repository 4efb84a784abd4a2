"""The planner: models, pure domain modules (schedule, roles, timeline), operations and views."""
