"""OpenTelemetry tracing of the web service and the worker, off unless asked for, set the way
OpenTelemetry itself is set (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/):

- `OTEL_TRACES_EXPORTER`: `otlp` (OTLP over HTTP/protobuf), `console` (one JSON span per line on
  stdout, for a look by hand) or `none`; unset means none: tracing costs nothing until asked for;
- `OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `…_HEADERS`, `…_TIMEOUT`
  and the other OTLP settings, read by the exporter itself;
- `OTEL_SERVICE_NAME`: else `vakt-web` or `vakt-worker`.

Temporal's spans come from `temporalio.contrib.opentelemetry.TracingInterceptor` on every client
the process makes (`traced`), so a worker built on that client carries it too. A round is one
trace: `StartWorkflow:…` from the process that started it, the worker's `RunWorkflow:…`, and each
append's `StartActivity:append_events` / `RunActivity:append_events`. A web action is another:
`POST /api/periods/{period}/actions` (web/http_metrics.py) and its `StartWorkflowUpdate:…`, to
which the round's `ValidateUpdate:…` / `HandleUpdate:…` link. The interceptor rather than the
newer, experimental `OpenTelemetryPlugin`: a round runs for half a year, and the plugin shows a
workflow's spans only when it completes (docs/decisions.md).

Spans carry ids Temporal already shows (workflow = period, run, activity, update) and route
templates, never a doctor's id, name or address, and never a request path (paths carry ids and
tokens).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

EXPORTER_VARIABLE = "OTEL_TRACES_EXPORTER"
SERVICE_VARIABLE = "OTEL_SERVICE_NAME"
EXPORTERS = ("otlp", "console", "none")
TRACER_NAME = "vaktfordeling"


class TracingSettingError(ValueError):
    """OTEL_TRACES_EXPORTER names no exporter this service has."""


@dataclass(frozen=True)
class Tracing:
    """The process's tracer provider and the Temporal interceptor that uses it."""

    provider: object  # opentelemetry.sdk.trace.TracerProvider
    interceptor: object  # temporalio.contrib.opentelemetry.TracingInterceptor
    exporter: str

    @property
    def tracer(self):
        return self.provider.get_tracer(TRACER_NAME)

    def flush(self) -> None:
        self.provider.force_flush()

    def describe(self) -> str:
        return f"{self.exporter} exporter, service {self.provider.resource.attributes.get('service.name')}"


_installed: Tracing | None = None


def exporter_name(env: Mapping[str, str]) -> str:
    name = (env.get(EXPORTER_VARIABLE) or "none").strip().lower()
    if name not in EXPORTERS:
        raise TracingSettingError(f"{EXPORTER_VARIABLE}: {name!r} is not one of {', '.join(EXPORTERS)}")
    return name


def start_tracing(env: Mapping[str, str], service: str, *, exporter=None) -> Tracing | None:
    """The process's tracing, installed for every client made after it (`traced`); None when
    `OTEL_TRACES_EXPORTER` asks for none. `exporter` (tests: an in-memory one) overrides it."""
    global _installed
    name = "given" if exporter is not None else exporter_name(env)
    if name == "none":
        return None
    # OpenTelemetry's SDK and exporter load only when tracing is on (start-up time of every command).
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    from temporalio.contrib.opentelemetry import TracingInterceptor

    if exporter is None and name == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # only when asked for

        exporter = OTLPSpanExporter()  # endpoint, headers, timeout: the OTEL_EXPORTER_OTLP_* variables
    elif exporter is None:
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter  # only when asked for

        exporter = ConsoleSpanExporter(formatter=lambda span: span.to_json(indent=None) + "\n")
    # The provider flushes and shuts down at exit (its own atexit hook, which exit_now runs too).
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: env.get(SERVICE_VARIABLE) or service}))
    # Spans leave in batches, off the request's path; a given exporter (tests) sees each at once.
    provider.add_span_processor(SimpleSpanProcessor(exporter) if name == "given" else BatchSpanProcessor(exporter))
    _installed = Tracing(provider, TracingInterceptor(provider.get_tracer(TRACER_NAME)), name)
    return _installed


def installed() -> Tracing | None:
    return _installed


def stop_tracing() -> None:
    """Flush and forget the process's tracing (tests; a process's exit does this itself)."""
    global _installed
    if _installed is not None:
        _installed.provider.shutdown()
    _installed = None


def interceptors() -> list:
    """What `Client.connect` adds for the installed tracing: nothing when it is off."""
    return [] if _installed is None else [_installed.interceptor]


def traced(client):
    """`client` with the installed tracing's interceptor (the embedded dev server's client is made
    by the SDK's test environment, not by `connect_to`); the same client when tracing is off or it
    has it already."""
    if _installed is None:
        return client
    config = client.config()
    if any(i is _installed.interceptor for i in config["interceptors"]):
        return client
    from temporalio.client import Client  # the SDK's client: loaded by whoever made `client` already

    config["interceptors"] = [*config["interceptors"], _installed.interceptor]
    return Client(**config)
