"""Encryption of every Temporal payload (AES-256-GCM), and the data converter that uses it.

Temporal keeps workflow inputs, update arguments and results, activity payloads and failure
messages in its history, readable by anyone with access to the cluster or its Web UI. The
periods carry doctor ids, dates and rule texts, so every payload leaves this process encrypted
(`EncryptionCodec`), and failure messages and stack traces travel inside the encrypted
attributes (`DefaultFailureConverterWithEncodedAttributes`).

Keys form a ring, newest first: payloads are encrypted with the newest key and decrypted with
whichever key their metadata names, so a rotated-out key keeps old histories readable.
- `VAKT_PAYLOAD_KEYS="k2:BASE64,k1:BASE64"` (32-byte keys, base64), newest first; or
- the embedded default, a key file `<data dir>/keys/payload.keys` (mode 0600), one
  `ID BASE64` line per key, newest first, created with a random key on first use.
`vakt keys rotate` puts a new key in front. Keys are never printed or logged.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import os
import secrets
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes, PayloadCodec

ENCODING = b"binary/encrypted"
KEY_ID_META = "encryption-key-id"
ENV_KEYS = "VAKT_PAYLOAD_KEYS"
KEY_FILE = Path("keys") / "payload.keys"
_AAD = b"vaktfordeling/payload/v1"  # binds ciphertexts to this use
_NONCE = 12


class PayloadKeyError(ValueError):
    """A key ring that cannot be used; the message never holds key material."""


@dataclass(frozen=True)
class PayloadKey:
    id: str
    secret: bytes = dataclasses.field(repr=False)

    def __post_init__(self) -> None:
        if not self.id or any(c.isspace() or c in ",:" for c in self.id):
            raise PayloadKeyError("a payload key id must be non-empty, without spaces, commas or colons")
        if len(self.secret) != 32:
            raise PayloadKeyError(f"payload key {self.id!r} must be 32 bytes (AES-256), not {len(self.secret)}")


@dataclass(frozen=True)
class Keyring:
    keys: tuple[PayloadKey, ...]  # newest first
    source: str  # where the keys came from, for messages (never the keys)

    def __post_init__(self) -> None:
        if not self.keys:
            raise PayloadKeyError(f"no payload key in {self.source}")
        ids = [k.id for k in self.keys]
        if len(set(ids)) != len(ids):
            raise PayloadKeyError(f"duplicate payload key ids in {self.source}")

    @property
    def newest(self) -> PayloadKey:
        return self.keys[0]

    def by_id(self, key_id: str) -> PayloadKey | None:
        return next((k for k in self.keys if k.id == key_id), None)


def _decode_secret(text: str, key_id: str, source: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise PayloadKeyError(f"payload key {key_id!r} in {source} is not valid base64") from None


def parse_keys(spec: str, source: str) -> Keyring:
    """`id:base64,id:base64` (newest first), as in VAKT_PAYLOAD_KEYS."""
    keys = []
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        key_id, sep, secret = item.partition(":")
        if not sep:
            raise PayloadKeyError(f"{source}: every key is written ID:BASE64")
        keys.append(PayloadKey(key_id.strip(), _decode_secret(secret, key_id.strip(), source)))
    return Keyring(tuple(keys), source)


def new_key(key_id: str | None = None) -> PayloadKey:
    return PayloadKey(key_id or f"k{secrets.token_hex(4)}", AESGCM.generate_key(bit_length=256))


def _format(keys: Iterable[PayloadKey]) -> str:
    return "".join(f"{k.id} {base64.b64encode(k.secret).decode()}\n" for k in keys)


def _write_private(path: Path, text: str) -> None:
    """Write a secret file readable by its owner only, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def load_key_file(path: Path, *, create: bool = True) -> Keyring:
    """The key file's ring; a new file with one random key when it does not exist yet."""
    if not path.exists():
        if not create:
            raise PayloadKeyError(f"no payload key file at {path}")
        _write_private(path, _format([new_key()]))
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise PayloadKeyError(f"payload key file {path} is readable by others (mode {mode:04o}); run: chmod 600 {path}")
    keys = []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2:
            raise PayloadKeyError(f"{path}, line {n}: expected 'ID BASE64'")
        keys.append(PayloadKey(parts[0], _decode_secret(parts[1], parts[0], str(path))))
    return Keyring(tuple(keys), str(path))


def rotate_key_file(path: Path) -> PayloadKey:
    """Put a new key in front of the file's ring; older keys stay for decryption."""
    ring = load_key_file(path)
    key = new_key()
    _write_private(path, _format([key, *ring.keys]))
    return key


def load_keyring(data_dir: Path, env: Mapping[str, str] | None = None) -> Keyring:
    """VAKT_PAYLOAD_KEYS when set, else the key file in the data dir (created on first use)."""
    env = os.environ if env is None else env
    spec = env.get(ENV_KEYS, "").strip()
    if spec:
        return parse_keys(spec, ENV_KEYS)
    return load_key_file(Path(data_dir) / KEY_FILE)


class EncryptionCodec(PayloadCodec):
    """AES-256-GCM over each whole serialized payload; the key id travels in the metadata."""

    def __init__(self, keyring: Keyring) -> None:
        super().__init__()
        self.keyring = keyring
        self._ciphers = {k.id: AESGCM(k.secret) for k in keyring.keys}

    async def encode(self, payloads: Iterable[Payload]) -> list[Payload]:
        key = self.keyring.newest
        cipher = self._ciphers[key.id]
        out = []
        for p in payloads:
            nonce = os.urandom(_NONCE)
            out.append(
                Payload(
                    metadata={"encoding": ENCODING, KEY_ID_META: key.id.encode()},
                    data=nonce + cipher.encrypt(nonce, p.SerializeToString(), _AAD),
                )
            )
        return out

    async def decode(self, payloads: Iterable[Payload]) -> list[Payload]:
        out = []
        for p in payloads:
            if p.metadata.get("encoding", b"") != ENCODING:
                out.append(p)  # not ours (e.g. written before encryption was on)
                continue
            key_id = p.metadata.get(KEY_ID_META, b"").decode()
            cipher = self._ciphers.get(key_id)
            if cipher is None:
                raise ValueError(f"payload encrypted with unknown key {key_id!r}; add it to the key ring")
            try:
                out.append(Payload.FromString(cipher.decrypt(p.data[:_NONCE], p.data[_NONCE:], _AAD)))
            except InvalidTag:
                raise ValueError(f"payload under key {key_id!r} failed authentication (tampered or wrong key)") from None
        return out


def data_converter(keyring: Keyring) -> DataConverter:
    """pydantic payloads, encrypted, with failure messages inside the encrypted attributes."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec(keyring),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )
