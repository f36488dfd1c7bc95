"""A TLS-terminating proxy in front of the Temporal dev server, which has no TLS option of its
own: the client speaks TLS (ALPN `h2`, as gRPC requires) to the proxy, the proxy passes the
HTTP/2 bytes on to the dev server's plain port. With `require_client_cert` it is mutual TLS: a
client without a certificate signed by the test's CA is refused in the handshake.

The certificates are made here with `cryptography`: a CA, a server certificate for `localhost`
and 127.0.0.1, and a client certificate, written as PEM files into a folder.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class Certificates:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    other_ca: Path  # a CA that signed nothing here: a client trusting it must refuse the server


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))


def _certificate(subject: str, key, issuer_name: x509.Name, issuer_key, *, ca: bool = False,
                 server: bool = False, client: bool = False) -> x509.Certificate:
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(issuer_name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
            key_encipherment=False, data_encipherment=False, key_agreement=False, encipher_only=False,
            decipher_only=False), critical=True)
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    else:
        builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                                        critical=False)
    if server:
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    if client:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def make_certificates(folder: Path) -> Certificates:
    folder.mkdir(parents=True, exist_ok=True)
    pem = serialization.Encoding.PEM
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("vakt test CA", ca_key, _name("vakt test CA"), ca_key, ca=True)
    other_key = ec.generate_private_key(ec.SECP256R1())
    other = _certificate("another CA", other_key, _name("another CA"), other_key, ca=True)
    paths = Certificates(*(folder / n for n in ("ca.pem", "server.pem", "server.key", "client.pem", "client.key",
                                                "other-ca.pem")))
    paths.ca.write_bytes(ca.public_bytes(pem))
    paths.other_ca.write_bytes(other.public_bytes(pem))
    for cert_path, key_path, subject, role in ((paths.server_cert, paths.server_key, "localhost", "server"),
                                               (paths.client_cert, paths.client_key, "vakt worker", "client")):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _certificate(subject, key, ca.subject, ca_key, server=role == "server", client=role == "client")
        cert_path.write_bytes(cert.public_bytes(pem))
        _write_key(key, key_path)
    return paths


class TlsProxy:
    """`async with TlsProxy(certs, "127.0.0.1:7233") as proxy:` → `proxy.address`."""

    def __init__(self, certs: Certificates, upstream: str, *, require_client_cert: bool = False) -> None:
        self.certs = certs
        self.upstream_host, _, port = upstream.rpartition(":")
        self.upstream_port = int(port)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(certs.server_cert, certs.server_key)
        context.set_alpn_protocols(["h2"])
        if require_client_cert:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(certs.ca)
        self.context = context
        self.server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task] = set()

    @property
    def address(self) -> str:
        assert self.server is not None
        return f"localhost:{self.server.sockets[0].getsockname()[1]}"

    async def __aenter__(self) -> TlsProxy:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", 0, ssl=self.context)
        return self

    async def __aexit__(self, *exc) -> None:
        assert self.server is not None
        self.server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.server.wait_closed()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._tasks.add(task)
        try:
            up_reader, up_writer = await asyncio.open_connection(self.upstream_host, self.upstream_port)
        except OSError:
            writer.close()
            self._tasks.discard(task)
            return
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            for w in (writer, up_writer):
                w.close()
            self._tasks.discard(task)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
        pass
    finally:
        try:
            writer.write_eof()
        except (OSError, RuntimeError):
            pass
