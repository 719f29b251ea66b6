"""htmx acts only on the elements we wrote (issue 19).

Text people type is escaped everywhere (``tests/security/test_injection_walk.py`` walks every
page with hostile text in every field). Should an escaping mistake ever let markup through,
htmx would otherwise make it act: ``<b hx-post=… hx-trigger=load>`` inside a form posts that
form, CSRF token and all, as whoever is looking. So:

* ``{% htmx_config %}`` writes the page's htmx configuration as the first
  ``<meta name="htmx-config">`` of the document (in ``<head>``): htmx reads the first one it
  finds, so a ``<meta>`` in body content cannot change it. It turns off everything that runs
  text as code (``allowEval``: ``hx-on``, ``js:`` values, trigger filters; ``allowScriptTags``),
  keeps requests on our own origin (``selfRequestsOnly``), keeps no copies of pages in the
  browser's storage (``historyCacheSize``), adds no inline ``<style>``, and disables every
  element that would make a request (``hx-get`` … ``hx-boost``) unless it carries this viewer's
  mark.
* ``{% htmx_mark %}`` is that mark, written as ``data-htmx-mark`` on each element of ours that
  uses htmx. It is a keyed hash of who is viewing (their account, else their session), the same
  on a page and on the fragments htmx loads into it, and unknown to anyone who can only store
  text for others to see.
* Regions that show markup people wrote (the sanitised Markdown of a brief) and the messages
  that repeat their words also carry ``hx-disable``, which htmx honours for everything inside.
"""

import json

from django import template
from django.utils.crypto import salted_hmac
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

# Attributes that make htmx send a request (hx-boost turns links and forms below it into ones).
REQUEST_ATTRIBUTES = ("hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete", "hx-boost")


def htmx_mark_for(request) -> str:
    """The mark of the person viewing: the same for every response they get, different for
    everyone else, and not derivable without the secret key."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        who = f"user:{user.pk}"
    else:
        session = getattr(request, "session", None)
        who = f"session:{getattr(session, 'session_key', None) or 'none'}"
    return salted_hmac("leadership.htmx-mark", who).hexdigest()[:32]


def htmx_settings(mark: str) -> dict:
    """The htmx configuration for a viewer with ``mark``."""
    unmarked = ", ".join(
        f'[{prefix}{attribute}]:not([data-htmx-mark="{mark}"])'
        for attribute in REQUEST_ATTRIBUTES
        for prefix in ("", "data-")
    )
    return {
        "allowEval": False,
        "allowScriptTags": False,
        "selfRequestsOnly": True,
        "historyCacheSize": 0,
        "includeIndicatorStyles": False,
        "disableSelector": f"[hx-disable], [data-hx-disable], {unmarked}",
    }


@register.simple_tag(takes_context=True)
def htmx_config(context) -> SafeString:
    """The ``<meta name="htmx-config">`` for this response (put it first in ``<head>``)."""
    settings = htmx_settings(htmx_mark_for(context["request"]))
    return format_html('<meta name="htmx-config" content="{}">', json.dumps(settings))


@register.simple_tag(takes_context=True)
def htmx_mark(context) -> str:
    """The viewer's mark, for ``data-htmx-mark="{% htmx_mark %}"`` on our htmx elements."""
    return htmx_mark_for(context["request"])
