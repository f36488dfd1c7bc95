"""Composition root: builds the services every use case needs, from the settings, once.

As cosmicpython's `bootstrap.py`: entry points (the CLI, the HTTP service, the worker, the
scheduled starter) call `bootstrap()` and hand the `Services` to use cases; nothing else
constructs pools, clients or keys. Each piece is opened on first use, so `vakt roster` never
touches Temporal and `vakt act` never starts the embedded PostgreSQL twice.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from functools import cached_property

from temporalio.client import Client
from temporalio.converter import DataConverter

from app.database import Database, DatabaseUrls, open_database, resolve_urls
from app.errors import BadInput, Unavailable, VaktError
from domain.clock import Clock
from infra.clock import ClockSettingError, clock_from_env
from infra.codec import Keyring, PayloadKeyError, data_converter, load_keyring
from infra.settings import Settings
from infra.temporal_client import TemporalUnavailable, connect_temporal

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
        if self._client is None:
            try:
                self._client = await connect_temporal(self.settings, self.data_converter)
            except TemporalUnavailable as e:
                raise Unavailable(str(e)) from None
        return self._client

    def adopt_client(self, client: Client) -> None:
        """Use a client made elsewhere (an embedded server's, a test's) for Temporal."""
        self._client = client
        self._front_door = None

    async def front_door(self):  # -> app.front_door.FrontDoor
        if self._front_door is None:
            from app.front_door import FrontDoor

            self._front_door = FrontDoor(await self.temporal())
        return self._front_door

    @cached_property
    def session_cutoffs(self):  # -> app.session_cutoffs.SessionCutoffs
        """Each address's session cutoff, read at most every few seconds (app/session_cutoffs.py)."""
        from app.session_cutoffs import SessionCutoffs

        return SessionCutoffs()

    # -- mail -----------------------------------------------------------------------------------

    @cached_property
    def mail_settings(self):  # -> infra.mail_settings.MailSettings
        """SMTP_URL, VAKT_MAIL_FROM, VAKT_PUBLIC_URL; a malformed one is named, never shown."""
        from infra.mail_settings import MailSettings, MailSettingsError

        try:
            return MailSettings.from_env(self.env)
        except MailSettingsError as e:
            raise VaktError(str(e)) from None

    @cached_property
    def web_settings(self):  # -> infra.web_settings.WebSettings
        """The web service's public URL, session secret and OpenID Connect settings."""
        from infra.web_settings import WebSettings, WebSettingsError

        try:
            return WebSettings.from_env(self.settings.data_dir, self.mail_settings.public_url, self.env)
        except WebSettingsError as e:
            raise VaktError(str(e)) from None

    # -- PostgreSQL -----------------------------------------------------------------------------

    async def database_urls(self) -> DatabaseUrls:
        if self._urls is None:
            self._urls = await resolve_urls(self.settings, self.say)
        return self._urls

    async def database(self) -> Database:
        if self._database is None:
            self._database = await open_database(self.settings, urls=await self.database_urls())
        return self._database

    async def simulation_database(self) -> Database:
        if self._simulation_database is None:
            self._simulation_database = await open_database(
                self.settings, simulation=True, urls=await self.database_urls()
            )
        return self._simulation_database

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


def create_worker(
    client: Client,
    store,
    task_queue: str,
    *,
    fail_fast: bool = False,
    workflow_class=None,
    extra_activities=(),
):
    """A worker for the period workflows, the scheduled round starter and their activities over
    `store`; `extra_activities` adds the registry's planner and the mail sender (live workers).

    `fail_fast` (simulations): a bug fails the workflow at once. A live worker instead lets the
    workflow task retry, so a fixed deployment can pick the period up where it stopped.
    `workflow_class` replaces the period workflow (the fault tests' bad deployment)."""
    from temporalio.worker import Worker

    from activities.lottery import LotteryActivities
    from activities.store import EventStoreActivities
    from workflows.period import AllocationPeriodWorkflow
    from workflows.rounds import ScheduledRoundWorkflow

    return Worker(
        client,
        task_queue=task_queue,
        workflows=[workflow_class or AllocationPeriodWorkflow, ScheduledRoundWorkflow],
        activities=[
            *EventStoreActivities(store).activities(),
            *LotteryActivities(store).activities(),
            *extra_activities,
        ],
        workflow_failure_exception_types=[Exception] if fail_fast else [],
    )


async def live_activities(services: Services) -> list:
    """The activities only a live worker runs: planning rounds from the registry and mail."""
    from activities.mail import MailActivities
    from activities.mail_log import SentLog
    from activities.registry import RegistryStore
    from activities.rounds import RoundPlanner
    from activities.smtp import SmtpSender

    db = await services.database()
    registry = RegistryStore(db.pool)
    return [
        *RoundPlanner(registry, db.store, await services.temporal()).activities(),
        *MailActivities(SmtpSender(services.mail_settings), SentLog(db.pool), registry).activities(),
    ]
