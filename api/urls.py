from django.urls import path

from . import views
from .endpoints import api

app_name = "api"

urlpatterns = [
    path("docs/", views.documentation, name="documentation"),
    path("tokens/programme/<int:programme_id>/", views.token_list, name="token_list"),
    path("tokens/programme/<int:programme_id>/new/", views.token_create, name="token_create"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    *api.urls[0],
]
