"""The site's URLs and one that fails, so a browser test meets the real 500 page (drawn by
the site's ``handler500``)."""

from django.urls import path

from leadership.urls import handler500
from leadership.urls import urlpatterns as site_urlpatterns

__all__ = ["handler500", "urlpatterns"]


def fault(request):
    raise RuntimeError("A fault made on purpose, to show the 500 page.")


urlpatterns = [*site_urlpatterns, path("a-fault/", fault)]
