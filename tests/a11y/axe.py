"""axe-core in the browser: what counts as a failure, and a message a person can act on.

axe-core comes from the ``axe-playwright-python`` package (its bundled ``axe.min.js``, MPL-2.0);
Playwright injects it into the page, so nothing is served from the application.
"""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

# WCAG 2.2 AA is what NHS and NZ public-sector sites must meet; axe's best-practice rules run too,
# but only serious and critical findings fail a test.
FAILING_IMPACTS = frozenset({"serious", "critical"})
_AXE = Axe()


def serious_violations(page: Page) -> list[dict]:
    """Run axe-core on the page as it stands and return its serious and critical violations."""
    results = _AXE.run(page)
    return [v for v in results.response["violations"] if v["impact"] in FAILING_IMPACTS]


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
