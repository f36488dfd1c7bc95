"""A period's workflow: `AllocationPeriodWorkflow` (workflow.py) declares everything it accepts;
the runtime (runtime.py) records, stores and continues as new; actions.py, swaps.py, notices.py
and queries.py hold what its handlers do; errors.py the refusals its clients read."""

from workflows.period.errors import RULE_VIOLATION, RUN_ROLLING_OVER, rule_violation_error
from workflows.period.workflow import AllocationPeriodWorkflow

__all__ = ["RULE_VIOLATION", "RUN_ROLLING_OVER", "AllocationPeriodWorkflow", "rule_violation_error"]
