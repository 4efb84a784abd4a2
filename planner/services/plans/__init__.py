"""A plan and its trainings: state changes, published versions, the team's programme, timetables,
supplementary events, holder conflicts, the next cycle and curricula editions."""
