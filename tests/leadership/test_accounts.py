import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.middleware import SessionMiddleware
from django.core import mail
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.exceptions import ValidationError
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from leadership.accounts import LoginForm
from leadership.models import AuditEvent, User
from tests.conftest import PASSWORD
from tests.totp import code_for

ROOT = Path(__file__).resolve().parents[2]


def _login(client, email, password=PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def test_a_person_logs_in_with_their_email_in_any_case(client, participant):
    response = _login(client, "PARTICIPANT@Example.org")
    assert response.status_code == 302
    assert client.get(reverse("home")).url == reverse("home:participant_home")


def test_an_administrator_logs_in_with_their_email_in_any_case_and_a_code(client, administrator):
    assert _login(client, "ADMIN@Example.org").url == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": code_for(administrator)})
    assert client.get(reverse("home")).url == reverse("home:office_home")


def test_a_wrong_password_is_refused_with_a_message_and_no_session(client, participant):
    response = _login(client, participant.email, "not-the-password")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failed_logins_for_one_account_are_throttled(client, participant):
    for _ in range(5):
        _login(client, participant.email, "guessing-the-password")
    response = _login(client, participant.email, PASSWORD)
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_the_throttle_counts_failures_for_one_address_from_every_browser_and_address(
    participant,
):
    """Five failures for one address in five minutes, spread over browsers (separate
    sessions) and network addresses, lock that address; another person is unaffected."""
    for n in range(5):
        _login(Client(), participant.email, "guessing", REMOTE_ADDR=f"10.0.0.{n}")
    fresh = Client()
    response = _login(fresh, participant.email, PASSWORD, REMOTE_ADDR="10.9.9.9")
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in fresh.session


def test_the_throttle_is_kept_in_the_database_cache(participant):
    assert isinstance(caches["default"], DatabaseCache)
    for _ in range(2):
        _login(Client(), participant.email, "guessing")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM leadership_cache WHERE cache_key LIKE %s", ["%rl:%"])
        assert cursor.fetchone()[0] >= 1


THROTTLED_ELSEWHERE = """
import json, django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client(REMOTE_ADDR="10.8.8.8")
response = client.post("/accounts/login/", {"login": "participant@example.org",
                                            "password": "correct-horse-battery"})
print(json.dumps({"logged_in": "_auth_user_id" in client.session,
                  "throttled": "Too many failed login attempts" in response.content.decode()}))
"""


@pytest.mark.django_db(transaction=True)
def test_another_process_sees_the_throttle_and_needs_no_redis(participant):
    """Failures counted here lock the address for a second web process (a separate Python
    process with its own database connection), whose Celery broker points at a closed port,
    as when Redis is down."""
    for _ in range(5):
        _login(Client(), participant.email, "guessing", REMOTE_ADDR="10.0.0.1")
    database = connection.settings_dict
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
        "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",
        "CELERY_RESULT_BACKEND": "redis://127.0.0.1:1/1",
        "PRIVATE_MEDIA_ROOT": "/tmp/leadership-test-private",
    }
    result = subprocess.run(
        [sys.executable, "-c", THROTTLED_ELSEWHERE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "logged_in": False,
        "throttled": True,
    }


def _errors(response) -> list[str]:
    return response.context["form"].non_field_errors()


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(client, participant):
    known = _login(client, participant.email, "not-the-password")
    unknown = _login(client, "nobody@example.org", "not-the-password")
    assert known.status_code == unknown.status_code == 200
    assert _errors(known) == _errors(unknown)
    assert _errors(known) == ["The email address and/or password you specified are not correct."]


def test_the_throttle_answers_the_same_for_known_and_unknown_addresses(client, participant):
    answers = []
    for email in (participant.email, "nobody@example.org"):
        for _ in range(5):
            _login(client, email, "guessing")
        answers.append(_errors(_login(client, email, "guessing")))
    assert answers[0] == answers[1]
    assert "Too many failed login attempts" in answers[0][0]


def test_a_reset_answers_the_same_for_known_and_unknown_addresses(client, participant):
    known = client.post(reverse("account_reset_password"), {"email": participant.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert len(mail.outbox) == 1  # only the real person gets an e-mail


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:8000"])
def test_a_reset_link_is_built_from_site_url_whatever_host_the_request_names(
    client, participant, settings, host
):
    """The person asking picks the Host header (here, hosts the site answers to); the link
    mailed to the account's owner still leads only to SITE_URL."""
    settings.SITE_URL = "https://leadership.example.org"
    client.post(reverse("account_reset_password"), {"email": participant.email}, HTTP_HOST=host)
    (message,) = mail.outbox
    links = re.findall(r"https?://[^\s]+", message.body)
    assert links and all(
        link.startswith("https://leadership.example.org/accounts/password/reset/key/")
        for link in links
    ), links
    assert host.split(":")[0] not in message.body
    assert "leadership.example.org" in message.body  # the site named in the message, too
    path = "/" + links[0].split("://", 1)[1].split("/", 1)[1]
    assert client.get(path, follow=True).context["action_url"]  # the set-password form


def test_logins_and_failed_logins_are_audited(client, participant):
    _login(client, "nobody@example.org", "guessing", REMOTE_ADDR="10.1.2.3")
    _login(client, participant.email, "guessing", REMOTE_ADDR="10.1.2.3")
    _login(client, participant.email, PASSWORD, REMOTE_ADDR="10.1.2.3")
    client.post(reverse("account_logout"), REMOTE_ADDR="10.1.2.3")
    events = list(
        AuditEvent.objects.filter(action__startswith="auth.")
        .order_by("id")
        .values_list("action", "person_id", "changes")
    )
    assert events == [
        ("auth.login_failed", None, {"email": "nobody@example.org", "ip": "10.1.2.3"}),
        ("auth.login_failed", participant.pk, {"email": participant.email, "ip": "10.1.2.3"}),
        ("auth.login", participant.pk, {"methods": ["password"], "ip": "10.1.2.3"}),
        ("auth.logout", participant.pk, {"ip": "10.1.2.3"}),
    ]
    assert "guessing" not in str(AuditEvent.objects.values_list("changes", flat=True))


@pytest.mark.parametrize(
    "password", ["kea-flies-over-ruapehu", "alllowercaseletters", "WINTER SUNRISE COFFEE"]
)
def test_any_long_uncommon_password_is_accepted_without_composition_rules(password, db):
    validate_password(password)


@pytest.mark.parametrize(
    ("password", "reason"),
    [("elevenchars", "at least 12 characters"), ("password1234", "too common")],
)
def test_short_or_common_passwords_are_refused(password, reason, db):
    with pytest.raises(ValidationError, match=reason):
        validate_password(password)


# --- passwords made of the person's name (issue 19) ---------------------------------------------

AROHA = {"first_name": "Aroha", "last_name": "Ngata", "email": "aroha.n@example.org"}


@pytest.mark.parametrize(
    "password",
    [
        "Aroha Ngata 1",  # both names, apart
        "ngataaroha12",  # run together, last name first
        "ArohaNgata2026!",
        "aroha-aroha-aroha",  # one part, repeated
        "atagn ahora 1234",  # backwards
        "Ngata, Aroha 99",
        "Ngātaaroha-2026",  # with a macron
        "arohangatta77",  # close to the names run together
    ],
)
def test_passwords_made_of_the_persons_name_are_refused(password):
    with pytest.raises(ValidationError, match="too close to your name"):
        validate_password(password, user=User(**AROHA))


@pytest.mark.parametrize("password", ["kea-flies-over-ruapehu", "aroha-means-love-and-kea"])
def test_a_password_that_only_contains_a_name_among_other_words_is_accepted(password, db):
    validate_password(password, user=User(**AROHA))


def test_changing_to_a_password_made_of_your_name_is_refused_on_the_page(client, participant):
    participant.last_name = "Ngata"
    participant.save()
    client.force_login(participant)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "ngataaroha12", "password2": "ngataaroha12"},
    )
    assert response.status_code == 200
    assert "This password is too close to your name." in response.content.decode()
    participant.refresh_from_db()
    assert participant.check_password(PASSWORD)


@pytest.mark.django_db
def test_nobody_can_sign_themselves_up(client):
    assert client.get("/accounts/signup/").status_code == 404


def test_logging_out_takes_a_post(client, participant):
    client.force_login(participant)
    client.get(reverse("account_logout"))
    assert "_auth_user_id" in client.session
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_a_password_reset_sets_a_new_password_of_twelve_or_more_uncommon_characters(
    client, participant
):
    client.post(reverse("account_reset_password"), {"email": participant.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    action = form_page.context["action_url"]

    too_short = client.post(action, {"password1": "short-pw", "password2": "short-pw"})
    assert "at least 12 characters" in too_short.content.decode()
    common = client.post(action, {"password1": "password1234", "password2": "password1234"})
    assert "too common" in common.content.decode()

    strong = "kea-flies-over-ruapehu"
    done = client.post(action, {"password1": strong, "password2": strong})
    assert done.status_code == 302
    participant.refresh_from_db()
    assert participant.check_password(strong)


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_done")
    assert mail.outbox == []


class _Markup(HTMLParser):
    """Tags with their attributes (sorted, classes as a set) and the text between them, so
    two renderings compare equal whatever their whitespace and attribute order."""

    def __init__(self):
        super().__init__()
        self.items: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "class" in attrs:
            attrs["class"] = " ".join(sorted(attrs["class"].split()))
        self.items.append((tag, tuple(sorted(attrs.items()))))

    def handle_endtag(self, tag):
        self.items.append(("/" + tag,))

    def handle_data(self, data):
        if data.strip():
            self.items.append(("text", " ".join(data.split())))


def _markup(html: str) -> list[tuple]:
    parser = _Markup()
    parser.feed(html)
    return parser.items


@pytest.mark.parametrize(
    "data",
    [None, {"login": "<b>x", "password": ""}, {"login": "someone@example.org", "password": "x"}],
)
def test_the_login_pages_own_fields_are_what_crispy_would_render(rf, db, data):
    """The login page writes its two fields out by hand instead of ``{{ form|crispy }}`` (half
    of the most requested page's time): the markup must stay what crispy gives every other
    form, unbound, with field errors and with the form's own error."""
    request = rf.post("/accounts/login/", data) if data else rf.get("/accounts/login/")
    SessionMiddleware(lambda r: None).process_request(request)
    form = LoginForm(data=data, request=request)
    if data:
        form.is_valid()
    context = {"form": form}
    by_hand = Template('{% include "account/_login_fields.html" %}').render(Context(context))
    crispy = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context(context))
    assert _markup(by_hand) == _markup(crispy)
