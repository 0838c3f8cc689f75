"""Domain errors. Each maps to one HTTP status in ``functions.common.http``; domain code
raises them without knowing about HTTP."""

from __future__ import annotations


class DomainError(Exception):
    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    status = 400


class NotSignedIn(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Gone(DomainError):
    status = 410


class TooManyRequests(DomainError):
    status = 429

    def __init__(self, message: str, *, field: str | None = None, retry_after: int = 3600) -> None:
        from datetime import UTC, datetime, timedelta

        #: Seconds until a new attempt can succeed (sent as ``Retry-After``).
        self.retry_after = max(1, int(retry_after))
        self.retry_at = datetime.now(UTC) + timedelta(seconds=self.retry_after)
        super().__init__(message, field=field)
