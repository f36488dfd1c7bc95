"""Only same-site relative paths survive as a sign-in's target (web/next_path.py)."""

from __future__ import annotations

import pytest

from web.next_path import safe_next, wanted


@pytest.mark.parametrize("value", ["/periods/p-1/wishes", "/", "/requests?x=1", "/periods/p/swaps/new?shift=2027-01-09/day"])
def test_a_relative_path_is_kept(value):
    assert safe_next(value) == value


@pytest.mark.parametrize("value", [
    "//evil.example", "https://evil.example", "/\\evil", "javascript:alert(1)", "\\\\evil", "evil.example",
    "/\t/evil.example", "/\n/x", "", None, 42, "/" + "a" * 500, "/x//evil", " /x", "/javascript:x",
])
def test_anything_else_lands_on_the_home_page(value):
    assert safe_next(value) == "/"


def test_the_wanted_page_with_its_query():
    assert wanted("/periods/p", "month=2027-01") == "/periods/p?month=2027-01"
    assert wanted("//evil", "") == "/"
