"""Payload encryption (infra.codec) and the Web UI's codec endpoint (web.codec)."""

from __future__ import annotations

import base64
import os
import stat

import pytest
from fastapi.testclient import TestClient
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from infra.codec import (
    EncryptionCodec,
    Keyring,
    PayloadKey,
    PayloadKeyError,
    load_key_file,
    load_keyring,
    parse_keys,
    rotate_key_file,
)
from web.codec import codec_app

SECRET = b'{"doctor":"gp01","shift":"2027-01-05/evening","rule":"R-QUAL-2"}'


def plain(data: bytes = SECRET) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=data)


async def test_payloads_leave_encrypted_and_come_back_whole():
    codec = EncryptionCodec(Keyring((PayloadKey("k1", os.urandom(32)),), "test"))
    [sealed] = await codec.encode([plain()])
    assert sealed.metadata["encoding"] == b"binary/encrypted" and sealed.metadata["encryption-key-id"] == b"k1"
    assert b"gp01" not in sealed.data and b"2027" not in sealed.data and b"R-QUAL" not in sealed.data
    assert (await codec.decode([sealed]))[0] == plain()
    [again] = await codec.encode([plain()])
    assert again.data != sealed.data  # a fresh nonce every time


async def test_rotation_decrypts_with_old_keys_and_encrypts_with_the_newest(tmp_path):
    path = tmp_path / "keys" / "payload.keys"
    old_ring = load_key_file(path)  # created on first use
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    old_sealed = await EncryptionCodec(old_ring).encode([plain()])
    new_key = rotate_key_file(path)
    ring = load_key_file(path)
    assert ring.newest.id == new_key.id and len(ring.keys) == 2
    codec = EncryptionCodec(ring)
    assert await codec.decode(old_sealed) == [plain()]  # the old history stays readable
    [fresh] = await codec.encode([plain()])
    assert fresh.metadata["encryption-key-id"] == new_key.id.encode()
    with pytest.raises(ValueError, match="unknown key"):
        await EncryptionCodec(old_ring).decode([fresh])


async def test_a_tampered_payload_is_refused():
    codec = EncryptionCodec(Keyring((PayloadKey("k1", os.urandom(32)),), "test"))
    [sealed] = await codec.encode([plain()])
    forged = Payload(metadata=dict(sealed.metadata), data=sealed.data[:-1] + bytes([sealed.data[-1] ^ 1]))
    with pytest.raises(ValueError, match="failed authentication"):
        await codec.decode([forged])


def test_key_sources_and_their_errors_never_show_a_key(tmp_path):
    secret = base64.b64encode(os.urandom(32)).decode()
    ring = parse_keys(f"new:{secret}, old:{base64.b64encode(os.urandom(32)).decode()}", "VAKT_PAYLOAD_KEYS")
    assert [k.id for k in ring.keys] == ["new", "old"] and secret not in repr(ring)
    assert load_keyring(tmp_path, env={"VAKT_PAYLOAD_KEYS": f"only:{secret}"}).newest.id == "only"
    with pytest.raises(PayloadKeyError, match="32 bytes") as short:
        parse_keys(f"k:{base64.b64encode(b'short').decode()}", "env")
    assert "short" not in str(short.value).replace("32 bytes", "")
    with pytest.raises(PayloadKeyError, match="not valid base64"):
        parse_keys("k:!!!", "env")
    path = tmp_path / "k" / "payload.keys"
    load_key_file(path)
    os.chmod(path, 0o644)
    with pytest.raises(PayloadKeyError, match="readable by others"):
        load_key_file(path)


async def test_codec_endpoint_decodes_for_the_web_ui_only():
    codec = EncryptionCodec(Keyring((PayloadKey("k1", os.urandom(32)),), "test"))
    sealed = await codec.encode([plain()])
    client = TestClient(codec_app(codec, ["http://127.0.0.1:8233"], TOKEN), base_url="http://127.0.0.1:8234")
    body = json_format.MessageToJson(Payloads(payloads=sealed))
    ui = {"content-type": "application/json", "origin": "http://127.0.0.1:8233", "authorization": f"Bearer {TOKEN}"}
    answer = client.post("/decode", content=body, headers=ui)
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "http://127.0.0.1:8233"
    decoded = json_format.Parse(answer.content, Payloads())
    assert list(decoded.payloads) == [plain()]
    elsewhere = client.post("/decode", content=body, headers={**ui, "origin": "http://evil.example"})
    assert "access-control-allow-origin" not in elsewhere.headers  # a browser elsewhere cannot read it
    preflight = client.options(
        "/decode", headers={"origin": "http://127.0.0.1:8233", "access-control-request-method": "POST",
                            "access-control-request-headers": "content-type,x-namespace"},
    )
    assert preflight.status_code == 200
    assert client.post("/decode", content=b"not json", headers=ui).status_code == 400
    roundtrip = client.post("/encode", content=json_format.MessageToJson(Payloads(payloads=[plain()])), headers=ui)
    assert await codec.decode(json_format.Parse(roundtrip.content, Payloads()).payloads) == [plain()]


TOKEN = "codec-token-" + "x" * 20


async def test_the_codec_endpoint_checks_the_host_and_the_token():
    codec = EncryptionCodec(Keyring((PayloadKey("k1", os.urandom(32)),), "test"))
    body = json_format.MessageToJson(Payloads(payloads=await codec.encode([plain()])))
    json_type = {"content-type": "application/json"}
    local = TestClient(codec_app(codec, ["http://127.0.0.1:8233"], TOKEN), base_url="http://127.0.0.1:8234")
    # DNS rebinding: a page on evil.example rebound to 127.0.0.1 sends its own name as Host.
    rebound = TestClient(codec_app(codec, ["http://127.0.0.1:8233"], TOKEN), base_url="http://evil.example:8234")
    bearer = {**json_type, "authorization": f"Bearer {TOKEN}"}
    assert rebound.post("/decode", content=body, headers=bearer).status_code == 421
    assert rebound.post(f"/{TOKEN}/decode", content=body, headers=json_type).status_code == 421
    assert local.post("/decode", content=body, headers=json_type).status_code == 401
    assert local.post("/decode", content=body, headers={**json_type, "authorization": "Bearer wrong"}).status_code == 401
    assert local.post("/decode", content=body, headers={**json_type, "authorization": "Bearer ø".encode()}).status_code == 401
    assert local.post("/wrong-token/decode", content=body, headers=json_type).status_code == 401
    for answer in (local.post("/decode", content=body, headers=bearer),
                   local.post(f"/{TOKEN}/decode", content=body, headers=json_type)):  # the Web UI's form
        assert answer.status_code == 200
        assert list(json_format.Parse(answer.content, Payloads()).payloads) == [plain()]
    for host in ("localhost:8234", "[::1]:8234"):
        assert local.post("/decode", content=body, headers={**bearer, "host": host}).status_code == 200
