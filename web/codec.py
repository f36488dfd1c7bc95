"""The codec endpoint: lets the Temporal Web UI show decrypted payloads (infra.codec).

Implements Temporal's remote codec protocol — `POST /decode` and `POST /encode` with a
`{"payloads": [...]}` body in protobuf JSON — over the same key ring the workers use. It
decrypts anything it is sent, so it listens on loopback only and answers only the Web UI's
origin (CORS); `vakt dev` starts it beside the dev server, whose UI is pointed at it with
`--ui-codec-endpoint`.

Two more locks, since anything on the machine (or a web page, through DNS rebinding) could
otherwise ask it to decrypt:
- the Host header must be a loopback name (127.0.0.1, localhost, [::1]): a rebound name is 421;
- a token, made at each `vakt dev` start: `Authorization: Bearer <token>`, or the path prefix
  `/<token>/decode`. The Web UI sends an Authorization header only with its own OIDC access token
  over https ("pass access token"), which the dev server has not, so `vakt dev` gives the UI the
  endpoint `http://127.0.0.1:8234/<token>`. Without it: 401.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Iterable, Sequence

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from infra.codec import EncryptionCodec

Transform = Callable[[Iterable[Payload]], Awaitable[list[Payload]]]


LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})


def new_codec_token() -> str:
    return secrets.token_urlsafe(24)


def _loopback_host(host: str) -> bool:
    host = host.strip().lower()
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 or host.startswith("[") and "]:" in host else host
    return name in LOOPBACK_NAMES


def _token_ok(sent: str, token: str) -> bool:
    return bool(sent) and secrets.compare_digest(sent.encode("utf-8", "surrogatepass"), token.encode())


def codec_app(codec: EncryptionCodec, ui_origins: Sequence[str], token: str) -> FastAPI:
    if len(token) < 16:
        raise ValueError("the codec token is too short")
    app = FastAPI(title="Vaktfordeling payload codec", docs_url=None, redoc_url=None, openapi_url=None)

    @app.middleware("http")
    async def loopback_and_token(request: Request, call_next):
        if not _loopback_host(request.headers.get("host", "")):
            return Response('{"error": "not a loopback host name"}', status_code=421, media_type="application/json")
        if request.method == "OPTIONS":  # the CORS preflight carries no credentials
            return await call_next(request)
        path = request.url.path
        prefix, _, rest = path.lstrip("/").partition("/")
        bearer = request.headers.get("authorization", "")
        if rest in ("decode", "encode") and _token_ok(prefix, token):
            request.scope["path"] = "/" + rest
        elif not (bearer[:7].lower() == "bearer " and _token_ok(bearer[7:].strip(), token)):
            return Response('{"error": "the codec token is missing or wrong"}', status_code=401,
                            media_type="application/json", headers={"WWW-Authenticate": "Bearer"})
        return await call_next(request)

    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(ui_origins),
        allow_methods=["POST"],
        allow_headers=["content-type", "x-namespace", "authorization"],
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
