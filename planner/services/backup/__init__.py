"""A plan as one JSON file and back, split by what it carries: the plan, its participants, its materials."""
