"""Finding and connecting to the Temporal cluster, through the SDK's own environment configuration
(`temporalio.envconfig`), so a Temporal Cloud namespace, a self-hosted cluster with mTLS and the
embedded dev server are all set the same way the Temporal CLI and samples set them:

- `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY` (TLS turns on with it),
  `TEMPORAL_TLS`, `TEMPORAL_TLS_SERVER_CA_CERT_PATH|_DATA`, `TEMPORAL_TLS_SERVER_NAME`,
  `TEMPORAL_TLS_CLIENT_CERT_PATH|_DATA`, `TEMPORAL_TLS_CLIENT_KEY_PATH|_DATA`,
  `TEMPORAL_GRPC_META_*`;
- or a profile of a TOML file (`TEMPORAL_CONFIG_FILE`, else ~/.config/temporalio/temporal.toml;
  `TEMPORAL_PROFILE` picks one, else `default`); the environment overrides the file.

With no address anywhere, commands use the embedded dev server that `vakt dev` / `vakt worker`
started (its address is in a file in the data dir). Whatever goes wrong is named — the
configuration, unreachable, TLS, authorisation, the namespace — never "internal error".
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from temporalio.converter import DataConverter
from temporalio.envconfig import ClientConfigProfile
from temporalio.service import RPCError, RPCStatusCode, TLSConfig

from infra import tracing
from infra.settings import Settings

DEV_PORT = 7233  # the Temporal CLI's usual ports, so the Web UI is where people expect it
DEV_UI_PORT = 8233
DEV_CODEC_PORT = 8234  # the codec endpoint the Web UI decrypts payloads through
CONNECT_WITHIN = 10.0  # seconds: TLS and a cloud endpoint take longer than the local server


class TemporalUnavailable(ConnectionError):
    """No usable connection; the message names what is wrong and which setting to look at."""


class TemporalConfigError(ValueError):
    """The Temporal settings themselves are wrong (a missing profile, an unreadable certificate)."""


@dataclass(frozen=True)
class TemporalTarget:
    """Where and how to connect. `api_key` is never shown (repr=False)."""

    address: str
    namespace: str
    tls: bool | TLSConfig = False
    api_key: str | None = field(default=None, repr=False)
    rpc_metadata: Mapping[str, str] = field(default_factory=dict)
    embedded: bool = False

    @property
    def client_certificate(self) -> bool:
        return isinstance(self.tls, TLSConfig) and self.tls.client_cert is not None

    def describe(self) -> str:
        """One line for logs and errors: address, namespace and the kind of security, no secret."""
        security = "plain" if self.tls is False else "TLS"
        if self.client_certificate:
            security += " with a client certificate"
        if self.api_key:
            security += " with an API key"
        return f"{self.address} (namespace {self.namespace}, {security})"


def dev_address_file(settings: Settings) -> Path:
    return settings.data_dir / "temporal" / "address"


def _profile(env: Mapping[str, str]) -> ClientConfigProfile:
    try:
        return ClientConfigProfile.load(override_env_vars=dict(env))
    except Exception as e:  # the SDK's ConfigError: a missing profile, a file that is not TOML
        raise TemporalConfigError(f"Temporal configuration (TEMPORAL_CONFIG_FILE / TEMPORAL_PROFILE): {e}") from None


def _tls(profile: ClientConfigProfile) -> bool | TLSConfig:
    tls = profile.tls
    if tls is not None and tls.disabled is not True:
        if (tls.client_cert is None) != (tls.client_private_key is None):
            raise TemporalConfigError(
                "TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH (or the profile's tls.client_cert_path "
                "and tls.client_key_path): a client certificate needs its key, and a key its certificate"
            )
        for name, source in (("TEMPORAL_TLS_SERVER_CA_CERT_PATH", tls.server_root_ca_cert),
                             ("TEMPORAL_TLS_CLIENT_CERT_PATH", tls.client_cert),
                             ("TEMPORAL_TLS_CLIENT_KEY_PATH", tls.client_private_key)):
            if isinstance(source, Path) and not source.is_file():
                raise TemporalConfigError(f"{name} (or the profile's tls setting): no readable file at {source}")
    try:
        return profile.to_client_connect_config().get("tls", False)
    except OSError as e:  # a file that exists but cannot be read
        raise TemporalConfigError(f"Temporal TLS files: cannot read {e.filename} ({type(e).__name__})") from None


def _api_key(profile: ClientConfigProfile) -> str | None:
    """Checked here, where the client is built: a key pasted with a line break or a space would
    only fail later as an authorisation error that does not say why."""
    key = profile.api_key
    if key is None:
        return None
    if not key.strip():
        raise TemporalConfigError("TEMPORAL_API_KEY: empty; unset it, or set the key")
    if key != key.strip() or not key.isascii() or not key.isprintable():
        raise TemporalConfigError("TEMPORAL_API_KEY: contains spaces, line breaks or other characters a key never has")
    return key


def temporal_target(settings: Settings, env: Mapping[str, str] | None = None) -> TemporalTarget | None:
    """The configured cluster, else the running embedded dev server, else None."""
    profile = _profile(os.environ if env is None else env)
    if profile.address:
        return TemporalTarget(
            address=profile.address,
            namespace=profile.namespace or settings.temporal_namespace,
            tls=_tls(profile),
            api_key=_api_key(profile),
            rpc_metadata=dict(profile.grpc_meta),
        )
    path = dev_address_file(settings)
    if path.exists():
        return TemporalTarget(path.read_text().strip(), settings.temporal_namespace, embedded=True)
    return None


def configured_address(settings: Settings, env: Mapping[str, str] | None = None) -> str | None:
    target = temporal_target(settings, env)
    return target.address if target else None


async def connect_temporal(
    settings: Settings, data_converter: DataConverter, *, env: Mapping[str, str] | None = None,
    timeout: float = CONNECT_WITHIN,
) -> Client:
    """A client on the configured cluster, its namespace checked; TemporalUnavailable naming
    what is wrong when it cannot be used."""
    try:
        target = temporal_target(settings, env)
    except TemporalConfigError as e:
        raise TemporalUnavailable(str(e)) from None
    if target is None:
        raise TemporalUnavailable(
            "no Temporal configured (TEMPORAL_ADDRESS, or a profile in TEMPORAL_CONFIG_FILE) and no embedded dev "
            "server running (start `vakt dev`)"
        )
    return await connect_to(target, data_converter, timeout=timeout)


async def connect_to(target: TemporalTarget, data_converter: DataConverter, *, timeout: float = CONNECT_WITHIN) -> Client:
    try:
        client = await asyncio.wait_for(
            Client.connect(target.address, namespace=target.namespace, data_converter=data_converter, tls=target.tls,
                           api_key=target.api_key, rpc_metadata=target.rpc_metadata,
                           interceptors=tracing.interceptors()),
            timeout,
        )
    except TimeoutError:
        raise TemporalUnavailable(f"Temporal at {target.describe()}: no answer within {timeout:.0f} s") from None
    except Exception as e:  # the bridge's RuntimeError carries the transport's reason in its text
        raise TemporalUnavailable(explain_connect_error(target, e)) from None
    await check_namespace(client, target)
    return client


async def check_namespace(client: Client, target: TemporalTarget) -> None:
    """Client.connect does not look at the namespace: the first real call would fail later, far
    from the setting that is wrong. Ask now."""
    try:
        await client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=target.namespace), timeout=timedelta(seconds=5)
        )
    except RPCError as e:
        raise TemporalUnavailable(explain_rpc_error(target, e)) from None


def explain_rpc_error(target: TemporalTarget, e: RPCError) -> str:
    where = f"Temporal at {target.describe()}"
    if e.status is RPCStatusCode.NOT_FOUND:
        return f"{where}: namespace {target.namespace!r} does not exist (TEMPORAL_NAMESPACE)"
    if e.status in (RPCStatusCode.UNAUTHENTICATED, RPCStatusCode.PERMISSION_DENIED):
        what = "the API key (TEMPORAL_API_KEY)" if target.api_key else (
            "the client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH)" if target.client_certificate else "this client")
        return f"{where}: not authorised — {what} is not accepted for namespace {target.namespace!r} ({e.status.name})"
    if e.status is RPCStatusCode.UNAVAILABLE:
        return f"{where}: not reachable ({e.status.name})"
    return f"{where}: {e.status.name} on the first call"


_TLS_REASONS = (
    ("UnknownIssuer", "the server's certificate is not signed by a CA this client trusts "
                      "(TEMPORAL_TLS_SERVER_CA_CERT_PATH)"),
    ("NotValidForName", "the server's certificate is not for this address (TEMPORAL_TLS_SERVER_NAME)"),
    ("Expired", "the server's certificate has expired"),
    ("InvalidContentType", "the server does not speak TLS (TLS is on: TEMPORAL_TLS, TEMPORAL_API_KEY or the "
                           "profile's tls)"),
    ("CertificateRequired", "the server requires a client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH and "
                            "TEMPORAL_TLS_CLIENT_KEY_PATH)"),
    ("HandshakeFailure", "the TLS handshake failed"),
    ("InvalidCertificate", "the server's certificate was refused"),
)


def explain_connect_error(target: TemporalTarget, e: BaseException) -> str:
    """The transport's reason, in words naming the setting to look at."""
    text, where = str(e), f"Temporal at {target.describe()}"
    if isinstance(e, RPCError):
        return explain_rpc_error(target, e)
    for marker, reason in _TLS_REASONS:
        if marker in text:
            return f"{where}: TLS: {reason}"
    if "ConnectionRefused" in text or "tcp connect error" in text:
        return f"{where}: not reachable (connection refused)"
    if "dns error" in text or "failed to lookup address" in text:
        return f"{where}: not reachable (the host name does not resolve)"
    if "UNAUTHENTICATED" in text.upper() or "PermissionDenied" in text or "Unauthenticated" in text:
        return f"{where}: not authorised (TEMPORAL_API_KEY or the client certificate)"
    closed = ("BrokenPipe", "broken pipe", "connection closed", "UnexpectedEof", "close_notify", "transport error")
    if "after connection" in text and any(marker in text for marker in closed):
        hint = ("the server may require TLS (TEMPORAL_TLS=true, or its CA in TEMPORAL_TLS_SERVER_CA_CERT_PATH)"
                if target.tls is False else
                "the server may require a client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH and "
                "TEMPORAL_TLS_CLIENT_KEY_PATH)" if not target.client_certificate else
                "the server refused the client certificate")
        return f"{where}: the connection was closed at the first call; {hint}"
    return f"{where}: not reachable ({type(e).__name__})"
