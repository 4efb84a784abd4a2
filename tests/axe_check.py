"""axe-core (WCAG 2.1 A and AA) on a Playwright page, shared by the browser tests.

Cost, measured on the demo's pages (CPU of Chromium and Python together): loading a page ~0.8 s,
putting axe-core's 572 kB script in it ~0.2 s, a run ~0.5-0.7 s. So a page checked at two widths
is loaded once and resized in between (CSS @media rules apply on a resize as on a load), and the
script goes into a document once (axe_playwright_python already reads axe.min.js once per process).
"""
from __future__ import annotations

from pathlib import Path

from axe_playwright_python.base import AXE_SCRIPT

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"]}


def axe_violations(page, disabled: tuple[str, ...] = ()) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now, `disabled` rules left out."""
    if not page.evaluate("typeof axe !== 'undefined'"):  # once per document
        page.evaluate(AXE_SCRIPT)
    options = {**WCAG_21_AA, "rules": {rule: {"enabled": False} for rule in disabled}}
    return page.evaluate("options => axe.run(document, options).then(r => r.violations)", options)


def describe(violations: list[dict]) -> str:
    """One paragraph per broken rule: its id, what it asks, and where it fails."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:8]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['failureSummary'].splitlines()[-1].strip()}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def failures_at_widths(page, label: str, widths, screenshots: Path | None = None,
                       disabled: tuple[str, ...] = ()) -> list[str]:
    """The page as it is now, at each width (the window resized, not reloaded): what axe finds and
    whether the page scrolls sideways, as messages (empty: none). With `screenshots`, a full-page
    picture per width there, named after `label`."""
    failures = []
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        violations = axe_violations(page, disabled)
        # the page itself never scrolls sideways; a wide table scrolls inside its own box
        page_width = page.evaluate("document.documentElement.scrollWidth")
        if screenshots is not None:
            page.screenshot(path=str(screenshots / f"page-{label}-{width}.png"), full_page=True)
        if violations:
            failures.append(f"{label} ({page.url}) breaks WCAG 2.1 AA at {width} px:\n{describe(violations)}")
        if page_width > width:
            failures.append(f"{label} ({page.url}) is {page_width} px wide in a {width} px window")
    return failures
