"""Single sign-on over OpenID Connect against a stand-in identity provider: a real HTTP server
on loopback with discovery, an authorisation endpoint, a token endpoint that checks the client
secret and the PKCE verifier and returns an RS256-signed ID token, a key set and userinfo.

The Django test client plays the browser; the identity provider's login screen is skipped (it
is the provider's business), so /authorize answers at once for the person the test chose."""

import base64
import hashlib
import http.client
import importlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.messages import get_messages
from django.urls import reverse
from jwt.algorithms import RSAAlgorithm

from leadership.models import AuditEvent, User
from tests.totp import code_for

CLIENT_ID = "leadership-platform"
CLIENT_SECRET = "a-long-client-secret-from-the-idp"
PROVIDER_ID = "hospital"


class StandInIdentityProvider:
    """The parts of an OpenID Connect provider (e.g. Entra ID) that a code flow touches."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.person: dict = {}
        self.grants: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def discovery(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/keys",
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def jwks(self) -> dict:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}

    def authorize(self, query: dict) -> str:
        """The person (``self.person``) has logged in at the provider: send them back."""
        assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
        code = secrets.token_urlsafe(16)
        self.grants[code] = {"person": dict(self.person), **query}
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"

    def token(self, form: dict) -> tuple[int, dict]:
        grant = self.grants.pop(form.get("code", ""), None)
        if (
            grant is None
            or form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != CLIENT_SECRET
            or form.get("redirect_uri") != grant["redirect_uri"]
        ):
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        if challenge.decode() != grant.get("code_challenge"):
            return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        person = grant["person"]
        access_token = secrets.token_urlsafe(24)
        self.tokens[access_token] = person
        now = int(time.time())
        claims = {"iss": self.url, "aud": CLIENT_ID, "iat": now, "exp": now + 300, **person}
        if "nonce" in grant:
            claims["nonce"] = grant["nonce"]
        id_token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})
        return 200, {"access_token": access_token, "token_type": "Bearer", "id_token": id_token}

    def _handler(self):
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802 — http.server's name
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    self._json(200, idp.discovery())
                elif url.path == "/keys":
                    self._json(200, idp.jwks())
                elif url.path == "/authorize":
                    self.send_response(302)
                    self.send_header("Location", idp.authorize(query))
                    self.end_headers()
                elif url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    person = idp.tokens.get(token)
                    self._json(200, person) if person else self._json(401, {})
                else:
                    self._json(404, {})

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if urlsplit(self.path).path == "/token":
                    self._json(*idp.token(form))
                else:
                    self._json(404, {})

        return Handler


@pytest.fixture
def idp(settings):
    with StandInIdentityProvider() as provider:
        settings.SOCIALACCOUNT_PROVIDERS = {
            "openid_connect": {
                "OAUTH_PKCE_ENABLED": True,
                "APPS": [
                    {
                        "provider_id": PROVIDER_ID,
                        "name": "Waitematā Health",
                        "client_id": CLIENT_ID,
                        "secret": CLIENT_SECRET,
                        "settings": {"server_url": provider.url, "verified_email": False},
                    }
                ],
            }
        }
        yield provider


def _sign_on(client, idp, **person):
    """Press "Log in with …", be sent to the provider, and come back with a code."""
    idp.person = {"sub": f"sub-{person.get('email')}", **person}
    start = client.post(reverse("openid_connect_login", kwargs={"provider_id": PROVIDER_ID}))
    assert start.status_code == 302 and start.url.startswith(f"{idp.url}/authorize?")
    authorize = urlsplit(start.url)
    connection = http.client.HTTPConnection(authorize.hostname, authorize.port, timeout=5)
    connection.request("GET", f"{authorize.path}?{authorize.query}")
    back = urlsplit(connection.getresponse().getheader("Location"))
    connection.close()
    assert back.netloc == "testserver"
    return client.get(f"{back.path}?{back.query}")


def _logged_in_as(client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_login_page_offers_single_sign_on_only_when_it_is_configured(client, db, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    assert "Log in with" not in client.get(reverse("account_login")).content.decode()
    assert (
        client.post(
            reverse("openid_connect_login", kwargs={"provider_id": PROVIDER_ID})
        ).status_code
        == 404
    )


def test_an_invited_person_signs_on_with_their_verified_address(client, idp, participant):
    assert "Log in with Waitematā Health" in client.get(reverse("account_login")).content.decode()
    response = _sign_on(client, idp, email="Participant@Example.org", email_verified=True)
    assert response.status_code == 302
    assert _logged_in_as(client) == participant.pk
    assert client.get(reverse("home:participant_home")).status_code == 200
    link = SocialAccount.objects.get(user=participant)
    assert link.uid == "sub-Participant@Example.org"
    login = AuditEvent.objects.get(action="auth.login")
    assert login.changes["methods"] == ["socialaccount"]
    assert AuditEvent.objects.filter(action="auth.sso_linked", person_id=participant.pk).exists()


def test_once_linked_the_provider_account_identifies_the_person(client, idp, participant):
    _sign_on(client, idp, email=participant.email, email_verified=True)
    client.post(reverse("account_logout"))
    idp.person = {}
    # Same subject, a new address at the provider (a change of name): still the same person.
    idp_sub = SocialAccount.objects.get(user=participant).uid
    start = client.post(reverse("openid_connect_login", kwargs={"provider_id": PROVIDER_ID}))
    idp.person = {"sub": idp_sub, "email": "aroha.new@example.org", "email_verified": True}
    authorize = urlsplit(start.url)
    back = urlsplit(idp.authorize({k: v[0] for k, v in parse_qs(authorize.query).items()}))
    client.get(f"{back.path}?{back.query}")
    assert _logged_in_as(client) == participant.pk


def test_an_administrator_still_enters_their_code_after_signing_on(client, idp, administrator):
    response = _sign_on(client, idp, email=administrator.email, email_verified=True)
    assert response.url == reverse("mfa_authenticate")
    assert _logged_in_as(client) is None
    client.post(reverse("mfa_authenticate"), {"code": code_for(administrator)})
    assert _logged_in_as(client) == administrator.pk
    assert AuditEvent.objects.get(action="auth.login").changes["methods"] == [
        "socialaccount",
        "mfa",
    ]


def test_an_address_nobody_was_invited_at_is_refused_and_no_account_is_made(
    client, idp, participant
):
    people = User.objects.count()
    response = _sign_on(client, idp, email="stranger@example.org", email_verified=True)
    assert response.url == reverse("account_login")
    assert _logged_in_as(client) is None
    assert User.objects.count() == people
    assert not SocialAccount.objects.exists()
    page = client.get(response.url)
    assert "stranger@example.org has no account here" in page.content.decode()


def test_an_unverified_address_is_refused_even_for_an_invited_person(client, idp, participant):
    response = _sign_on(client, idp, email=participant.email, email_verified=False)
    assert response.url == reverse("account_login")
    assert _logged_in_as(client) is None
    assert not SocialAccount.objects.exists()
    assert any("did not confirm your e-mail address" in m for m in _messages(response))


def test_a_provider_that_sends_no_verified_flag_can_vouch_for_its_domains(
    client, idp, participant, settings
):
    app = settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"][0]
    app["settings"]["verified_email"] = ["example.org"]
    _sign_on(client, idp, email=participant.email)  # no email_verified claim, as Entra ID
    assert _logged_in_as(client) == participant.pk
    client.post(reverse("account_logout"))
    app["settings"]["verified_email"] = ["hospital.example.nz"]
    SocialAccount.objects.all().delete()
    _sign_on(client, idp, email=participant.email)
    assert _logged_in_as(client) is None


def test_a_deactivated_account_cannot_sign_on(client, idp, participant):
    participant.is_active = False
    participant.save()
    _sign_on(client, idp, email=participant.email, email_verified=True)
    assert _logged_in_as(client) is None
    assert not SocialAccount.objects.exists()


def test_the_provider_is_configured_from_the_environment_only(monkeypatch):
    import leadership.settings as project_settings

    try:
        monkeypatch.setenv("OIDC_SERVER_URL", "https://login.microsoftonline.com/tenant/v2.0")
        monkeypatch.setenv("OIDC_CLIENT_ID", "client")
        monkeypatch.setenv("OIDC_CLIENT_SECRET", "secret")
        monkeypatch.setenv("OIDC_PROVIDER_NAME", "Te Whatu Ora")
        monkeypatch.setenv("OIDC_VERIFIED_EMAIL_DOMAINS", "tewhatuora.govt.nz,health.nz")
        configured = importlib.reload(project_settings).SOCIALACCOUNT_PROVIDERS
        for name in ("OIDC_SERVER_URL", "OIDC_CLIENT_ID"):
            monkeypatch.delenv(name)
        unconfigured = importlib.reload(project_settings).SOCIALACCOUNT_PROVIDERS
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)
    (app,) = configured["openid_connect"]["APPS"]
    assert app["name"] == "Te Whatu Ora" and app["client_id"] == "client"
    assert app["settings"] == {
        "server_url": "https://login.microsoftonline.com/tenant/v2.0",
        "verified_email": ["tewhatuora.govt.nz", "health.nz"],
    }
    assert unconfigured["openid_connect"]["APPS"] == []


def test_the_provider_comes_from_settings_only_and_the_login_page_reads_no_table(
    client, db, settings, django_assert_num_queries
):
    """A SocialApp row (allauth's admin could add one) is not a way to add a provider: single
    sign-on is configured by the environment, and the login page queries nothing for it."""
    SocialApp.objects.create(provider="openid_connect", provider_id="rogue", name="Rogue IdP")
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    with django_assert_num_queries(0):
        page = client.get(reverse("account_login")).content.decode()
    assert "Rogue" not in page and "Log in with" not in page
