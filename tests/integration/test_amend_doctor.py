"""A clinic's decision before the meeting reaches the period's workflow: the
`amend_doctor` update replaces the doctor's minimised profile (DoctorAmended), refuses what the
domain refuses (writing nothing), and the amended profile survives continue-as-new — the next
run starts from the state's config, not the one the period began with."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowUpdateFailedError

from domain.model import Phase
from tests.integration.test_period_workflow import example_document, skip_until, start_period, store  # noqa: F401
from tests.helpers.support import submit, submit_retrying
from workflows.messages import AmendDoctorInput, CancelRoundInput
from workflows.period import AllocationPeriodWorkflow


def _rule(error: WorkflowUpdateFailedError) -> str:
    return error.cause.details[0]["rule"]


async def test_an_amended_profile_counts_and_survives_continue_as_new(temporal_env, store):  # noqa: F811
    worker, inp, wid, tq = await start_period(temporal_env, store, example_document(), max_updates_per_run=10)
    config = inp.config
    gp11 = config.doctor("gp11")
    qualified = gp11.model_copy(update={"qualification": gp11.qualification.model_copy(
        update={"violence_course": config.period.start})})
    async with worker:
        handle = await temporal_env.client.start_workflow(AllocationPeriodWorkflow.run, inp, id=wid, task_queue=tq)
        with pytest.raises(WorkflowUpdateFailedError) as wrong_role:
            await handle.execute_update(AllocationPeriodWorkflow.amend_doctor, AmendDoctorInput(
                doctor=gp11.model_copy(update={"role": "substitute"}), actor="operator:Kari"))
        assert _rule(wrong_role.value) == "R-PROC-7"
        await handle.execute_update(AllocationPeriodWorkflow.amend_doctor,
                                    AmendDoctorInput(doctor=qualified, request=7, actor="operator:Kari"))
        first_run = (await handle.describe()).run_id
        for _ in range(12):  # refused actions still count as updates: the run rolls over
            # Retried as the front door does: an update that meets the run rolling over is refused
            # with RunRollingOver and lands on the next run.
            outcome = await submit_retrying(temporal_env.client, wid, "claim", "gp04", "2027-01-05/evening")
            assert outcome.rule == "R-PROC-7"  # no claims before the offering
        await skip_until(temporal_env, handle, lambda v: v.phase is Phase.OFFERING)
        assert (await handle.describe()).run_id != first_run
        claim = await submit(handle, "claim", "gp11", "2027-01-05/backup")
        assert claim.accepted, claim  # R-QUAL-2 would refuse it on the original profile
        with pytest.raises(WorkflowUpdateFailedError) as too_late:
            await handle.execute_update(AllocationPeriodWorkflow.amend_doctor,
                                        AmendDoctorInput(doctor=gp11, actor="operator:Kari"))
        assert _rule(too_late.value) == "R-EX-3"
        # Finished, not terminated: the time-skipping server stalls after a terminate (decisions.md).
        await handle.execute_update(AllocationPeriodWorkflow.cancel_round,
                                    CancelRoundInput(operator="Kari", reason="test over"))
        await handle.result()
    stored = [e for e in await store.read_stream(wid) if e.type == "DoctorAmended"]
    assert [(e.actor, e.data["request"]) for e in stored] == [("operator:Kari", 7)]
