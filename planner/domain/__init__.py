"""Pure domain code: no Flask, no SQLAlchemy. Scheduling, auto-assignment, the timeline, dates."""
