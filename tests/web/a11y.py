"""axe-core (Deque's accessibility engine, pinned by tests/a11y/package-lock.json) run inside
the browser tests' pages: WCAG 2.0/2.1 A and AA rules, and the best practices axe tags. A page
state passes with 0 violations; a failure lists each rule, its impact and the elements.

The script is injected through Playwright (`add_script_tag(content=…)`), which a page's CSP does
not block: Playwright evaluates it in an isolated world of the test, not as the page's script.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest

AXE_DIR = Path(__file__).resolve().parent.parent / "a11y"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@lru_cache(maxsize=1)
def axe_source() -> str:
    """axe.min.js, installed once from npm (`.ci/run` does it too) when missing."""
    if not AXE_JS.exists():
        if shutil.which("npm") is None:
            pytest.fail("npm is not installed (Node.js 20 or later installs axe-core for the browser tests)")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=AXE_DIR, check=True, capture_output=True,
                       timeout=300)
    return AXE_JS.read_text(encoding="utf-8")


async def violations(page) -> list[dict]:
    """axe's violations on the page as it stands now."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(axe_source())
    result = await page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS,
    )
    return result["violations"]


def describe(found: list[dict]) -> str:
    return json.dumps([
        {"rule": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5],
         "why": [n.get("failureSummary", "")[:300] for n in v["nodes"]][:2]}
        for v in found
    ], indent=1, ensure_ascii=False)


async def assert_accessible(page, state: str, checked: list[str] | None = None) -> None:
    """0 violations of WCAG 2.1 A/AA on this page state (named in the failure)."""
    found = await violations(page)
    assert not found, f"axe-core on {state} ({page.url}):\n{describe(found)}"
    if checked is not None:
        checked.append(state)
