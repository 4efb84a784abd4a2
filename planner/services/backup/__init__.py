"""A plan as one JSON file and back (plan.py: the format, export and import), split by what it
carries: the field reader and its error (reader), the team, the role holders, the timeline, the
trainings with their subjects, the survey, the participants and the materials."""
