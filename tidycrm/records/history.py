"""A record's change history made readable: user and team ids as names, internal fields hidden."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tidycrm.accounts.models import Team, User
from tidycrm.audit.models import ChangeRecord

# Derived or bookkeeping fields a person never edits.
HIDDEN = frozenset({"sort_key", "raw_input", "version", "updated_at", "created_at"})
EMPTY: tuple[Any, ...] = (None, "", [], {})


@dataclass(frozen=True)
class FieldChange:
    name: str
    before: Any
    after: Any


def readable(entries: Iterable[ChangeRecord]) -> list[ChangeRecord]:
    """Attach `rows` (FieldChange list) to each entry; two queries in all, for names."""
    entries = list(entries)
    user_ids: set[int] = set()
    team_ids: set[int] = set()
    for entry in entries:
        for name, ids in (("owner_id", user_ids), ("team_id", team_ids)):
            change = (entry.changes or {}).get(name) or {}
            ids.update(v for v in (change.get("before"), change.get("after")) if isinstance(v, int))
    users = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    teams = {t.pk: t.name for t in Team.objects.filter(pk__in=team_ids)} if team_ids else {}
    names = {"owner_id": users, "team_id": teams}
    for entry in entries:
        rows = []
        for name, change in (entry.changes or {}).items():
            if name in HIDDEN or not isinstance(change, dict):
                continue
            before, after = change.get("before"), change.get("after")
            if before in EMPTY and after in EMPTY:
                continue
            lookup = names.get(name)
            if lookup is not None:
                before = lookup.get(before, before) if isinstance(before, int) else before
                after = lookup.get(after, after) if isinstance(after, int) else after
            rows.append(FieldChange(name, before, after))
        entry.rows = rows  # type: ignore[attr-defined]
    return entries
