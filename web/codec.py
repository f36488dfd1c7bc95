"""The codec endpoint: lets the Temporal Web UI show decrypted payloads (infra.codec).

Implements Temporal's remote codec protocol — `POST /decode` and `POST /encode` with a
`{"payloads": [...]}` body in protobuf JSON — over the same key ring the workers use. It
decrypts anything it is sent, so it listens on loopback only and answers only the Web UI's
origin (CORS); `vakt dev` starts it beside the dev server, whose UI is pointed at it with
`--ui-codec-endpoint`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from infra.codec import EncryptionCodec

Transform = Callable[[Iterable[Payload]], Awaitable[list[Payload]]]


def codec_app(codec: EncryptionCodec, ui_origins: Sequence[str]) -> FastAPI:
    app = FastAPI(title="Vaktfordeling payload codec", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(ui_origins),
        allow_methods=["POST"],
        allow_headers=["content-type", "x-namespace"],
        allow_credentials=True,
    )

    async def run(transform: Transform, request: Request) -> Response:
        try:
            payloads = json_format.Parse(await request.body(), Payloads())
        except json_format.ParseError:
            raise HTTPException(status_code=400, detail="body is not a Payloads JSON document") from None
        try:
            result = Payloads(payloads=await transform(payloads.payloads))
        except ValueError as e:  # an unknown key or a tampered payload
            raise HTTPException(status_code=422, detail=str(e)) from None
        return Response(json_format.MessageToJson(result), media_type="application/json")

    @app.post("/decode")
    async def decode(request: Request) -> Response:
        return await run(codec.decode, request)

    @app.post("/encode")
    async def encode(request: Request) -> Response:
        return await run(codec.encode, request)

    return app
