"""Replay the recorded histories of a whole period with the workflow code as it is now.

A change that makes the workflow non-deterministic — a new timer, a reordered activity, a
removed update — fails here, in CI, not on a running period in production. The histories
(tests/replay/histories/) cover the meeting through publication: an advance wish, refused
actions, an operator's extension and early close, five continue-as-new hand-overs, the lottery
activity and publication. Re-record them with `python -m tests.replay.record` only when a change
is meant to change the history (and is deployed so that running periods keep the old code).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner

from tests.replay.record import HISTORIES, PUBLISHED, SEEDED, WORKFLOW_ID
from tests.replay.record_approvals import APPROVALS
from tests.replay.record_vacancies import VACANCIES
from tests.helpers.support import CONVERTER
from workflows.messages import PeriodInput, PeriodResult
from workflows.period import AllocationPeriodWorkflow

RECORDED = sorted(HISTORIES.glob("*.json"))
SEEDED_RECORDED = sorted(SEEDED.glob("*.json"))  # R-LOT-5: a drand-seeded round
PUBLISHED_RECORDED = sorted(PUBLISHED.glob("*.json"))  # R-SWAP-1 / R-LOAD-1: the published round
VACANCIES_RECORDED = sorted(VACANCIES.glob("*.json"))  # R-VAC-1..3: a published round with vacancies
APPROVALS_RECORDED = sorted(APPROVALS.glob("*.json"))  # R-SWAP-2: swaps waiting for an operator


def _history(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(WORKFLOW_ID, path.read_text())


def test_the_recordings_cover_a_whole_period():
    assert len(RECORDED) >= 2, "run `python -m tests.replay.record`"
    text = "".join(p.read_text() for p in RECORDED)
    for marker in ("ContinuedAsNew", "ActivityTaskScheduled", "WorkflowExecutionUpdateCompleted", "TimerFired"):
        assert marker.lower().replace("_", "") in text.lower().replace("_", ""), marker
    assert "run_lottery" in text and "append_events" in text
    assert "close_phase_early" in text and "extend_deadline" in text and "submit_actions" in text


@pytest.mark.parametrize("path", RECORDED, ids=[p.stem for p in RECORDED])
async def test_recorded_history_replays_with_the_current_code(path: Path):
    replayer = Replayer(workflows=[AllocationPeriodWorkflow], data_converter=CONVERTER)
    await replayer.replay_workflow(_history(path))  # raises on any non-determinism


def test_the_seeded_recording_commits_fetches_and_reveals():
    """R-LOT-5: the drand-seeded history holds the beacon fetch and the commitment's patch."""
    assert SEEDED_RECORDED, "run `python -m tests.replay.record --seeded`"
    text = "".join(p.read_text() for p in SEEDED_RECORDED)
    assert "fetch_beacon_round" in text and "core_patch" in text and "run_lottery" in text


@pytest.mark.parametrize("path", SEEDED_RECORDED, ids=[f"seed-{p.stem}" for p in SEEDED_RECORDED])
async def test_recorded_seeded_history_replays_with_the_current_code(path: Path):
    replayer = Replayer(workflows=[AllocationPeriodWorkflow], data_converter=CONVERTER)
    await replayer.replay_workflow(_history(path))


def test_the_published_recording_holds_swaps_notices_expiry_and_worked_shifts():
    """The published round as it ran before vacancies and swap approval: swaps offered, taken,
    withdrawn, declined and expired, their e-mails, shifts worked, across a continue-as-new."""
    assert len(PUBLISHED_RECORDED) >= 2, "run `python -m tests.replay.record --published`"
    text = "".join(p.read_text() for p in PUBLISHED_RECORDED)
    for marker in ("offer_swap", "accept_swap", "close_swap", "send_mail", "TimerFired", "ContinuedAsNew"):
        assert marker.lower().replace("_", "") in text.lower().replace("_", ""), marker


@pytest.mark.parametrize("path", PUBLISHED_RECORDED, ids=[f"published-{p.stem}" for p in PUBLISHED_RECORDED])
async def test_recorded_published_round_replays_with_the_current_code(path: Path):
    replayer = Replayer(workflows=[AllocationPeriodWorkflow], data_converter=CONVERTER)
    await replayer.replay_workflow(_history(path))


def test_the_vacancies_recording_declares_takes_escalates_assigns_and_leaves_one_uncovered():
    """R-VAC-1..3: vacancies declared, one taken, one escalated on its timer and assigned by an
    operator, one left uncovered at its start; their e-mails and the operators' alerts; the
    `vacancies` patch marker; across a continue-as-new."""
    assert len(VACANCIES_RECORDED) >= 2, "run `python -m tests.replay.record --vacancies`"
    text = "".join(p.read_text() for p in VACANCIES_RECORDED).lower().replace("_", "")
    for marker in ("declare_vacancy", "take_vacancy", "assign_vacancy", "alert_operators", "send_mail", "TimerFired",
                   "ContinuedAsNew", "core_patch"):
        assert marker.lower().replace("_", "") in text, marker


@pytest.mark.parametrize("path", VACANCIES_RECORDED, ids=[f"vacancies-{p.stem}" for p in VACANCIES_RECORDED])
async def test_recorded_vacancies_round_replays_with_the_current_code(path: Path):
    replayer = Replayer(workflows=[AllocationPeriodWorkflow], data_converter=CONVERTER)
    await replayer.replay_workflow(_history(path))


def test_the_approvals_recording_approves_withdraws_and_rejects_waiting_swaps():
    """R-SWAP-2, recorded before the withdrawal notice: swaps waiting for an operator, one
    approved, one withdrawn by its giver while it waits, one rejected; their e-mails; the
    `swap-approval` patch marker; across a continue-as-new."""
    assert len(APPROVALS_RECORDED) >= 2, "run `python -m tests.replay.record_approvals`"
    text = "".join(p.read_text() for p in APPROVALS_RECORDED).lower().replace("_", "")
    for marker in ("accept_swap", "approve_swap", "close_swap", "reject_swap", "send_mail", "ContinuedAsNew",
                   "core_patch"):
        assert marker.lower().replace("_", "") in text, marker


@pytest.mark.parametrize("path", APPROVALS_RECORDED, ids=[f"approvals-{p.stem}" for p in APPROVALS_RECORDED])
async def test_recorded_approvals_round_replays_with_the_current_code(path: Path):
    """The `swap-withdrawn-notice` patch: a round that withdrew a waiting swap without telling
    its accepter replays with the code that now tells them."""
    replayer = Replayer(workflows=[AllocationPeriodWorkflow], data_converter=CONVERTER)
    await replayer.replay_workflow(_history(path))


@workflow.defn(name="AllocationPeriodWorkflow")
class ExtraTimerAtTheTop(AllocationPeriodWorkflow):
    """The deliberate non-deterministic change: one more timer before everything else."""

    @workflow.run
    async def run(self, inp: PeriodInput) -> PeriodResult:
        await workflow.sleep(timedelta(seconds=1))
        return await super().run(inp)


async def test_a_non_deterministic_change_fails_the_replay():
    """The control: the replay test does catch a change like an extra timer at the top of run()."""
    replayer = Replayer(
        workflows=[ExtraTimerAtTheTop], data_converter=CONVERTER, workflow_runner=UnsandboxedWorkflowRunner()
    )
    result = await replayer.replay_workflow(_history(RECORDED[0]), raise_on_replay_failure=False)
    assert result.replay_failure is not None
    assert "nondetermin" in str(result.replay_failure).lower()
