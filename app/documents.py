"""Reading a JSON document a person handed us (a scenario, a registry export) — safely.

Every way a file can be wrong gets one clear `BadInput` naming the file: missing, a directory,
unreadable, too large, not UTF-8 (a binary), not JSON (truncated), nested deeper than any
scenario needs (a 10,000-deep document would exhaust the parser's recursion). Nothing is
started or written before the whole document has been read and validated.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.errors import BadInput
from domain.limits import MAX_JSON_DEPTH, MAX_SCENARIO_BYTES
from domain.scenario import Scenario, ScenarioError, parse_scenario

MAX_PROBLEMS_SHOWN = 10


def _depth_exceeds(text: str, limit: int) -> bool:
    """Whether brackets nest deeper than `limit` (strings skipped), without parsing."""
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def _shown(path: Path) -> str:
    name = str(path)
    return name[:60] + "…" if len(name) > 500 else name


def read_text(path: Path, *, what: str, kind: str, max_bytes: int = MAX_SCENARIO_BYTES) -> str:
    """A UTF-8 text file a person handed us, or one BadInput naming the file and what is wrong:
    missing, a directory, unreadable, too large, or not text (`kind` says what it should be)."""
    name = _shown(path)
    try:
        if not path.exists():
            raise BadInput(f"{name}: no such file")
        if path.is_dir():
            raise BadInput(f"{name}: is a directory, not a {what} file")
        size = path.stat().st_size
        if size > max_bytes:
            raise BadInput(f"{name}: {size:,} bytes; a {what} may be at most {max_bytes:,} bytes")
        raw = path.read_bytes()
    except OSError as e:
        raise BadInput(f"{name}: cannot be read ({e.strerror or type(e).__name__})") from None
    if len(raw) > max_bytes:  # a file that grew, or a pipe
        raise BadInput(f"{name}: larger than {max_bytes:,} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadInput(f"{name}: not a text file (byte {e.start} is not UTF-8); a {what} is {kind}") from None


def read_json(path: Path, *, what: str = "document", max_bytes: int = MAX_SCENARIO_BYTES) -> Any:
    name = _shown(path)
    text = read_text(path, what=what, kind="JSON", max_bytes=max_bytes)
    if _depth_exceeds(text, MAX_JSON_DEPTH):
        raise BadInput(f"{name}: JSON nested deeper than {MAX_JSON_DEPTH} levels; a {what} needs far fewer")
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise BadInput(f"{name}: not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
    except RecursionError:
        raise BadInput(f"{name}: JSON nested too deeply") from None


def read_scenario(path: Path) -> Scenario:
    """A validated scenario (docs/scenario-format.md); BadInput lists every problem by path."""
    document = read_json(Path(path), what="scenario")
    try:
        return parse_scenario(document)
    except ScenarioError as e:
        raise BadInput(f"{path}: invalid scenario, nothing was run: {problem_list(e.problems)}") from None


def problem_list(problems: list[str]) -> str:
    """Problems on one line: `a: why; b: why (and 3 more)`."""
    shown = problems[:MAX_PROBLEMS_SHOWN]
    more = len(problems) - len(shown)
    return "; ".join(shown) + (f" (and {more} more)" if more > 0 else "")
