"""Composition root: builds the services every use case needs, from the settings, once.

As cosmicpython's `bootstrap.py`: entry points (the CLI, the HTTP service, the worker, the
scheduled starter) call `bootstrap()` and hand the `Services` to use cases; nothing else
constructs pools, clients or keys. Each piece is opened on first use, so `vakt roster` never
touches Temporal and `vakt act` never starts the embedded PostgreSQL twice. A cold web
process meets its first burst with many requests at once: each piece is opened by one of them
while the others wait for it (`_once`), never once per request.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from functools import cached_property

from temporalio.client import Client
from temporalio.converter import DataConverter

from app.database import Database, DatabaseUrls, open_database, resolve_urls
from app.errors import BadInput, Unavailable, VaktError
from domain.clock import Clock
from infra.clock import ClockSettingError, clock_from_env
from app.identity.sessions import PrincipalCache, SessionCutoffs
from infra.codec import Keyring, PayloadKeyError, data_converter, load_keyring
from infra.settings import Settings
from infra.temporal_client import TemporalUnavailable, connect_temporal
from app.periods.front_door import ANSWER_WITHIN, FrontDoor
from app.reads.period_cache import PeriodCache
from infra.mail_settings import MailSettings, MailSettingsError
from infra.web_settings import WebSettings, WebSettingsError

Say = Callable[[str], None]


class Services:
    def __init__(
        self, settings: Settings, say: Say | None = None, env: Mapping[str, str] | None = None, clock: Clock | None = None
    ) -> None:
        self.settings = settings
        self.say = say
        self.env = env  # the environment the settings came from (None: os.environ)
        try:
            # "Now" for every use case: the wall clock, or VAKT_NOW's, or a test's.
            self.clock: Clock = clock or clock_from_env(os.environ if env is None else env)
        except ClockSettingError as e:
            raise BadInput(str(e)) from None
        self._urls: DatabaseUrls | None = None
        self._database: Database | None = None
        self._simulation_database: Database | None = None
        self._client: Client | None = None
        self._front_door = None
        self._opening: dict[str, asyncio.Lock] = {}

    async def _once(self, name: str, open_it: Callable[[], Awaitable[object]]):
        """The piece held in attribute `name`, opened by the first caller; concurrent callers
        wait for that one opening instead of each opening their own."""
        value = getattr(self, name)
        if value is not None:
            return value
        async with self._opening.setdefault(name, asyncio.Lock()):
            value = getattr(self, name)
            if value is None:
                value = await open_it()
                setattr(self, name, value)
        return value

    @cached_property
    def reads(self) -> PeriodCache:
        """This process's read model: the periods it serves, folded (app.reads.period_cache)."""
        return PeriodCache()

    # -- keys and Temporal ----------------------------------------------------------------------

    @cached_property
    def keyring(self) -> Keyring:
        try:
            return load_keyring(self.settings.data_dir, self.env)
        except PayloadKeyError as e:
            raise VaktError(f"payload keys: {e}") from None

    @cached_property
    def data_converter(self) -> DataConverter:
        return data_converter(self.keyring)

    async def temporal(self) -> Client:
        return await self._once("_client", self._connect_temporal)

    async def _connect_temporal(self) -> Client:
        try:
            return await connect_temporal(self.settings, self.data_converter, env=self.env)
        except TemporalUnavailable as e:
            raise Unavailable(str(e)) from None

    def adopt_client(self, client: Client) -> None:
        """Use a client made elsewhere (an embedded server's, a test's) for Temporal."""
        self._client = client
        self._front_door = None

    @cached_property
    def action_answer_within(self) -> float:
        """VAKT_ACTION_ANSWER_WITHIN: how long a queued action waits for its answer (seconds)."""
        within = (os.environ if self.env is None else self.env).get("VAKT_ACTION_ANSWER_WITHIN")
        return float(within) if within else ANSWER_WITHIN

    async def front_door(self) -> FrontDoor:
        return await self._once("_front_door", self._open_front_door)

    async def _open_front_door(self) -> FrontDoor:
        return FrontDoor(await self.temporal(), answer_within=self.action_answer_within)

    @cached_property
    def session_cutoffs(self) -> SessionCutoffs:
        """Each address's session cutoff, read at most every few seconds (app/identity/session_cutoffs.py)."""
        return SessionCutoffs()

    @cached_property
    def principals(self) -> PrincipalCache:
        """Who each session's person is now, derived again every few seconds (app/identity/current.py)."""
        return PrincipalCache()

    # -- mail -----------------------------------------------------------------------------------

    @cached_property
    def mail_settings(self):  # -> infra.mail_settings.MailSettings
        """SMTP_URL, VAKT_MAIL_FROM, VAKT_PUBLIC_URL; a malformed one is named, never shown."""
        try:
            return MailSettings.from_env(self.env)
        except MailSettingsError as e:
            raise VaktError(str(e)) from None

    @cached_property
    def web_settings(self):  # -> infra.web_settings.WebSettings
        """The web service's public URL, session secret and OpenID Connect settings."""
        try:
            return WebSettings.from_env(self.settings.data_dir, self.mail_settings.public_url, self.env)
        except WebSettingsError as e:
            raise VaktError(str(e)) from None

    # -- PostgreSQL -----------------------------------------------------------------------------

    async def database_urls(self) -> DatabaseUrls:
        return await self._once("_urls", lambda: resolve_urls(self.settings, self.say))

    @property
    def resolved_database_urls(self) -> DatabaseUrls | None:
        """The URLs once resolved (None before): what an error may name without connecting."""
        return self._urls

    async def database(self) -> Database:
        return await self._once("_database", self._open_database)

    async def _open_database(self) -> Database:
        return await open_database(self.settings, urls=await self.database_urls())

    async def simulation_database(self) -> Database:
        return await self._once("_simulation_database", self._open_simulation_database)

    async def _open_simulation_database(self) -> Database:
        return await open_database(self.settings, simulation=True, urls=await self.database_urls())

    async def aclose(self) -> None:
        if self._front_door is not None:
            await self._front_door.aclose()
        for db in (self._database, self._simulation_database):
            if db is not None:
                await db.aclose()


@asynccontextmanager
async def bootstrap(
    settings: Settings | None = None, *, say: Say | None = None, env: Mapping[str, str] | None = None
) -> AsyncIterator[Services]:
    services = Services(settings or Settings.from_env(env), say, env)
    try:
        yield services
    finally:
        await services.aclose()
