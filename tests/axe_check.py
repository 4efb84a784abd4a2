"""axe-core (WCAG 2.1 A and AA) on a Playwright page, shared by the browser tests.

Cost, measured on the demo's pages (CPU of Chromium and Python together): putting axe-core's
572 kB script in a page ~0.2 s, a first run ~0.7 s, of which the `color-contrast` rule is about
two thirds. So:

- the script goes into a document once: a check at a second width of the same document reuses it
  (axe_playwright_python already reads axe.min.js from disk once per process, at import);
- `color-contrast` runs on the whole page at the desktop width only. At another width it runs only
  on the elements that a non-print CSS @media rule restyles in a way that can change contrast
  (colours, backgrounds, opacity, font size or weight, visibility, display, position...; see
  RESTYLES), found from static/*.css: the app has no inline styles, no <style> and no viewport
  units, so elsewhere a page's colours and text sizes are the same at every width. axe-core's
  own performance notes suggest the same: contrast needs checking where the styles differ.
  Every other rule runs on the whole page at every width.
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from axe_playwright_python.base import AXE_SCRIPT

STATIC = Path(__file__).resolve().parent.parent / "static"
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"]}
CONTRAST = "color-contrast"
#: properties (or their prefixes) whose change can change a text's contrast or which text axe
#: checks: colours and backgrounds, what lies over or under the text, and the text's size and weight
#: (large text needs only 3:1); custom properties (--x) because colours come from them
RESTYLES = ("color", "background", "opacity", "filter", "backdrop-filter", "mix-blend-mode", "font",
            "text-shadow", "-webkit-text", "visibility", "display", "position", "z-index", "clip",
            "transform", "zoom", "--")
#: only hides: a hidden element is not checked, and it was checked at the desktop width
HIDES = re.compile(r"^display\s*:\s*none\s*(!important)?$")


def _blocks(css: str):
    """(prelude, body) of each top-level `prelude { body }` of a stylesheet, comments removed."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    depth, start, prelude_start = 0, 0, 0
    for i, char in enumerate(css):
        if char == "{":
            if depth == 0:
                prelude, start = css[prelude_start:i], i + 1
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                yield prelude.strip(), css[start:i]
                prelude_start = i + 1
        elif char == ";" and depth == 0:  # @import, @charset
            prelude_start = i + 1


def restyled_selectors(folder: Path = STATIC) -> tuple[str, ...]:
    """Selectors (pseudo-elements dropped) of the rules in non-print @media blocks that set a
    property in RESTYLES."""
    found: list[str] = []
    for sheet in sorted(folder.glob("*.css")):
        for prelude, body in _blocks(sheet.read_text(encoding="utf-8")):
            if not prelude.startswith("@media") or re.fullmatch(r"@media\s+print", prelude):
                continue
            for selectors, declarations in _blocks(body):
                if selectors.startswith("@"):
                    raise ValueError(f"{sheet.name}: {selectors} inside {prelude}: teach restyled_selectors it")
                settings = [d.strip() for d in declarations.split(";") if d.strip()]
                if any(d.split(":")[0].strip().lower().startswith(RESTYLES) and not HIDES.match(d)
                       for d in settings):
                    for selector in selectors.split(","):
                        selector = re.sub(r"::?(before|after|marker|placeholder|first-line|first-letter)\b",
                                          "", selector.strip())
                        if selector not in found:
                            found.append(selector)
    return tuple(found)


@cache
def _restyled() -> tuple[str, ...]:
    return restyled_selectors()


#: the restyled elements that no restyled ancestor already includes, then axe on them
_RUN_ON_RESTYLED = """async ([selectors, options]) => {
  const any = selectors.join(", ");
  const nodes = [...document.querySelectorAll(any)].filter(n => !n.parentElement?.closest(any));
  if (!nodes.length) return [];
  return (await axe.run({include: nodes}, options)).violations;
}"""


def axe_violations(page, *, whole_contrast: bool = True, disabled: tuple[str, ...] = ()) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now. `whole_contrast`: color-contrast
    on the whole page (at the desktop width); otherwise only on the elements @media restyles."""
    if not page.evaluate("typeof axe !== 'undefined'"):  # once per document
        page.evaluate(AXE_SCRIPT)
    rules = {rule: {"enabled": False} for rule in disabled}
    if not whole_contrast:
        rules[CONTRAST] = {"enabled": False}
    violations = page.evaluate("options => axe.run(document, options).then(r => r.violations)",
                               {**WCAG_21_AA, "rules": rules})
    if not whole_contrast and CONTRAST not in disabled and _restyled():
        violations += page.evaluate(_RUN_ON_RESTYLED, [list(_restyled()), {
            "runOnly": {"type": "rule", "values": [CONTRAST]}, "resultTypes": ["violations"]}])
    return violations


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
