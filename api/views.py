"""Pages for the programme administrator's API tokens and the API's documentation. Each view:
access → form → service → redirect."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from cohorts.selectors import get_programme_for_user
from cohorts.shortcuts import render
from leadership.forms import add_service_errors

from . import selectors, services
from .forms import ApiTokenForm


@login_required
def token_list(request, programme_id):
    """The programme's API tokens (never the tokens themselves: only their first characters),
    with a button to create one and to revoke each. The programme's administrators only."""
    programme = get_programme_for_user(request.user, programme_id)
    return render(
        request,
        "api/token_list.html",
        {"programme": programme, "tokens": selectors.tokens_of_programme(programme)},
    )


@login_required
def token_create(request, programme_id):
    """Create a token and show it, once: the page that shows it is the POST's answer, not a
    page one can come back to."""
    programme = get_programme_for_user(request.user, programme_id)
    form = ApiTokenForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.api_token_create(
                programme=programme, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            response = render(
                request,
                "api/token_created.html",
                {"programme": programme, "token": token, "raw": raw},
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "api/token_create.html", {"programme": programme, "form": form})


@login_required
@require_POST
def token_revoke(request, token_id):
    """Revoke a token at once: requests with it are refused from now on."""
    token = selectors.get_token_for_user(request.user, token_id)
    services.api_token_revoke(token=token, acting_user=request.user)
    messages.success(request, f"Revoked “{token.name}”: it no longer works.")
    return redirect("api:token_list", programme_id=token.programme_id)


def documentation(request):
    """How to use the API: tokens, curl, Power BI, the schema. Public, like any API's docs."""
    return render(
        request,
        "api/documentation.html",
        {"requests_per_minute": settings.API_REQUESTS_PER_MINUTE},
    )
