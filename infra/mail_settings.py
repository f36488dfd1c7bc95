"""Mail settings, read from the environment: where to send (SMTP_URL), as whom, and the public
address that links in messages point to.

- ``SMTP_URL``: ``smtp://[user[:password]@]host[:port][?tls=starttls|none][&timeout=SECONDS]``
  or ``smtps://…`` (TLS from the first byte, port 465 by default). On ``smtp://`` a URL with a
  user needs STARTTLS unless it says ``tls=none``, so a password never crosses the network in
  clear by accident. User and password are percent-decoded.
  Unset: the embedded default, the local development server (`infra.mailbox`) on 127.0.0.1,
  port ``VAKT_DEV_SMTP_PORT`` (8025), no TLS.
- ``VAKT_MAIL_FROM``: the sender address (default ``vaktfordeling@localhost``).
- ``VAKT_PUBLIC_URL``: the web service's address for links (default http://127.0.0.1:8000).

The password is a `SecretStr`: it never appears in a repr, a str, an error message or a log
line; `redacted_url()` is what may be printed. Errors name the variable and the part that is
wrong, never the value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from email.utils import parseaddr
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from pydantic import BaseModel, ConfigDict, SecretStr

SMTP_URL = "SMTP_URL"
MAIL_FROM = "VAKT_MAIL_FROM"
PUBLIC_URL = "VAKT_PUBLIC_URL"
DEV_SMTP_PORT_ENV = "VAKT_DEV_SMTP_PORT"

DEV_SMTP_HOST = "127.0.0.1"
DEV_SMTP_PORT = 8025
DEFAULT_FROM = "vaktfordeling@localhost"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT = 30.0  # seconds for a whole SMTP conversation; keep it well under the activity's

Tls = Literal["none", "starttls", "tls"]
_MASK = "***"


class MailSettingsError(ValueError):
    """A mail setting that cannot be used; the message names the variable, never its value."""


class MailSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    host: str
    port: int
    tls: Tls
    username: str | None = None
    password: SecretStr | None = None
    timeout: float = DEFAULT_TIMEOUT
    from_address: str = DEFAULT_FROM
    public_url: str = DEFAULT_PUBLIC_URL
    embedded: bool = False  # SMTP_URL unset: the local development server

    def redacted_url(self) -> str:
        """The SMTP address safe to print: the password masked."""
        scheme = "smtps" if self.tls == "tls" else "smtp"
        user = ""
        if self.username is not None:
            user = self.username + (f":{_MASK}" if self.password is not None else "") + "@"
        host = f"[{self.host}]" if ":" in self.host else self.host
        query = "?tls=starttls" if self.tls == "starttls" else ("?tls=none" if self.username and self.tls == "none" else "")
        return f"{scheme}://{user}{host}:{self.port}{query}"

    def describe(self) -> str:
        where = self.redacted_url()
        return f"{where} (the local development server)" if self.embedded else where

    def __repr__(self) -> str:
        return f"MailSettings({self.redacted_url()!r}, from={self.from_address!r}, public_url={self.public_url!r})"

    __str__ = __repr__

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> MailSettings:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        common = {
            "from_address": _from_address(get(MAIL_FROM) or DEFAULT_FROM),
            "public_url": _public_url(get(PUBLIC_URL) or DEFAULT_PUBLIC_URL),
        }
        url = get(SMTP_URL)
        if url is None:
            return cls(host=DEV_SMTP_HOST, port=dev_smtp_port(env), tls="none", embedded=True, **common)
        return cls(**parse_smtp_url(url), **common)


def dev_smtp_port(env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    raw = env.get(DEV_SMTP_PORT_ENV, "").strip()
    if not raw:
        return DEV_SMTP_PORT
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise MailSettingsError(f"{DEV_SMTP_PORT_ENV} must be a port number (1-65535)")
    return int(raw)


def parse_smtp_url(url: str) -> dict:
    """SMTP_URL's parts as MailSettings fields; MailSettingsError names what is wrong."""

    def bad(what: str) -> MailSettingsError:
        return MailSettingsError(
            f"{SMTP_URL} is malformed: {what} "
            "(expected smtp://[user[:password]@]host[:port][?tls=starttls|none] or smtps://…)"
        )

    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname
    except ValueError:
        raise bad("the host or port cannot be read") from None
    if parts.scheme not in ("smtp", "smtps"):
        raise bad("the scheme must be smtp or smtps")
    if not host:
        raise bad("no host")
    if parts.path not in ("", "/") or parts.fragment:
        raise bad("a path or fragment is not allowed")
    username = unquote(parts.username) if parts.username else None
    password = SecretStr(unquote(parts.password)) if parts.password else None
    if password is not None and username is None:
        raise bad("a password needs a user")

    params: dict[str, str] = {}
    try:
        pairs = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise bad("the query cannot be read") from None
    for key, value in pairs:
        if key not in ("tls", "timeout"):
            raise bad(f"unknown parameter {key!r} (known: tls, timeout)")
        if key in params:
            raise bad(f"parameter {key!r} given twice")
        params[key] = value

    tls: Tls
    if parts.scheme == "smtps":
        if params.get("tls", "tls") != "tls":
            raise bad("smtps:// is TLS from the start; use smtp://…?tls=starttls or tls=none instead")
        tls = "tls"
    else:
        choice = params.get("tls")
        if choice is None:
            # Never send a password in clear unless the URL says so.
            choice = "starttls" if username else "none"
        if choice not in ("none", "starttls"):
            raise bad("tls must be starttls or none on smtp:// (smtps:// for TLS from the start)")
        tls = choice  # type: ignore[assignment]
    if port is None:
        port = {"tls": 465, "starttls": 587, "none": 25}[tls]

    timeout = DEFAULT_TIMEOUT
    if "timeout" in params:
        try:
            timeout = float(params["timeout"])
        except ValueError:
            raise bad("timeout must be a number of seconds") from None
        if not 0 < timeout <= 600:
            raise bad("timeout must be between 0 and 600 seconds")
    return {"host": host, "port": port, "tls": tls, "username": username, "password": password, "timeout": timeout}


def _from_address(value: str) -> str:
    name, address = parseaddr(value)
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain or any(c.isspace() for c in address):
        raise MailSettingsError(f"{MAIL_FROM} must be an e-mail address (name@domain)")
    return value


def _public_url(value: str) -> str:
    try:
        parts = urlsplit(value)
    except ValueError:
        raise MailSettingsError(f"{PUBLIC_URL} is not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise MailSettingsError(f"{PUBLIC_URL} must be an http:// or https:// address")
    return value.rstrip("/")
