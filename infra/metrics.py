"""Prometheus metrics of the web service and the worker, on one address (`VAKT_METRICS_ADDRESS`,
`host:port`; unset: none): the application's own series, prefixed `vakt_`, and the Temporal SDK's
(`temporal_…`: workflow and activity tasks, polls, request latencies), which the SDK's core
serves on a private loopback port and this endpoint passes on, so one scrape sees both.

Labels never carry a doctor's id, an address or a path with a token: a verb, an outcome, a rule
id, a route template, a mail's kind without its swap id.
"""

from __future__ import annotations

import logging
import socket
import threading
import urllib.request
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, disable_created_metrics, generate_latest

log = logging.getLogger(__name__)
ADDRESS_VARIABLE = "VAKT_METRICS_ADDRESS"
disable_created_metrics()  # the `_created` timestamps double every series and say nothing here
_FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

ACTIONS = Counter("vakt_actions", "Doctors' actions decided, by verb and outcome", ["verb", "outcome"])
REFUSALS = Counter("vakt_refusals", "Actions refused, by the rule that refused them", ["rule"])
BATCH_SIZE = Histogram("vakt_front_door_batch_size", "Actions carried by one update of the front door",
                       buckets=(1, 2, 5, 10, 20, 50, 100, 200))
BATCH_WAIT = Histogram("vakt_front_door_wait_seconds", "From an action's arrival at the front door to its answer",
                       buckets=_FAST)
QUEUE_DEPTH = Gauge("vakt_front_door_queue_depth", "Actions waiting in the front door's lanes, not yet sent")
APPEND_SECONDS = Histogram("vakt_append_seconds", "One batched append of events to PostgreSQL", buckets=_FAST)
APPENDED_EVENTS = Counter("vakt_appended_events", "Events appended to the event store")
PROJECTION_LAG = Gauge("vakt_projection_lag_seconds",
                       "Age of the newest event when it was appended: how far the stored log trails the workflow")
MAILS = Counter("vakt_mails", "Mails by kind and outcome (sent, failed and retried, no address …)", ["kind", "outcome"])
SIGN_INS = Counter("vakt_sign_ins", "Sign-ins by method (link, oidc) and outcome", ["method", "outcome"])
HTTP_SECONDS = Histogram("vakt_http_request_seconds", "HTTP requests by route template, method and status class",
                         ["route", "method", "status"], buckets=_FAST)


def mail_kind(kind: str) -> str:
    """`swap-offered:<swap>` → `swap-offered`: the swap id stays out of the labels."""
    return kind.partition(":")[0]


class MetricsSettingError(ValueError):
    """VAKT_METRICS_ADDRESS is not host:port, or cannot be listened on."""


def address_from(env: Mapping[str, str]) -> tuple[str, int] | None:
    value = (env.get(ADDRESS_VARIABLE) or "").strip()
    if not value:
        return None
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise MetricsSettingError(f"{ADDRESS_VARIABLE}: not host:port (e.g. 127.0.0.1:9464)")
    return host, int(port)


def _free_loopback_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def install_sdk_metrics() -> str:
    """Replace the SDK's default runtime with one that exports its metrics (Prometheus, on a
    private loopback port); before any client is made. Returns that port's address."""
    # The SDK's native core: only processes that serve metrics pay for it here.
    from temporalio.runtime import LogForwardingConfig, LoggingConfig, PrometheusConfig, Runtime, TelemetryConfig
    from temporalio.runtime import TelemetryFilter

    address = f"127.0.0.1:{_free_loopback_port()}"
    logging_config = LoggingConfig(
        filter=TelemetryFilter(core_level="WARN", other_level="ERROR"),
        forwarding=LogForwardingConfig(logger=logging.getLogger("temporalio.core")),
    )
    telemetry = TelemetryConfig(logging=logging_config, metrics=PrometheusConfig(bind_address=address))
    Runtime.set_default(Runtime(telemetry=telemetry), error_if_already_set=False)
    return address


class MetricsServer:
    """The endpoint: `GET /metrics` (any path) answers both sets of series."""

    def __init__(self, host: str, port: int, sdk_address: str | None) -> None:
        sdk_url = f"http://{sdk_address}/metrics" if sdk_address else None

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the standard library's name
                body = generate_latest()
                if sdk_url:
                    try:
                        with urllib.request.urlopen(sdk_url, timeout=2) as answer:  # noqa: S310 - loopback
                            body += answer.read()
                    except OSError:
                        body += b"# the Temporal SDK's metrics did not answer\n"
                self.send_response(200)
                self.send_header("Content-Type", CONTENT_TYPE_LATEST)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:  # scrapes are not news
                pass

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="metrics", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/metrics"

    def start(self) -> MetricsServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def start_metrics(env: Mapping[str, str]) -> MetricsServer | None:
    """When VAKT_METRICS_ADDRESS is set: the SDK's metrics on, and the endpoint serving."""
    where = address_from(env)
    if where is None:
        return None
    sdk_address = install_sdk_metrics()
    try:
        return MetricsServer(*where, sdk_address).start()
    except OSError as e:
        raise MetricsSettingError(f"{ADDRESS_VARIABLE}: cannot listen on {where[0]}:{where[1]} ({e.strerror})") from None
