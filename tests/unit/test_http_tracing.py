"""The web service's request spans (web/http_metrics.py) with OpenTelemetry's in-memory exporter:
named by method and route template, the parent of what the request does, the path never kept,
a server error marked as one."""

from __future__ import annotations

import httpx2 as httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from infra.tracing import TracingSettingError, exporter_name
from web.http_metrics import HttpMetrics


async def test_a_request_is_one_server_span_named_by_its_route_template():
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("test")

    async def board(request):
        with tracer.start_as_current_span("StartWorkflowUpdate:submit_actions"):  # what a client call would open
            return PlainTextResponse("ok")

    async def broken(request):
        raise RuntimeError("boom")

    app = Starlette(routes=[Route("/api/periods/{period}/board", board), Route("/broken", broken)])
    transport = httpx.ASGITransport(app=HttpMetrics(app, tracer), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/api/periods/h1-2027-private/board?doctor=gp04")).status_code == 200
        assert (await client.get("/broken")).status_code == 500
        assert (await client.get("/nowhere/gp04")).status_code == 404
    spans = {span.name: span for span in exporter.get_finished_spans()}
    assert set(spans) == {"GET /api/periods/{period}/board", "StartWorkflowUpdate:submit_actions", "GET /broken", "GET"}
    request = spans["GET /api/periods/{period}/board"]
    assert request.kind is SpanKind.SERVER
    assert dict(request.attributes) == {"http.request.method": "GET", "http.route": "/api/periods/{period}/board",
                                        "http.response.status_code": 200}
    assert spans["StartWorkflowUpdate:submit_actions"].parent.span_id == request.context.span_id
    assert spans["GET /broken"].status.status_code is StatusCode.ERROR
    assert spans["GET"].attributes["http.response.status_code"] == 404
    kept = " ".join(f"{s.name} {dict(s.attributes)}" for s in spans.values())
    assert "h1-2027-private" not in kept and "gp04" not in kept


def test_the_exporter_setting_is_read_the_opentelemetry_way_and_a_wrong_one_named():
    assert exporter_name({}) == "none"
    assert exporter_name({"OTEL_TRACES_EXPORTER": " OTLP "}) == "otlp"
    assert exporter_name({"OTEL_TRACES_EXPORTER": "console"}) == "console"
    with pytest.raises(TracingSettingError, match="OTEL_TRACES_EXPORTER: 'jaeger' is not one of otlp, console, none"):
        exporter_name({"OTEL_TRACES_EXPORTER": "jaeger"})
