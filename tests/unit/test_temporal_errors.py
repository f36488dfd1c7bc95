"""What the Temporal connection says when the cluster refuses it (infra/temporal_client.py): the
cases a local dev server cannot play — an API key or a certificate not accepted — named with the
setting to look at, never with the key."""

from __future__ import annotations

from temporalio.service import RPCError, RPCStatusCode, TLSConfig

from infra.temporal_client import TemporalTarget, explain_connect_error, explain_rpc_error


def test_an_api_key_or_certificate_not_accepted_is_named_without_the_key():
    keyed = TemporalTarget("ns.acct.tmprl.cloud:7233", "ns.acct", tls=True, api_key="secret-key")
    said = explain_rpc_error(keyed, RPCError("Request unauthorized.", RPCStatusCode.PERMISSION_DENIED, b""))
    assert said == ("Temporal at ns.acct.tmprl.cloud:7233 (namespace ns.acct, TLS with an API key): not authorised — "
                    "the API key (TEMPORAL_API_KEY) is not accepted for namespace 'ns.acct' (PERMISSION_DENIED)")
    certified = TemporalTarget("h:7233", "ns", tls=TLSConfig(client_cert=b"c", client_private_key=b"k"))
    said = explain_rpc_error(certified, RPCError("no", RPCStatusCode.UNAUTHENTICATED, b""))
    assert "the client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH) is not accepted" in said
    assert "secret-key" not in repr(keyed)


def test_transport_reasons_name_the_setting():
    target = TemporalTarget("h:7233", "default", tls=True)
    cases = {
        "ConnectError(Custom { kind: InvalidData, error: InvalidCertificate(NotValidForName) })": "TEMPORAL_TLS_SERVER_NAME",
        "dns error: failed to lookup address information": "the host name does not resolve",
        "Received fatal alert: CertificateRequired": "requires a client certificate",
        "something new": "not reachable (RuntimeError)",
    }
    for text, words in cases.items():
        assert words in explain_connect_error(target, RuntimeError(text)), text
