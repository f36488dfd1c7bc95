"""The API keeps its own contract: schemathesis (from PyPI, run as its users run it) generates
requests from the OpenAPI document against the running service, over a live round, without a
session and with a doctor's, and every check of it passes: no server error, every status and
body as declared, bad input refused with 4xx, good input accepted, no route that ignores the
missing session. Bounded (a few examples per operation) to stay within the suite's time."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

from tests.web.stack import email_of, start_example_period

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
BOUNDS = ["--max-examples", "6", "--phases", "examples,coverage,fuzzing", "--workers", "1",
          "--request-timeout", "20", "--suppress-health-check", "all"]


# positive_data_acceptance's own default, and 422.
ACCEPTED_OR_NAMED_FIELD = '["2xx", "3xx", "401", "403", "404", "409", "422", "429"]'
# The session goes in as the document's own security scheme, so schemathesis knows it is the
# credential (it then also tries each operation without it); the CSRF token as a header.
SIGNED_IN = """
[auth.openapi.session]
api_key = "${VAKT_TEST_SESSION}"

[headers]
X-CSRF-Token = "${VAKT_TEST_CSRF}"
""" + "".join(
    f"""
[[operations]]
include-path = "{path}"
include-method = "{method}"
checks.positive_data_acceptance.expected-statuses = {ACCEPTED_OR_NAMED_FIELD}
""" for method, path, _ in (
        # Rules across fields, which JSON Schema cannot state: these answer 422 naming the field
        # to some schema-valid bodies, which this check then takes as well. Every check runs.
        ("POST", "/api/me/details", "R-DATA-1: no course before the doctor's birth; an address email-validator takes"),
        ("POST", "/api/me/requests", "`to` not before `from`; R-EX-5: the substitute on the district's roll"),
    )
)


async def _schemathesis(base_url: str, config: Path, **env: str) -> tuple[int, str]:
    args = [str(SCHEMATHESIS), "--config-file", str(config), "run", f"{base_url}/openapi.json", "--checks", "all",
            *BOUNDS]
    process = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "NO_COLOR": "1", **env}, cwd=config.parent,
    )
    out, _ = await process.communicate()
    return process.returncode, out.decode(errors="replace")


def _summary(output: str) -> str:
    return output[-8000:]


def _every_operation_tested(output: str) -> None:
    """Every documented operation was reached (none skipped for want of data or a schema problem)."""
    selected = re.search(r"Selected: (\d+)/(\d+)", output)
    tested = re.search(r"Tested: (\d+)", output)
    assert selected and tested, _summary(output)
    assert int(tested.group(1)) == int(selected.group(1)) == int(selected.group(2)) >= 35, _summary(output)


async def test_schemathesis_finds_no_failure_without_a_session_and_with_a_doctors(web, tmp_path, monkeypatch):
    # A read naming a version never stored (or a round that does not exist) waits for it, then
    # answers with what is stored: the same answer after a shorter wait. The generated requests
    # name such versions and rounds hundreds of times.
    monkeypatch.setattr("app.reads.doctor_views.STORE_WAIT", 0.3)
    await start_example_period(web)
    anonymous = tmp_path / "anonymous.toml"
    anonymous.write_text("")
    doctor = await web.sign_in(email_of("gp04"))
    signed_in = tmp_path / "signed-in.toml"
    signed_in.write_text(SIGNED_IN)
    # The two runs side by side: each spends much of its time waiting on the service's answers.
    (code, output), (signed_code, signed_output) = await asyncio.gather(
        _schemathesis(web.base_url, anonymous),
        _schemathesis(web.base_url, signed_in, VAKT_TEST_SESSION=next(iter(doctor.cookies.values())),
                      VAKT_TEST_CSRF=doctor.headers["X-CSRF-Token"]),
    )
    assert code == 0, _summary(output)
    _every_operation_tested(output)
    assert signed_code == 0, _summary(signed_output)
    _every_operation_tested(signed_output)
    assert (await doctor.get("/api/me")).status_code == 200  # the session outlived the run
