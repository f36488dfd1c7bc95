"""The web service's routes (web/service.py): routers are tried in order, the busiest first, so
the order must never let one route take another's requests. Each route's own path, with every
parameter filled, is handled by that route for each of its methods."""

from __future__ import annotations

import re

from web.service import create_app


def _flat(routes):
    for route in routes:
        inner = getattr(route, "original_router", None)  # FastAPI keeps an included router whole
        if inner is not None:
            yield from _flat(inner.routes)
        else:
            yield route


def test_no_route_hides_another():
    routes = [r for r in _flat(create_app(None).routes) if hasattr(r, "path_regex")]
    assert len(routes) > 100
    hidden = []
    for route in routes:
        path = re.sub(r"\{[^}]+\}", "x9", getattr(route, "path_format", route.path))
        for method in sorted(getattr(route, "methods", None) or {"GET"}):
            first = next(r for r in routes if r.path_regex.match(path)
                         and (getattr(r, "methods", None) is None or method in r.methods))
            if first is not route:
                hidden.append(f"{method} {route.path} goes to {first.path}")
    assert not hidden, hidden


def test_the_board_is_found_first():
    routes = [r for r in _flat(create_app(None).routes) if hasattr(r, "path_regex")]
    board = next(i for i, r in enumerate(routes) if getattr(r, "path", "") == "/periods/{period}")
    assert board < 5, [r.path for r in routes[:board + 1]]
