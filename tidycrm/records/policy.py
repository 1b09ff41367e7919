"""The entry policy: what the door does with a value that is not right, per record type, field
and channel. Defaults live here; an administrator overrides them with EntryPolicy rows.

reject  the record is refused with a field error naming the problem.
flag    the value is stored as entered; the problem is kept in the record's `data_flags` and
        returned as a warning.
fix     the door's standard form is stored and the change returned as a warning; a value with
        no standard form (an e-mail address that is not one) is kept and flagged as under "flag".

See docs/decisions/0005-entry-policy.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tidycrm.core.door import Draft
from tidycrm.hygiene.result import Issue

REJECT, FLAG, FIX = "reject", "flag", "fix"
ACTIONS = (REJECT, FLAG, FIX)
CHANNELS = ("ui", "api", "import", "form", "automation", "system")
# People typing can correct a value on the spot; files and machines cannot, so their rows are
# kept and flagged for later clean-up instead of being lost.
_STRICT_INTERACTIVE = {"ui": REJECT, "api": REJECT, "form": REJECT, "*": FLAG}

DEFAULTS: dict[str, dict[str, dict[str, str]]] = {
    "contact": {
        "name": {"*": FIX},
        "email": _STRICT_INTERACTIVE,
        "email_role": {"*": FLAG},
        "email_free_mail": {"*": FLAG},
        "phone": {"*": FLAG},
        "country": _STRICT_INTERACTIVE,
        "street": {"*": FIX},
        "postal_code": {"*": FLAG},
        "url": _STRICT_INTERACTIVE,
    },
    "company": {
        "website": _STRICT_INTERACTIVE,
        "phone": {"*": FLAG},
        "country": _STRICT_INTERACTIVE,
        "street": {"*": FIX},
        "postal_code": {"*": FLAG},
    },
}
DESCRIPTIONS = {
    "name": "Names typed all-lower or ALL-CAPS (capitals: McDonald, van der Berg, Işık)",
    "email": "E-mail addresses that are not valid",
    "email_role": "Role addresses such as info@ or sales@",
    "email_free_mail": "Addresses at free-mail providers (gmail.com, web.de, naver.com...)",
    "phone": "Phone numbers that cannot be parsed or are not valid",
    "country": "Countries that are not recognised",
    "street": "Street and city spelling (St, Ave, Str., Cd., Sk., capitals)",
    "postal_code": "Postal codes not in the country's format",
    "url": "Social profile addresses that are not web addresses",
    "website": "Websites that are not web addresses",
}


def default_action(record_type: str, check: str, channel: str) -> str:
    rules = DEFAULTS.get(record_type, {}).get(check, {"*": FLAG})
    return rules.get(channel, rules.get("*", FLAG))


@dataclass
class Policy:
    """The actions for one record type and channel: defaults with an admin's overrides."""

    record_type: str
    channel: str
    overrides: dict[str, str] = field(default_factory=dict)

    def action(self, check: str) -> str:
        return self.overrides.get(check) or default_action(self.record_type, check, self.channel)


def load_policy(record_type: str, channel: str) -> Policy:
    from tidycrm.records.models import EntryPolicy

    rows = EntryPolicy.objects.filter(record_type=record_type, channel=channel)
    return Policy(record_type, channel, {r.field: r.action for r in rows})


class Checker:
    """Applies a policy to the issues the standardisers report, collecting the record's flags
    and the warnings the door returns."""

    def __init__(self, policy: Policy, draft: Draft) -> None:
        self.policy = policy
        self.draft = draft
        self.flags: dict[str, list[str]] = {}

    def apply(self, issues: Iterable[Issue]) -> None:
        for issue in issues:
            self.one(issue)

    def one(self, issue: Issue) -> None:
        action = self.policy.action(issue.check)
        if issue.is_change:
            if action == FIX:
                self.draft.warnings.append(f"{issue.path}: {issue.message}")
                return
            if issue.row is not None:
                issue.row[issue.part] = issue.before
            if action == REJECT:
                self.draft.error(issue.path, f"should be written '{issue.after}'.")
            else:
                self.flag(issue.path, f"could be written '{issue.after}'.")
            return
        if action == REJECT:
            self.draft.error(issue.path, issue.message)
        else:
            self.flag(issue.path, issue.message)

    def flag(self, path: str, message: str) -> None:
        self.flags.setdefault(path, []).append(message)
        self.draft.warnings.append(f"{path}: {message}")

    def finish(
        self,
        current: Mapping[str, list[str]] | None,
        data: Mapping[str, Any],
        also_replaced: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        """Store the record's flags: those of fields this change did not touch stay."""
        touched = set(data)
        for name, fields in (also_replaced or {}).items():
            if name in data:
                touched.update(fields)
        kept = {p: m for p, m in (current or {}).items() if p.split(".", 1)[0] not in touched}
        merged = {**kept, **self.flags}
        if merged != (current or {}) or current is None:
            self.draft.fields["data_flags"] = merged
