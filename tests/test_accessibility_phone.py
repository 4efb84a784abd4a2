"""The other half of test_accessibility.py's pages, with the same checks at both widths (no WCAG
2.1 AA violation, no sideways scrolling), but put in their state at a phone's 390 px and then
widened, so the forms here are filled and sent in the phone's layout. A file of its own, with
its own demo server, so that with `--dist loadfile` another xdist worker checks these pages while
the first checks its half. (Its name is older than the split: it once held every page at 390 px.)"""
from __future__ import annotations

import pytest

from tests.test_accessibility import (  # noqa: F401 (module fixtures)
    DESKTOP,
    PAGES,
    PHONE,
    check_page,
    ids,
    sessions,
    tab,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("name", list(PAGES)[1::2])
def test_page_has_no_wcag_aa_violations_on_a_phone(name, demo_server, ids, sessions, tab, artifacts):  # noqa: F811
    check_page(name, (PHONE, DESKTOP), demo_server, ids, sessions, tab, artifacts)
