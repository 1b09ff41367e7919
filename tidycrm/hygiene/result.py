"""What every standardiser returns: the standard value, or the raw input with the problems found."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Standardised[T]:
    raw: str
    value: T | None
    problems: list[str] = field(default_factory=list)
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.value is not None and not self.problems
