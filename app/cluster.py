"""The Temporal namespace as the engine needs it: its search attributes (VaktPeriod, VaktDistrict,
VaktPhase — `vakt status` lists rounds by them, and a period workflow upserts them), created by
`vakt temporal setup` or by a worker at start, and checked by `vakt temporal check`.

A self-hosted cluster or the dev server takes them through the operator service. Temporal Cloud
does not: there they are added once with `tcld` or in the Cloud UI, and the error says how.
"""

from __future__ import annotations

from dataclasses import dataclass

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from app.bootstrap import Services
from app.errors import Unavailable
from infra.temporal_client import temporal_target
from workflows import search

KEYWORD = IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD


@dataclass(frozen=True)
class AttributeState:
    name: str
    state: str  # "present", "created", "missing", "wrong type"


def _cloud_hint(namespace: str, names: list[str]) -> str:
    adds = " ".join(f"--search-attribute '{n}=Keyword'" for n in names)
    return (f"create them with `vakt temporal setup`; on Temporal Cloud, once, with "
            f"`tcld namespace search-attributes add --namespace {namespace} {adds}` or in the Cloud UI")


async def _existing(client: Client, namespace: str) -> dict[str, int] | None:
    """Custom search attributes and their types; None when the cluster will not say."""
    try:
        answer = await client.operator_service.list_search_attributes(ListSearchAttributesRequest(namespace=namespace))
    except RPCError as e:
        if e.status in (RPCStatusCode.PERMISSION_DENIED, RPCStatusCode.UNIMPLEMENTED, RPCStatusCode.UNAUTHENTICATED):
            return None
        raise
    return dict(answer.custom_attributes)


async def search_attributes(client: Client, namespace: str, *, create: bool) -> list[AttributeState] | None:
    """Each attribute's state, creating the missing ones when `create`; None: not visible to
    this client (Temporal Cloud's API keys often cannot list them)."""
    existing = await _existing(client, namespace)
    if existing is None:
        return None
    missing = [k.name for k in search.ALL if k.name not in existing]
    created: set[str] = set()
    if create and missing:
        try:
            await client.operator_service.add_search_attributes(
                AddSearchAttributesRequest(namespace=namespace, search_attributes={n: KEYWORD for n in missing})
            )
            created = set(missing)
        except RPCError as e:
            if e.status is RPCStatusCode.ALREADY_EXISTS:  # another worker was quicker
                created = set(missing)
            elif e.status not in (RPCStatusCode.PERMISSION_DENIED, RPCStatusCode.UNIMPLEMENTED,
                                  RPCStatusCode.UNAUTHENTICATED, RPCStatusCode.INVALID_ARGUMENT):
                raise
    states = []
    for key in search.ALL:
        if key.name in created:
            states.append(AttributeState(key.name, "created"))
        elif key.name not in existing:
            states.append(AttributeState(key.name, "missing"))
        elif existing[key.name] != KEYWORD:
            states.append(AttributeState(key.name, "wrong type"))
        else:
            states.append(AttributeState(key.name, "present"))
    return states


def require_search_attributes(namespace: str, states: list[AttributeState] | None) -> None:
    """Unavailable naming every attribute that is missing or of the wrong type."""
    if states is None:
        return  # cannot be listed here: a period workflow's upsert will say so if they are missing
    wrong = [s for s in states if s.state in ("missing", "wrong type")]
    if wrong:
        names = ", ".join(f"{s.name} ({s.state})" for s in wrong)
        raise Unavailable(
            f"Temporal namespace {namespace!r} lacks the search attributes {names}, all of type Keyword; "
            + _cloud_hint(namespace, [s.name for s in wrong if s.state == "missing"])
        )


async def set_up_namespace(services: Services) -> tuple[str, list[AttributeState] | None]:
    """`vakt temporal setup`: create what is missing; the namespace and each attribute's state."""
    client = await services.temporal()
    states = await search_attributes(client, client.namespace, create=True)
    require_search_attributes(client.namespace, states)
    return client.namespace, states


@dataclass(frozen=True)
class ClusterCheck:
    target: str  # address, namespace and security, no secret
    attributes: list[AttributeState] | None


async def check_cluster(services: Services) -> ClusterCheck:
    """`vakt temporal check`: connect as the worker would (the namespace is checked there) and
    look at the search attributes; Unavailable naming the first thing that is wrong."""
    client = await services.temporal()
    target = temporal_target(services.settings, services.env)
    states = await search_attributes(client, client.namespace, create=False)
    require_search_attributes(client.namespace, states)
    return ClusterCheck(target.describe() if target else client.service_client.config.target_host, states)
