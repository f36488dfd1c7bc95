"""SMTP_URL and the other mail settings: parsed as documented, the password never shown."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from infra.mail_settings import MailSettings, MailSettingsError

PASSWORD = "Hemmelig-Passord-42"


def settings(**env: str) -> MailSettings:
    return MailSettings.from_env(env)


def test_unset_is_the_local_development_server():
    s = settings()
    assert (s.host, s.port, s.tls, s.username, s.password, s.embedded) == ("127.0.0.1", 8025, "none", None, None, True)
    assert (s.from_address, s.public_url) == ("vaktfordeling@localhost", "http://127.0.0.1:8000")
    assert settings(VAKT_DEV_SMTP_PORT="2525").port == 2525
    assert s.describe() == "smtp://127.0.0.1:8025 (the local development server)"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"smtp://vakt:{PASSWORD}@smtp.example.no:587?tls=starttls", ("smtp.example.no", 587, "starttls", "vakt")),
        (f"smtp://vakt:{PASSWORD}@smtp.example.no", ("smtp.example.no", 587, "starttls", "vakt")),  # a user: STARTTLS
        (f"smtps://vakt:{PASSWORD}@smtp.example.no", ("smtp.example.no", 465, "tls", "vakt")),
        (f"smtps://vakt:{PASSWORD}@smtp.example.no:2465", ("smtp.example.no", 2465, "tls", "vakt")),
        ("smtp://localhost:8025", ("localhost", 8025, "none", None)),
        ("smtp://relay.internal", ("relay.internal", 25, "none", None)),
        (f"smtp://vakt:{PASSWORD}@relay.internal:25?tls=none", ("relay.internal", 25, "none", "vakt")),
        ("smtp://v%40kt:p%3Aw@[::1]:25?tls=starttls&timeout=5", ("::1", 25, "starttls", "v@kt")),
    ],
)
def test_smtp_url_forms(url, expected):
    s = settings(SMTP_URL=url)
    assert (s.host, s.port, s.tls, s.username) == expected
    assert not s.embedded


def test_user_and_password_are_percent_decoded_and_the_timeout_read():
    s = settings(SMTP_URL="smtp://v%40kt:p%3Aw%2F%40@h:25?tls=starttls&timeout=5")
    assert s.username == "v@kt" and s.password.get_secret_value() == "p:w/@" and s.timeout == 5.0


def test_the_password_is_never_shown():
    s = settings(SMTP_URL=f"smtp://vakt:{PASSWORD}@smtp.example.no:587?tls=starttls", VAKT_MAIL_FROM="vakt@example.no")
    console = Console(file=io.StringIO(), width=200)
    console.print(s)
    console.print({"mail": s})
    shown = [repr(s), str(s), f"{s}", s.redacted_url(), s.describe(), s.model_dump_json(), str(s.model_dump()),
             console.file.getvalue()]
    for text in shown:
        assert PASSWORD not in text, text
    assert s.redacted_url() == "smtp://vakt:***@smtp.example.no:587?tls=starttls"
    assert repr(s) == (
        "MailSettings('smtp://vakt:***@smtp.example.no:587?tls=starttls', from='vakt@example.no', "
        "public_url='http://127.0.0.1:8000')"
    )


@pytest.mark.parametrize(
    ("url", "why"),
    [
        (f"http://vakt:{PASSWORD}@smtp.example.no", "the scheme must be smtp or smtps"),
        (f"smtp://vakt:{PASSWORD}@smtp.example.no:port", "the host or port cannot be read"),
        (f"smtp://vakt:{PASSWORD}@smtp.example.no:99999", "the host or port cannot be read"),
        (f"smtp://vakt:{PASSWORD}@", "no host"),
        (f"smtp://vakt:{PASSWORD}@smtp.example.no/inbox", "a path or fragment is not allowed"),
        (f"smtp://:{PASSWORD}@smtp.example.no", "a password needs a user"),
        (f"smtp://vakt:{PASSWORD}@smtp.example.no?tls=maybe", "tls must be starttls or none"),
        (f"smtps://vakt:{PASSWORD}@smtp.example.no?tls=starttls", "smtps:// is TLS from the start"),
        (f"smtp://vakt:{PASSWORD}@smtp.example.no?verify=no", "unknown parameter 'verify'"),
        (f"smtp://vakt:{PASSWORD}@smtp.example.no?tls=none&tls=starttls", "parameter 'tls' given twice"),
        (f"smtp://vakt:{PASSWORD}@smtp.example.no?timeout=soon", "timeout must be a number"),
        (f"smtp://vakt:{PASSWORD}@smtp.example.no?timeout=0", "timeout must be between"),
    ],
)
def test_a_malformed_smtp_url_is_named_never_shown(url, why):
    with pytest.raises(MailSettingsError) as e:
        settings(SMTP_URL=url)
    message = str(e.value)
    assert message.startswith("SMTP_URL is malformed: ") and why in message
    assert PASSWORD not in message and "smtp.example.no" not in message


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"VAKT_MAIL_FROM": "not an address"}, "VAKT_MAIL_FROM"),
        ({"VAKT_PUBLIC_URL": "ftp://files"}, "VAKT_PUBLIC_URL"),
        ({"VAKT_DEV_SMTP_PORT": "eighty"}, "VAKT_DEV_SMTP_PORT"),
    ],
)
def test_other_bad_settings_are_named(env, named):
    with pytest.raises(MailSettingsError, match=named):
        settings(**env)


def test_from_address_may_carry_a_display_name_and_the_public_url_loses_its_slash():
    s = settings(VAKT_MAIL_FROM="Vaktfordeling <noreply@legevakt.example.no>", VAKT_PUBLIC_URL="https://vakt.example.no/")
    assert s.from_address == "Vaktfordeling <noreply@legevakt.example.no>"
    assert s.public_url == "https://vakt.example.no"
