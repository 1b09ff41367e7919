"""The entry policy as an administrator edits it in the app: per record type, check and channel,
reject, flag or fix (tidycrm.records.policy holds the defaults and applies them).

Only choices that differ from the default are stored, so a later change of a default reaches
every installation that never chose otherwise. Each change is audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.models import User
from tidycrm.accounts.services import require
from tidycrm.audit.choices import Action
from tidycrm.audit.services import record_change
from tidycrm.core.exceptions import ValidationFailed
from tidycrm.records.models import EntryPolicy
from tidycrm.records.policy import ACTIONS, CHANNELS, DEFAULTS, DESCRIPTIONS, default_action

RECORD_TYPES = tuple(DEFAULTS)


@dataclass(frozen=True)
class Cell:
    record_type: str
    check: str
    channel: str
    action: str
    default: str

    @property
    def key(self) -> str:
        """The form field name of this cell."""
        return f"{self.record_type}.{self.check}.{self.channel}"


def policy_table() -> dict[str, list[tuple[str, str, list[Cell]]]]:
    """Per record type: (check, its description, one cell per channel) as in effect now."""
    chosen = {(p.record_type, p.field, p.channel): p.action for p in EntryPolicy.objects.all()}
    table: dict[str, list[tuple[str, str, list[Cell]]]] = {}
    for record_type, checks in DEFAULTS.items():
        rows = []
        for check in checks:
            cells = []
            for channel in CHANNELS:
                default = default_action(record_type, check, channel)
                action = chosen.get((record_type, check, channel), default)
                cells.append(Cell(record_type, check, channel, action, default))
            rows.append((check, DESCRIPTIONS.get(check, check), cells))
        table[record_type] = rows
    return table


def save_policy(actor: User, choices: Mapping[str, Any], *, channel: str = "ui") -> int:
    """Store the administrator's choices ({"contact.email.import": "flag", ...}); returns how
    many changed. Unknown cells and actions are refused with the cell named."""
    require(actor, Permission.MANAGE_SETTINGS)
    cells = {c.key: c for rows in policy_table().values() for _, _, cs in rows for c in cs}
    errors: dict[str, list[str]] = {}
    for key, action in choices.items():
        if key not in cells:
            errors[key] = ["is not a record type, check and channel of the entry policy."]
        elif action not in ACTIONS:
            errors[key] = [f"'{str(action)[:20]}' is not one of: {', '.join(ACTIONS)}."]
    if errors:
        raise ValidationFailed(errors)
    changed = 0
    with transaction.atomic():
        for key, action in choices.items():
            cell = cells[key]
            if action == cell.action:
                continue
            changed += 1
            row, _ = EntryPolicy.objects.get_or_create(
                record_type=cell.record_type,
                field=cell.check,
                channel=cell.channel,
                defaults={"action": action},
            )
            row.action = action
            row.save()
            record_change(
                row,
                action=Action.UPDATE,
                channel=channel,
                actor=actor,
                changes={"action": {"before": cell.action, "after": action}},
            )
            if action == cell.default:  # back to the default: nothing to store
                row.delete()
    return changed
