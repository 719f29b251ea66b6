"""Moving through a page with the Tab key, as a keyboard user does, and checking that the
focused element can be seen."""

from playwright.sync_api import Page

# What has focus, whether its focus ring is drawn, and whether it is on screen and not hidden
# under something else. A radio styled as a button (Bootstrap's
# .btn-check) is visually hidden, so its ring is drawn on the label that follows it.
FOCUSED = """() => {
  const el = document.activeElement;
  const shown = el.classList.contains('btn-check') ? el.nextElementSibling : el;
  const style = getComputedStyle(shown);
  const box = shown.getBoundingClientRect();
  const label = el.labels && el.labels.length ? el.labels[0].textContent : '';
  return {
    tag: el.tagName.toLowerCase(),
    type: el.type || '',
    name: el.name || '',
    value: el.value || '',
    text: (el.textContent || label || el.getAttribute('aria-label') || '').trim().slice(0, 60),
    ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    // Something else on top (a sticky bar) must not hide it (WCAG 2.4.11).
    onScreen: box.width > 0 && box.height > 0 && (() => {
      const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
      return top !== null && (shown.contains(top) || top.contains(shown));
    })(),
  };
}"""

MAX_TABS = 300


def focused(page: Page) -> dict:
    """The element with focus, described, with whether its focus indicator is visible."""
    return page.evaluate(FOCUSED)


def tab_to(page: Page, matches, *, seen: list[dict] | None = None) -> dict:
    """Press Tab until the focused element satisfies ``matches``, failing if focus leaves the
    page first; every element passed on the way is appended to ``seen`` so a test can check each
    one showed its focus."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        current = focused(page)
        if seen is not None:
            seen.append(current)
        if matches(current):
            return current
        if current["tag"] == "body":
            raise AssertionError("Tab left the page without reaching the element")
    raise AssertionError(f"Tab never reached the element; last focus: {current}")


def without_visible_focus(seen: list[dict]) -> list[dict]:
    """The elements that took focus without showing it."""
    return [element for element in seen if not (element["ring"] and element["onScreen"])]
