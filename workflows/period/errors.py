"""The errors a period's workflow gives its clients, by `ApplicationError.type`.

- `RuleViolation`: a refusal by the rulebook, details `[{rule, message}]`, never retried. Raised
  by a validator (the update then writes nothing to the history) or by a handler.
- `RunRollingOver`: this run has taken its share of updates and is about to continue as new;
  retryable, and the retry lands on the next run (app/periods/updates.py backs off and retries).
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.period.rules import RuleViolation

RULE_VIOLATION = "RuleViolation"
RUN_ROLLING_OVER = "RunRollingOver"  # retryable: the update limit of this run is reached


def rule_violation_error(violation: RuleViolation) -> ApplicationError:
    """A refusal the client can read: type RuleViolation, details [{rule, message}]."""
    return ApplicationError(
        f"{violation.rule}: {violation.message}", violation.model_dump(), type=RULE_VIOLATION, non_retryable=True
    )


def refuse(rule: str, message: str, code: str = "other") -> ApplicationError:
    return rule_violation_error(RuleViolation(rule=rule, message=message, code=code))


def refuse_if_violation(decision: object) -> None:
    """Raise the refusal when the domain's decision is a RuleViolation; otherwise do nothing."""
    if isinstance(decision, RuleViolation):
        raise rule_violation_error(decision)


def rolling_over() -> ApplicationError:
    return ApplicationError("the period is continuing as new; retry shortly", type=RUN_ROLLING_OVER)
