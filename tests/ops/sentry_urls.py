"""A URLconf with a view that fails, for the error-reporting test's subprocess."""

from django.urls import path


def failing_view(request, token):
    raise RuntimeError("the view failed")


urlpatterns = [path("boom/<str:token>/", failing_view, name="boom")]
