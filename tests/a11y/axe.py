"""axe-core in the browser: what counts as a failure, and a message a person can act on.

axe-core comes from the ``axe-playwright-python`` package (its bundled ``axe.min.js``, MPL-2.0);
Playwright injects it into the page, so nothing is served from the application. It is injected
once per loaded page, so checking a page at two widths costs one injection.
"""

from pathlib import Path

import axe_playwright_python
from playwright.sync_api import Page

AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
# The rules of WCAG 2.2 levels A and AA, what NHS and NZ public-sector sites must meet.
WCAG_22_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
# Beyond WCAG, axe's best-practice rules fail a test only when serious or critical.
FAILING_IMPACTS = frozenset({"serious", "critical"})

_RUN = """async (tags) => {
  const options = {resultTypes: ['violations'], elementRef: false};
  if (tags) options.runOnly = {type: 'tag', values: tags};
  const results = await axe.run(document, options);
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, tags: v.tags,
    nodes: v.nodes.map((n) => ({target: n.target})),
  }));
}"""


def _run(page: Page, tags: tuple[str, ...] | None) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    return page.evaluate(_RUN, list(tags) if tags else None)


def page_violations(page: Page) -> list[dict]:
    """What fails a page: any violation of a WCAG 2.2 A or AA rule, whatever its impact, and a
    serious or critical one of axe's best practices. One run of axe."""
    return [
        v
        for v in _run(page, (*WCAG_22_AA, "best-practice"))
        if v["impact"] in FAILING_IMPACTS or any(tag in WCAG_22_AA for tag in v["tags"])
    ]


def serious_violations(page: Page) -> list[dict]:
    """Run every axe-core rule on the page as it stands and return its serious and critical
    violations."""
    return [v for v in _run(page, None) if v["impact"] in FAILING_IMPACTS]


def describe(violations: list[dict]) -> str:
    """One line per failing rule with the first few offending elements, for assertion messages."""
    lines = []
    for violation in violations:
        targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        lines.append(
            f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])}×): "
            f"{violation['help']} — {targets}"
        )
    return "\n".join(lines)
