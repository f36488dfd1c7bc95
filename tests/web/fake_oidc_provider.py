"""An OpenID provider this test serves (FastAPI on a loopback port), with RSA keys the test
makes: discovery, a token endpoint that checks PKCE and the client's authentication (a secret
in Basic or in the form, or a client assertion signed with the client's key), and userinfo for
the access tokens it issued. Tests put what each code yields into `Provider.grants`."""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

CLIENT = "vakt-web"
SECRET = "s3cret"
KEY = RSAKey.generate_key(2048, parameters={"kid": "idp-1"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "idp-1"})
PUBLIC_KEYS = KeySet([KEY]).as_dict(private=False)
CLIENT_KEY = RSAKey.generate_key(2048, parameters={"kid": "vakt-1"})


def id_token(issuer: str, nonce: str, *, key=KEY, audience=CLIENT, expires_in=300, sub="user-1", **claims) -> str:
    now = int(time.time())
    payload = {"iss": issuer, "aud": audience, "sub": sub, "iat": now, "exp": now + expires_in, "nonce": nonce,
               **claims}
    return jwt.encode({"alg": "RS256", "kid": "idp-1"}, payload, key)


@dataclass
class Provider:
    issuer: str
    metadata_issuer: str | None = None  # what discovery says, when not the issuer itself
    insecure_userinfo: bool = False
    client_auth: str = "client_secret_basic"
    grants: dict = field(default_factory=dict)
    auth_seen: list = field(default_factory=list)

    def grant(self, code: str, query: dict, *, userinfo: dict | None = None, **id_claims) -> None:
        """What `code` yields: an ID token with `id_claims` for this sign-in's nonce, and userinfo."""
        sub = id_claims.pop("sub", "user-1")
        self.grants[code] = {
            "challenge": query["code_challenge"][0],
            "id_token": id_token(self.issuer, query["nonce"][0], sub=sub, **id_claims),
            "userinfo": {"sub": sub, **(userinfo or {})},
        }

    def _client_ok(self, request: Request, form: dict) -> bool:
        if self.client_auth == "client_secret_basic":
            header = request.headers.get("authorization", "")
            if not header.startswith("Basic "):
                return False
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            return unquote(user) == CLIENT and unquote(password) == SECRET
        if self.client_auth == "client_secret_post":
            return form.get("client_id") == [CLIENT] and form.get("client_secret") == [SECRET]
        assertion = form.get("client_assertion", [""])[0]
        if form.get("client_assertion_type") != ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"]:
            return False
        try:
            token = jwt.decode(assertion, RSAKey.import_key(CLIENT_KEY.as_dict(private=False)))
        except Exception:  # noqa: BLE001 - any bad assertion is a bad client
            return False
        claims = token.claims
        self.auth_seen.append((token.header, claims))
        return (claims["iss"] == claims["sub"] == CLIENT and claims["aud"] == f"{self.issuer.rstrip('/')}/token"
                and claims["exp"] > time.time() and token.header["kid"] == "vakt-1")

    def app(self) -> FastAPI:
        idp = FastAPI()
        base = self.issuer.rstrip("/")

        @idp.get("/.well-known/openid-configuration")
        async def metadata():
            userinfo = f"{base}/userinfo".replace("http://127.0.0.1", "http://idp.example") \
                if self.insecure_userinfo else f"{base}/userinfo"
            return {"issuer": self.metadata_issuer or self.issuer, "authorization_endpoint": f"{base}/authorize",
                    "token_endpoint": f"{base}/token", "jwks_uri": f"{base}/jwks", "userinfo_endpoint": userinfo}

        @idp.get("/jwks")
        async def jwks():
            return PUBLIC_KEYS

        @idp.post("/token")
        async def token(request: Request):
            form = parse_qs((await request.body()).decode())
            if not self._client_ok(request, form):
                return JSONResponse({"error": "invalid_client"}, status_code=401)
            grant = self.grants.get(form["code"][0])
            if grant is None:
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            challenge = base64.urlsafe_b64encode(hashlib.sha256(form["code_verifier"][0].encode()).digest()).rstrip(b"=")
            if challenge.decode() != grant["challenge"]:  # PKCE
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            return {"access_token": f"at-{form['code'][0]}", "token_type": "Bearer", "id_token": grant["id_token"]}

        @idp.get("/userinfo")
        async def userinfo(request: Request):
            code = request.headers.get("authorization", "").removeprefix("Bearer at-")
            if code not in self.grants:
                return JSONResponse({"error": "invalid_token"}, status_code=401)
            return self.grants[code]["userinfo"]

        return idp
