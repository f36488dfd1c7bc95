"""One hierarchy of errors for every use case. Entry points map them: the CLI to an exit code
and one line on stderr, the HTTP service to a status code and a JSON body.

Messages are one line, safe to show to the person who asked: they name the record and field,
never a personal value or a secret (R-DATA-1).
"""

from __future__ import annotations


class VaktError(Exception):
    exit_code = 1
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(VaktError):
    """The request itself is wrong: a field, a file, a size. Nothing was started or written."""

    exit_code = 2
    http_status = 422


class NotFound(BadInput):
    """An unknown period, doctor, district …"""

    http_status = 404


class Conflict(BadInput):
    """The request clashes with what exists: a period already started, a round already over."""

    http_status = 409


class Refused(VaktError):
    """The rulebook refused the action; `rule` names the rule (R-QUAL-2 …). Nothing changed."""

    exit_code = 2
    http_status = 409

    def __init__(self, rule: str, message: str, code: str = "other") -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.reason = message
        self.code = code  # stable, for the page's language (RuleViolation.code)


class Forbidden(VaktError):
    """Signed in, but the role does not allow this (a doctor acting for another doctor)."""

    exit_code = 2
    http_status = 403


class Unauthenticated(VaktError):
    exit_code = 2
    http_status = 401


class Unavailable(VaktError):
    """A service the use case needs (PostgreSQL, Temporal, SMTP) did not answer."""

    exit_code = 1
    http_status = 503


class TooManyRequests(VaktError):
    """Over a rate limit (sign-in throttling); `retry_after` says in how many seconds to try again."""

    exit_code = 1
    http_status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many requests; try again later")
        self.retry_after = max(1, int(retry_after))
