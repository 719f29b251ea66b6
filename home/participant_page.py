"""The body of a participant's start page, rendered with Jinja2 rather than Django's template
language.

The start page is the busiest page of the site and its body is some fifteen sections of
conditions and short lists: Django's template language spent about 1.4 ms of CPU a request
walking them (more than the page's query), where Jinja2, which compiles a template to Python
once, spends a fraction of that (bench/production_shape.py). The page around the body (the
navigation, messages, the footer) stays the project's ``base.html``; only this body is Jinja2,
in ``templates/home/participant_home_body.jinja``.

The environment escapes everything (``autoescape``), fails on a name the template misspells
(``StrictUndefined``) and offers what the body uses of Django: ``date`` (Django's formats, on
times already in the zone they are shown in, as ``{% localtime off %}`` did), ``linebreaksbr``
and ``url``."""

import functools

import jinja2
from django.conf import settings
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import dates
from django.utils.safestring import SafeString, mark_safe
from markupsafe import Markup

from leadership.links import link

# What the body's dates are written with: Django's format characters, each read straight off
# the value (``django.utils.dateformat`` builds a formatter object and splits the format string
# on every call: half of this body's time). Names come translated, as Django's do.
_FORMAT_CHARACTERS = {
    "j": lambda value: str(value.day),
    "l": lambda value: str(dates.WEEKDAYS[value.weekday()]),
    "F": lambda value: str(dates.MONTHS[value.month]),
    "M": lambda value: str(dates.MONTHS_3[value.month]).title(),
    "Y": lambda value: f"{value.year:04d}",
    "H": lambda value: f"{value.hour:02d}",
    "i": lambda value: f"{value.minute:02d}",
}


@functools.lru_cache(maxsize=32)
def _compiled(format_string: str) -> tuple:
    """``format_string`` as a tuple of literal text and functions of the value. Only the
    characters above (and punctuation and spaces) are allowed: anything else is an error here,
    not a silently different date."""
    pieces: list = []
    for character in format_string:
        if character in _FORMAT_CHARACTERS:
            pieces.append(_FORMAT_CHARACTERS[character])
        elif character.isalpha() or character == "\\":
            raise ValueError(f"The format character {character!r} is not supported here.")
        else:
            pieces.append(character)
    return tuple(pieces)


def _date(value, format_string: str) -> str:
    """Django's ``date`` filter, for the formats the body uses: nothing for no date, and the
    value's own zone (it comes in the zone it is shown in), not the request's."""
    if value in (None, ""):
        return ""
    return "".join(
        piece if isinstance(piece, str) else piece(value) for piece in _compiled(format_string)
    )


def _linebreaksbr(value) -> Markup:
    # Django's filter escapes the text and returns its own safe string: tell Jinja2 it is safe.
    return Markup(linebreaksbr(value, autoescape=True))  # noqa: S704  # nosec B704 — escaped by Django


def _url(name: str, *args) -> str:
    # Routes that take ids (or none) are reversed once per process (leadership/links.py).
    if all(isinstance(arg, int) for arg in args):
        return link(name, *args)
    return reverse(name, args=args)


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(settings.BASE_DIR / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=settings.DEBUG,
        keep_trailing_newline=True,
    )
    environment.filters["date"] = _date
    environment.filters["linebreaksbr"] = _linebreaksbr
    environment.globals["url"] = _url
    return environment


def participant_page_body(todo) -> SafeString:
    """The page's body for ``todo`` (``home.selectors.participant_to_do``), as safe HTML."""
    template = _environment().get_template("home/participant_home_body.jinja")
    return mark_safe(template.render(todo=todo))  # noqa: S308  # nosec B308 B703 — Jinja2 escaped every value
