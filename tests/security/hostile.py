"""Hostile text, and the checks that it was only ever shown as text.

Each payload piece is markup that would act if a page let it through unescaped: htmx attributes
that send a request on load (the issue-19 attack), a ``<meta>`` refresh that leads the reader
away, an attribute break-out into an SVG event handler, and a ``javascript:`` link. Text fields
also get a line break followed by a calendar property, which must not become a line of a
calendar feed or an e-mail header.
"""

from html.parser import HTMLParser

PIECES = (
    '<b hx-get="/" hx-trigger="load">',
    '<meta http-equiv="refresh" content="0;url=//evil.example/">',
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
)
# A line break, then what would be a property of its own in a calendar feed.
NEW_LINE = "\r\nBEGIN:VEVENT\r\nSUMMARY:injected"
# What a page must never contain raw (each is how a piece starts when it is not escaped).
RAW = ('<b hx-get="/"', "<meta http-equiv", "<svg onload")
# The first piece as the page shows it when escaped: proof the payload reached the page.
ESCAPED = "&lt;b hx-get=&quot;/&quot;"
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster"})


def payload(*, max_length: int | None, multiline: bool, start: int = 0, suffix: str = "") -> str:
    """As many pieces as fit in ``max_length`` (starting from piece ``start``, so fields too
    short for all of them still get each piece somewhere), then ``suffix``."""
    budget = (max_length or 10_000) - len(suffix)
    text = ""
    for offset in range(len(PIECES)):
        piece = PIECES[(start + offset) % len(PIECES)]
        if len(text) + len(piece) <= budget:
            text += piece
    if multiline and len(text) + len(NEW_LINE) <= budget:
        text += NEW_LINE
    return text + suffix


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.bad.append(f"<{tag} {name}={value!r}>")


def unescaped(html: str) -> list[str]:
    """What in ``html`` shows the payload acting: raw markup, or a ``javascript:`` URL in an
    attribute that browsers follow."""
    found = [token for token in RAW if token in html]
    parser = _Attributes()
    parser.feed(html)
    parser.close()
    return found + parser.bad
