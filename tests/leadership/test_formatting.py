"""Simple formatting people type (bold, lists, links) shows as formatting, and nothing they
type runs: ``leadership.formatting`` and the ``formatted`` filter."""

from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.urls import reverse

from leadership.formatting import ALLOWED_TAGS, formatted_html
from redesign_projects import services as project_services
from redesign_projects.models import Assignment, Feedback
from tests.redesign_projects.helpers import make_assignment, submit
from tests.security.hostile import PIECES, unescaped


class _Elements(HTMLParser):
    """Every element of a piece of HTML with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def test_bold_lists_and_links_render_as_formatting():
    html = formatted_html(
        "**Clear aim**\n\n- one\n- two\n\nSee [the guide](https://nhs.example/qi)."
    )
    assert "<strong>Clear aim</strong>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert '<a href="https://nhs.example/qi" rel="noopener nofollow">the guide</a>' in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[data](data:text/html;base64,PHNjcmlwdD4=)",
        '<a href="https://evil.example" onclick="x">raw link</a>',
        "<div><iframe src='https://evil.example'></iframe></div>",
        *PIECES,
    ],
)
def test_hostile_input_is_shown_as_text_or_dropped_never_run(hostile):
    html = formatted_html(hostile)
    assert not unescaped(html)
    elements = _Elements()
    elements.feed(html)
    assert {tag for tag, _attrs in elements.found} <= ALLOWED_TAGS
    for _tag, attrs in elements.found:
        assert all(name in ("href", "title", "rel") for name, _value in attrs)
        for name, value in attrs:
            if name == "href":
                assert value.split(":")[0] in ("http", "https", "mailto")


def test_only_http_https_and_mailto_links_keep_their_address():
    html = formatted_html(
        "[a](mailto:office@example.org) [b](ftp://x.example) [c](http://x.example)"
    )
    assert 'href="mailto:office@example.org"' in html and 'href="http://x.example"' in html
    assert "ftp:" not in html


def test_the_filter_renders_formatted_text_in_a_template():
    out = Template("{% load formatting %}{{ text|formatted }}").render(
        Context({"text": "*really* <b>no</b>"})
    )
    assert out == "<p><em>really</em> &lt;b&gt;no&lt;/b&gt;</p>"


@pytest.mark.django_db
def test_released_feedback_shows_its_formatting_on_the_submission_page(
    client, cohort, faculty, participant
):
    assignment = make_assignment(cohort, kind=Assignment.Kind.INDIVIDUAL)
    version = submit(assignment, by=participant, owner=participant)
    project_services.feedback_save(
        submission=version,
        comments="**Strong aim.**\n\n- add a balancing measure\n\n<script>alert(1)</script>",
        decision=Feedback.Decision.ACCEPTED,
        levels={},
        acting_user=faculty,
        release=True,
    )
    client.force_login(participant)
    page = client.get(
        reverse("redesign_projects:submission_detail", args=[version.pk])
    ).content.decode()
    assert "<strong>Strong aim.</strong>" in page and "<li>add a balancing measure</li>" in page
    assert "**" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
