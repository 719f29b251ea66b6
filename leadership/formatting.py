"""Text people type with simple formatting (Markdown: **bold**, *italics*, lists, links),
shown as formatting and never as HTML they wrote.

Two locks, each enough on its own: Markdown is run with its raw-HTML handling removed, so
anything typed as HTML is shown as the characters typed; and the HTML Markdown makes is then
cleaned by nh3 (an allow-list sanitiser) to a handful of tags, links only to http, https and
mailto addresses, each with ``rel="noopener nofollow"``. That is what makes marking the result
safe sound (``leadership.templatetags.formatting``)."""

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "code", "pre", "blockquote"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "hr"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener nofollow"


def _markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=["sane_lists"], output_format="html")
    # Raw HTML (blocks and inline tags) is then treated as text, escaped like any other.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def formatted_html(text: str) -> SafeString:
    """``text`` (Markdown) as sanitised HTML, safe to put in a page, an e-mail or a PDF."""
    html = _markdown().convert(text or "")
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
    )
    return mark_safe(clean)  # noqa: S308 - cleaned by nh3 just above
