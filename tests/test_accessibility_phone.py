"""The pages of test_accessibility.py at a phone's 390 px: no WCAG 2.1 AA violation and no
sideways scrolling. A file of its own, with its own demo server, so that with `--dist loadfile`
another xdist worker checks the phone width while the first checks the desktop."""
from __future__ import annotations

import pytest

from tests.test_accessibility import PAGES, PHONE, check_page, ids, sessions, tab  # noqa: F401 (module fixtures)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_wcag_aa_violations_on_a_phone(name, demo_server, ids, sessions, tab, artifacts):  # noqa: F811
    check_page(name, PHONE, demo_server, ids, sessions, tab, artifacts)
