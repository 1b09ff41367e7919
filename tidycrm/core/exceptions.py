"""Domain errors: raised by services, mapped to API responses and form errors at the edge."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a user can cause; carries a message safe to show."""

    status_code = 400

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors: dict[str, list[str]] = field_errors or {}

    def as_dict(self) -> dict[str, object]:
        return {"detail": self.message, "errors": self.field_errors}


class ValidationFailed(DomainError):
    """Input is well-formed but a field's value is not acceptable."""

    status_code = 422

    def __init__(self, field_errors: dict[str, list[str]], message: str | None = None) -> None:
        summary = message or "; ".join(
            f"{name}: {' '.join(problems)}" for name, problems in field_errors.items()
        )
        super().__init__(summary, field_errors=field_errors)


class PermissionDenied(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    """The write would break a uniqueness rule or lost a race with another edit."""

    status_code = 409
