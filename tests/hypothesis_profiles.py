"""Hypothesis profiles, chosen with the environment variable HYPOTHESIS_PROFILE:

- "ci" (the default, what README's test command and .ci/run use): each property test tries a
  fifth of the examples its decorator names (at least 20), so the suite answers in minutes;
- "nightly": every test tries the full number its decorator names (`examples(300)` -> 300),
  for a scheduled or pre-release run: HYPOTHESIS_PROFILE=nightly .venv/bin/python -m pytest

tests/test_every_form.py follows the same choice: a sample of each kind of form in "ci", every
form in "nightly".

The example database (.hypothesis/) keeps any failure found and replays it first in later runs
of either profile.
"""
from __future__ import annotations

import os

from hypothesis import settings

PROFILES = ("ci", "nightly")
#: in CI, the share of a test's full number of examples, and the fewest examples a test gets
CI_SHARE, CI_MINIMUM = 5, 20

settings.register_profile("ci", deadline=None)
settings.register_profile("nightly", deadline=None)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
if PROFILE not in PROFILES:
    raise SystemExit(f"HYPOTHESIS_PROFILE={PROFILE!r}: use one of {', '.join(PROFILES)}")
settings.load_profile(PROFILE)


def examples(full: int) -> int:
    """max_examples for a property test whose full run tries `full` examples."""
    if PROFILE == "nightly":
        return full
    return min(full, max(CI_MINIMUM, full // CI_SHARE))
