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


@dataclass(frozen=True)
class Issue:
    """Something the door's entry policy decides on: a value that is not right (`after` None),
    or a value the standardiser rewrote from `before` to `after`.

    `row` and `part` point at where the value sits, so the policy can put back what was
    entered; `check` names the policy field ("email", "phone", "street", ...).
    """

    path: str
    check: str
    message: str
    before: str | None = None
    after: str | None = None
    row: dict[str, object] | None = field(default=None, compare=False, repr=False)
    part: str = ""

    @property
    def is_change(self) -> bool:
        return self.after is not None
