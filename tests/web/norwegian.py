"""A page in Norwegian holds no English word: what the browser tests check at each state besides
axe-core. Words marked `lang="en"` (the engine's own English, kept for the IT department), rule
IDs and scripts are left out."""

from __future__ import annotations

import re

ENGLISH = re.compile(
    r"\b(the|you|your|already|taken|shift|shifts|not|with|which|this|that|claim|offer|offers|deadline|request|"
    r"requests|refused|granted|pending|expires|none|sign|period|phase|meeting|offering|lottery|published|"
    r"mobile|error|invalid|must|should|pattern|string|held|holds|backup|evening|night|swap|swaps|stuck|waiting|"
    r"healthy|schedule|paused|round|rounds|events|doctor|doctors|reason|close|cancel|restart)\b",
    re.IGNORECASE,
)
RULE_ID = re.compile(r"\bR-[A-Z]+-\d+\b")


async def english_words(page) -> list[str]:
    said = await page.evaluate(
        "() => { const b = document.body.cloneNode(true);"
        " b.querySelectorAll('[lang=en], .rule, script').forEach(e => e.remove()); return b.innerText; }"
    )
    return sorted({m.lower() for m in ENGLISH.findall(RULE_ID.sub("", said))})


async def assert_norwegian(page, state: str) -> None:
    assert await page.evaluate("() => document.documentElement.lang") == "nb", state
    found = await english_words(page)
    assert not found, f"{state}: English on a Norwegian page: {found}"
