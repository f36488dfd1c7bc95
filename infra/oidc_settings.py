"""Sign-in through the clinic's OpenID Connect provider (HelseID, Entra ID, Keycloak …): its
settings, from `VAKT_OIDC_*` environment variables (README: "Identity"). Secrets are SecretStr,
masked in every repr and message; an error names the variable, never its value.
"""

from __future__ import annotations

import ipaddress
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, SecretStr

ClientAuth = Literal["client_secret_basic", "client_secret_post", "private_key_jwt"]
CLIENT_AUTHS: tuple[str, ...] = ("client_secret_basic", "client_secret_post", "private_key_jwt")
ASSERTION_ALGORITHMS = ("RS256", "PS256", "ES256")
LOOPBACK_HOSTS = {"localhost"}


class OidcSettingsError(ValueError):
    """A setting that cannot be used; names the variable, never its value."""


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def secure_url(url: str) -> bool:
    """https, or http to this machine only (a provider under test): a token never crosses a
    network in the clear."""
    parts = urlsplit(url)
    return bool(parts.netloc) and (parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname)))


class OidcSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    issuer: str  # exactly as the provider's metadata writes it (a trailing '/' included)
    client_id: str
    client_secret: SecretStr | None = None
    client_auth: ClientAuth = "client_secret_basic"
    private_key: SecretStr | None = None  # PEM, for private_key_jwt
    key_id: str | None = None
    assertion_alg: str = "RS256"
    assertion_audience: Literal["token_endpoint", "issuer"] = "token_endpoint"
    scopes: str = "openid email profile"
    email_claim: str = "email"
    email_verified_claim: str | None = "email_verified"  # None: the provider vouches for every address
    role_claim: str = "roles"  # a claim's name, or a dotted path into nested claims
    operator_roles: tuple[str, ...] = ("operator",)
    admin_roles: tuple[str, ...] = ("admin",)
    district_claim: str | None = None
    districts_by_role: dict[str, tuple[str, ...]] = {}
    allow_doctor_links: bool = False
    jwks: dict | None = None  # a key set given directly (tests); else fetched from the issuer


def _names(value: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return default
    return tuple(v.strip() for v in value.split(",") if v.strip())


def _district_map(value: str | None, name: str) -> dict[str, tuple[str, ...]]:
    """`role=district[,district…];role=…`: the districts an operator or admin with that role serves."""
    mapping: dict[str, tuple[str, ...]] = {}
    for entry in (value or "").split(";"):
        if not entry.strip():
            continue
        role, sep, districts = entry.partition("=")
        listed = _names(districts, ())
        if not sep or not role.strip() or not listed:
            raise OidcSettingsError(f"{name}: each entry must be role=district[,district…], entries separated by ';'")
        mapping[role.strip()] = tuple(dict.fromkeys(mapping.get(role.strip(), ()) + listed))
    return mapping


def _flag(value: str | None, name: str) -> bool:
    if value is None:
        return False
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise OidcSettingsError(f"{name}: must be true or false")


def _private_key(get: Callable[[str], str | None]) -> str | None:
    pem, path = get("VAKT_OIDC_PRIVATE_KEY"), get("VAKT_OIDC_PRIVATE_KEY_FILE")
    if pem is not None and path is not None:
        raise OidcSettingsError("VAKT_OIDC_PRIVATE_KEY and VAKT_OIDC_PRIVATE_KEY_FILE: set one, not both")
    if path is not None:
        try:
            mode = stat.S_IMODE(Path(path).stat().st_mode)
            if mode & 0o077:
                raise OidcSettingsError(
                    f"VAKT_OIDC_PRIVATE_KEY_FILE: readable by others (mode {mode:04o}); run: chmod 600 {path}")
            return Path(path).read_text()
        except OSError as e:
            raise OidcSettingsError(f"VAKT_OIDC_PRIVATE_KEY_FILE: cannot be read ({type(e).__name__})") from None
    return pem.replace("\\n", "\n") if pem is not None else None


def _check_key(pem: str, alg: str) -> None:
    from joserfc.jwk import ECKey, RSAKey  # only with private_key_jwt: infra stays light otherwise

    kind = ECKey if alg.startswith("ES") else RSAKey
    try:
        key = kind.import_key(pem)
    except Exception:  # noqa: BLE001 - any parse failure is the same bad setting
        raise OidcSettingsError(f"VAKT_OIDC_PRIVATE_KEY(_FILE): not a PEM {kind.key_type} private key for {alg}") from None
    if not key.is_private:
        raise OidcSettingsError("VAKT_OIDC_PRIVATE_KEY(_FILE): a public key; the private key is needed")


def oidc_settings_from_env(get: Callable[[str], str | None]) -> OidcSettings | None:
    """The provider's settings, or None when `VAKT_OIDC_ISSUER` is not set."""
    issuer = get("VAKT_OIDC_ISSUER")
    if issuer is None:
        return None
    if not secure_url(issuer):
        raise OidcSettingsError("VAKT_OIDC_ISSUER: must be an https URL (http only to 127.0.0.1, localhost or ::1)")
    client_id = get("VAKT_OIDC_CLIENT_ID")
    if client_id is None:
        raise OidcSettingsError("VAKT_OIDC_CLIENT_ID: required with VAKT_OIDC_ISSUER")
    auth = get("VAKT_OIDC_CLIENT_AUTH") or "client_secret_basic"
    if auth not in CLIENT_AUTHS:
        raise OidcSettingsError(f"VAKT_OIDC_CLIENT_AUTH: must be one of {', '.join(CLIENT_AUTHS)}")
    secret, pem, key_id = get("VAKT_OIDC_CLIENT_SECRET"), None, get("VAKT_OIDC_KEY_ID")
    alg = get("VAKT_OIDC_CLIENT_ASSERTION_ALG") or "RS256"
    audience = get("VAKT_OIDC_CLIENT_ASSERTION_AUDIENCE") or "token_endpoint"
    if auth == "private_key_jwt":
        if alg not in ASSERTION_ALGORITHMS:
            raise OidcSettingsError(f"VAKT_OIDC_CLIENT_ASSERTION_ALG: must be one of {', '.join(ASSERTION_ALGORITHMS)}")
        if audience not in ("token_endpoint", "issuer"):
            raise OidcSettingsError("VAKT_OIDC_CLIENT_ASSERTION_AUDIENCE: must be token_endpoint or issuer")
        pem = _private_key(get)
        if pem is None or key_id is None:
            raise OidcSettingsError(
                "VAKT_OIDC_PRIVATE_KEY (or VAKT_OIDC_PRIVATE_KEY_FILE) and VAKT_OIDC_KEY_ID: required with private_key_jwt")
        _check_key(pem, alg)
    elif secret is None:
        raise OidcSettingsError(f"VAKT_OIDC_CLIENT_SECRET: required with {auth}")
    verified = get("VAKT_OIDC_EMAIL_VERIFIED_CLAIM") or "email_verified"
    return OidcSettings(
        issuer=issuer,
        client_id=client_id,
        client_secret=SecretStr(secret) if secret is not None else None,
        client_auth=auth,
        private_key=SecretStr(pem) if pem is not None else None,
        key_id=key_id,
        assertion_alg=alg,
        assertion_audience=audience,
        scopes=get("VAKT_OIDC_SCOPES") or "openid email profile",
        email_claim=get("VAKT_OIDC_EMAIL_CLAIM") or "email",
        email_verified_claim=None if verified.lower() == "none" else verified,
        role_claim=get("VAKT_OIDC_ROLE_CLAIM") or "roles",
        operator_roles=_names(get("VAKT_OIDC_OPERATOR_ROLES"), ("operator",)),
        admin_roles=_names(get("VAKT_OIDC_ADMIN_ROLES"), ("admin",)),
        district_claim=get("VAKT_OIDC_DISTRICT_CLAIM"),
        districts_by_role=_district_map(get("VAKT_OIDC_DISTRICTS_BY_ROLE"), "VAKT_OIDC_DISTRICTS_BY_ROLE"),
        allow_doctor_links=_flag(get("VAKT_OIDC_ALLOW_DOCTOR_LINKS"), "VAKT_OIDC_ALLOW_DOCTOR_LINKS"),
    )
