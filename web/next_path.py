"""Where a person wanted to go before signing in (`next`), carried through the sign-in form, the
mailed link and the identity provider's round trip, so the invitation's link lands on its page.

Only a same-site relative path is ever followed: it starts with a single `/`, holds no `//`, no
backslash (browsers read `/\\evil` as `//evil`), no whitespace or control character (a tab in
`/\\t/evil` is dropped by browsers), no scheme, and is at most 500 characters. Anything else
becomes `/`: an open redirect would let a crafted link send a signed-in person off-site."""

from __future__ import annotations

MAX = 500


def safe_next(value: object) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX:
        return "/"
    if not value.startswith("/") or "//" in value or "\\" in value:
        return "/"
    if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in value):
        return "/"
    if ":" in value.split("?", 1)[0].split("/", 2)[1]:  # a scheme-like first segment
        return "/"
    return value


def wanted(path: str, query: str) -> str:
    """The target of a signed-out GET (its path and query), or `/` when it is not safe."""
    return safe_next(f"{path}?{query}" if query else path)
