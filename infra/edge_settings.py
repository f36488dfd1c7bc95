"""The web edge's settings, from the environment (README: the web service's security notes).

- `VAKT_MAX_BODY_BYTES`: the largest request body (default 262144, 256 KiB); larger: 413;
- `VAKT_API_DOCS`: `on` (default) serves Swagger UI at /docs from the app's own files; `off`
  turns /docs off (the OpenAPI document stays at /openapi.json);
- `VAKT_TRUSTED_PROXIES`: comma-separated addresses of reverse proxies whose `X-Forwarded-For`
  names the client (default: none; the connection's address is the client);
- `VAKT_SIGN_IN_LIMIT_CLIENT` (default `20/15m,200/24h`) and `VAKT_SIGN_IN_LIMIT_GLOBAL` (default
  `60/1m,600/1h`): requests for a mailed link per client address and for the whole process;
  `VAKT_SIGN_IN_ATTEMPT_LIMIT_CLIENT` (default `60/15m`): uses of a link and OpenID Connect
  starts per client address. Each is `COUNT/WINDOW[,COUNT/WINDOW…]`, windows in s, m, h.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from infra.web_settings import WebSettingsError

_LIMIT = re.compile(r"^\s*(\d{1,9})\s*/\s*(\d{1,7})\s*([smh])\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600}


def parse_limits(name: str, value: str) -> tuple[tuple[int, float], ...]:
    """`20/15m,200/24h` -> ((20, 900.0), (200, 86400.0)); WebSettingsError naming the variable."""
    limits = []
    for part in value.split(","):
        found = _LIMIT.match(part)
        if found is None or int(found[1]) < 1 or int(found[2]) < 1:
            raise WebSettingsError(f"{name}: write each limit as COUNT/WINDOW, e.g. 20/15m")
        limits.append((int(found[1]), float(int(found[2]) * _UNIT[found[3]])))
    return tuple(limits)


class EdgeSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    max_body: int = 256 * 1024
    api_docs: bool = True
    trusted_proxies: frozenset[str] = frozenset()
    links_per_client: tuple[tuple[int, float], ...] = ((20, 900.0), (200, 86400.0))
    links_global: tuple[tuple[int, float], ...] = ((60, 60.0), (600, 3600.0))
    attempts_per_client: tuple[tuple[int, float], ...] = ((60, 900.0),)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> EdgeSettings:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        values: dict = {}
        if (body := get("VAKT_MAX_BODY_BYTES")) is not None:
            if not body.isdigit() or not 1024 <= int(body) <= 100 * 1024 * 1024:
                raise WebSettingsError("VAKT_MAX_BODY_BYTES: a whole number of bytes from 1024 to 104857600")
            values["max_body"] = int(body)
        if (docs := get("VAKT_API_DOCS")) is not None:
            if docs.lower() not in ("on", "off"):
                raise WebSettingsError("VAKT_API_DOCS: on or off")
            values["api_docs"] = docs.lower() == "on"
        if (proxies := get("VAKT_TRUSTED_PROXIES")) is not None:
            values["trusted_proxies"] = frozenset(p.strip() for p in proxies.split(",") if p.strip())
        for field, name in (("links_per_client", "VAKT_SIGN_IN_LIMIT_CLIENT"), ("links_global", "VAKT_SIGN_IN_LIMIT_GLOBAL"),
                            ("attempts_per_client", "VAKT_SIGN_IN_ATTEMPT_LIMIT_CLIENT")):
            if (value := get(name)) is not None:
                values[field] = parse_limits(name, value)
        return cls(**values)
