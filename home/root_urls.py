"""The site root, named plainly "home" (everything else of home is under the home: namespace)."""

from django.urls import path

from . import views

urlpatterns = [path("", views.home, name="home")]
