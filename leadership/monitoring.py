"""Error reporting to Sentry (or a service that speaks its protocol), off unless ``SENTRY_DSN``
is set (leadership/settings.py calls ``init_sentry`` then).

The people in this product are clinicians and their work is about patients' care, so an error
report carries the exception, the stack and the route — and nothing a person typed or that
identifies them: no user, IP address, cookies or headers (``send_default_pii=False``), no
request body (submission text, feedback), no local variables of the stack frames, no query
string, and the URL as its route pattern, since some paths hold signed tokens.
"""

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.types import Event, Hint


def scrub(event: Event, hint: Hint) -> Event:
    """``before_send``: keep the request's method and route; drop everything else it holds."""
    request = event.get("request")
    if request:
        for key in ("data", "query_string", "cookies", "headers", "env"):
            request.pop(key, None)
        if event.get("transaction"):
            request["url"] = event["transaction"]
        else:
            request.pop("url", None)
    event.pop("user", None)
    return event


def init_sentry(
    *, dsn: str, environment: str, release: str | None, traces_sample_rate: float
) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration(transaction_style="url"), CeleryIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        before_send=scrub,
        traces_sample_rate=traces_sample_rate,
    )
