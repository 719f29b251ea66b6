"""Every page of the permission walk (the table in ``tests/permission_table.py``) that a persona
may open, and what is on it: its links, its forms and its error summary, read from the HTML as
a browser would read them."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.test import Client
from django.urls import reverse

from tests.permission_table import PERSONAS, World, full_table


@dataclass
class Form:
    method: str
    action: str
    # name → value of what the form sends as it stands: hidden inputs, checked boxes, the
    # selected option, typed text.
    values: dict[str, str] = field(default_factory=dict)
    # names of the controls a person fills in (not hidden)
    visible: set[str] = field(default_factory=set)


@dataclass
class Page:
    persona: str
    url: str
    links: list[str] = field(default_factory=list)  # hrefs inside <main>, in order
    breadcrumbs: list[str] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)  # forms inside <main>


class _Reader(HTMLParser):
    def __init__(self, page: Page):
        super().__init__()
        self.page = page
        self.in_main = False
        self.in_breadcrumb = False
        self.form: Form | None = None
        self.select: str | None = None
        self.select_first: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "main":
            self.in_main = True
        elif tag == "nav" and attrs.get("aria-label") == "Breadcrumb":
            self.in_breadcrumb = True
        if not self.in_main:
            return
        if tag == "option" and self.select and self.form is not None:
            if self.select_first is None:
                self.select_first = attrs.get("value", "")
            if "selected" in attrs:
                self.form.values[self.select] = attrs.get("value", "")
        elif tag == "a" and attrs.get("href"):
            self.page.links.append(attrs["href"])
            if self.in_breadcrumb:
                self.page.breadcrumbs.append(attrs["href"])
        elif tag == "form":
            self.form = Form(
                method=attrs.get("method", "get").lower(),
                action=attrs.get("action") or self.page.url,
            )
            self.page.forms.append(self.form)
        elif self.form is None or not attrs.get("name"):
            return
        elif tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind != "hidden":
                self.form.visible.add(attrs["name"])
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.form.values[attrs["name"]] = attrs.get("value", "on" if kind == "checkbox" else "")
        elif tag == "select":
            self.select, self.select_first = attrs["name"], None
            self.form.visible.add(attrs["name"])
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.form.visible.add(attrs["name"])
            self.form.values[attrs["name"]] = ""

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self.textarea and self.form is not None:
            self.form.values[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main = False
        elif tag == "nav":
            self.in_breadcrumb = False
        elif tag == "form":
            self.form = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            if self.select and self.form is not None and self.select not in self.form.values:
                self.form.values[self.select] = self.select_first or ""
            self.select = None


def read(persona: str, url: str, html: str) -> Page:
    page = Page(persona=persona, url=url)
    reader = _Reader(page)
    reader.feed(html)
    return page


def same_site_path(href: str) -> str | None:
    """The path (and query) of a link to this site, or None for another site, a fragment,
    mailto: and the like."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def clients(personas) -> dict[str, Client]:
    """One logged-in client per persona (and one for nobody)."""
    made = {}
    for persona in PERSONAS:
        client = Client()
        if personas[persona] is not None:
            client.force_login(personas[persona])
        made[persona] = client
    return made


def pages_of_the_walk(cohort, other_cohort, personas, by: dict[str, Client]) -> Iterator[Page]:
    """Each (URL, persona) the permission table says answers a GET with 200 and HTML."""
    world = World(cohort, other_cohort, personas)
    for name, expect in sorted(full_table().items()):
        if not expect.get:
            continue
        url = reverse(name, kwargs=expect.kwargs(world))
        for persona, status in expect.get.items():
            if status != 200:
                continue
            response = by[persona].get(url)
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            yield read(persona, url, response.content.decode())


@dataclass
class ErrorSummary:
    """What a page shows of ``templates/_error_summary.html``, and every id on the page."""

    title: str = ""
    attrs: dict[str, str] | None = None  # the summary's own attributes; None when absent
    items: int = 0
    targets: list[str] = field(default_factory=list)  # the fragment of each link
    ids: set[str] = field(default_factory=set)


class _SummaryReader(HTMLParser):
    def __init__(self, found: ErrorSummary):
        super().__init__()
        self.found = found
        self.depth = 0  # open <div>s inside the summary
        self.in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if attrs.get("id"):
            self.found.ids.add(attrs["id"])
        if tag == "title":
            self.in_title = True
        if self.depth:
            self.depth += tag == "div"
            self.found.items += tag == "li"
            if tag == "a" and attrs.get("href", "").startswith("#"):
                self.found.targets.append(attrs["href"][1:])
        elif tag == "div" and attrs.get("id") == "error-summary":
            self.found.attrs = attrs
            self.depth = 1

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if self.depth and tag == "div":
            self.depth -= 1

    def handle_data(self, data):
        if self.in_title:
            self.found.title += data


def error_summary(html: str) -> ErrorSummary:
    found = ErrorSummary()
    _SummaryReader(found).feed(html)
    return found
