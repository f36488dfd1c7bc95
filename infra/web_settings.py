"""The web service's settings, from the environment (README: the settings table).

- `VAKT_PUBLIC_URL`: where people reach the service (links in mail; Secure cookies when https);
- `VAKT_SESSION_SECRET`: the key that signs session cookies, sign-in links and calendar-feed
  tokens (at least 32 characters); unset: the file `<data dir>/keys/session.key` (mode 0600,
  created on first use);
- `VAKT_OIDC_*`: sign-in through the clinic's identity provider (HelseID, Entra ID);
  infra.oidc_settings reads them.
Secrets are SecretStr: masked in every repr and message.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, SecretStr

from infra.oidc_settings import OidcSettings, OidcSettingsError, oidc_settings_from_env

SESSION_SECRET = "VAKT_SESSION_SECRET"
SESSION_KEY_FILE = Path("keys") / "session.key"
MIN_SECRET_LENGTH = 32


class WebSettingsError(ValueError):
    """A setting that cannot be used; names the variable, never its value."""


class WebSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    public_url: str
    session_secret: SecretStr
    secret_source: str  # "VAKT_SESSION_SECRET" or the key file's path
    oidc: OidcSettings | None = None

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    def describe(self) -> str:
        sign_in = f"OpenID Connect ({self.oidc.issuer})" if self.oidc else "links by e-mail"
        return f"{self.public_url}, sign-in by {sign_in}, session secret from {self.secret_source} (***)"

    @classmethod
    def from_env(cls, data_dir: Path, public_url: str, env: Mapping[str, str] | None = None) -> WebSettings:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        secret = get(SESSION_SECRET)
        if secret is not None:
            if len(secret) < MIN_SECRET_LENGTH:
                raise WebSettingsError(f"{SESSION_SECRET}: shorter than {MIN_SECRET_LENGTH} characters")
            source = SESSION_SECRET
        else:
            path = Path(data_dir) / SESSION_KEY_FILE
            secret, source = session_key_file(path), str(path)
        try:
            oidc = oidc_settings_from_env(get)
        except OidcSettingsError as e:
            raise WebSettingsError(str(e)) from None
        return cls(public_url=public_url.rstrip("/"), session_secret=SecretStr(secret), secret_source=source, oidc=oidc)


def session_key_file(path: Path) -> str:
    """The secret in the key file, made (mode 0600) on first use; refused when others can read it."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48) + "\n")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise WebSettingsError(f"session key file {path} is readable by others (mode {mode:04o}); run: chmod 600 {path}")
    secret = path.read_text().strip()
    if len(secret) < MIN_SECRET_LENGTH:
        raise WebSettingsError(f"session key file {path}: shorter than {MIN_SECRET_LENGTH} characters")
    return secret
