"""The planner, in layers that only look down (see README, ARCHITECTURE):
web and cli -> services -> models -> domain; `exports` builds files between web and services."""
