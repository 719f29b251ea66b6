"""The account pages we use from allauth, and no others: no sign-up (people are invited), no
e-mail management (an administrator changes a login e-mail), no login by code; two-factor
authentication (an authenticator app and recovery codes); single sign-on over OpenID Connect
(its pages answer 404 until it is configured), without connecting accounts by hand."""

from allauth.account import views
from allauth.socialaccount import views as social_views
from django.urls import include, path, re_path

urlpatterns = [
    path("login/", views.login, name="account_login"),
    path("logout/", views.logout, name="account_logout"),
    path("inactive/", views.account_inactive, name="account_inactive"),
    path("reauthenticate/", views.reauthenticate, name="account_reauthenticate"),
    path("password/change/", views.password_change, name="account_change_password"),
    path("password/set/", views.password_set, name="account_set_password"),
    path("password/reset/", views.password_reset, name="account_reset_password"),
    path("password/reset/done/", views.password_reset_done, name="account_reset_password_done"),
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    path(
        "password/reset/key/done/",
        views.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
    path("2fa/", include("allauth.mfa.urls")),
    path("", include("allauth.socialaccount.providers.openid_connect.urls")),
    path(
        "sso/cancelled/",
        social_views.login_cancelled,
        name="socialaccount_login_cancelled",
    ),
    path("sso/error/", social_views.login_error, name="socialaccount_login_error"),
]
