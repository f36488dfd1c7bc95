"""The OpenAPI document declares the one refusal shape for every route the rulebook may refuse."""

from __future__ import annotations

from web.service import create_app


def test_an_action_a_swap_a_request_and_an_operators_step_declare_the_same_refusal():
    doc = create_app(None).openapi()
    refusal = doc["components"]["schemas"]["Refusal"]
    assert set(refusal["properties"]) == {"error", "status", "rule", "message"}
    for path in ("/api/periods/{period}/actions", "/api/periods/{period}/swaps",
                 "/api/periods/{period}/swaps/{swap}/accept", "/api/me/requests", "/api/operator/rounds/{period}/close"):
        schema = doc["paths"][path]["post"]["responses"]["409"]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Refusal"}, path
