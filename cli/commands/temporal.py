"""`vakt temporal check | setup`: the Temporal cluster the engine runs on (app/cluster.py).

The connection comes from the SDK's environment configuration (TEMPORAL_ADDRESS,
TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, or a TOML profile: infra/temporal_client.py).
"""

from __future__ import annotations

import typer

from app.cluster import AttributeState, check_cluster, set_up_namespace
from cli.runner import call, finish, out
from cli.text import safe

app = typer.Typer(help="The Temporal cluster: check the connection, create the search attributes.",
                  no_args_is_help=True)


def _attributes(states: list[AttributeState] | None) -> None:
    if states is None:
        out.print("search attributes: this client may not list them (on Temporal Cloud, see them in the Cloud UI)",
                  highlight=False)
        return
    for s in states:
        out.print(f"  {s.name} (Keyword): {s.state}", highlight=False)


@app.command("check")
def check() -> None:
    """Connect as a worker would and check the namespace and the search attributes (exit 1 naming what is wrong)."""
    result = call(check_cluster)
    out.print(f"Temporal {safe(result.target)}: connected, namespace found.", highlight=False, soft_wrap=True)
    _attributes(result.attributes)
    finish(0)


@app.command("setup")
def setup() -> None:
    """Create the search attributes the engine needs in the namespace (idempotent)."""
    namespace, states = call(set_up_namespace)
    out.print(f"namespace {safe(namespace)}:", highlight=False)
    _attributes(states)
    finish(0)
