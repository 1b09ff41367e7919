"""API shape of a record's change history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Model
from ninja import Schema

from tidycrm.audit.models import ChangeRecord
from tidycrm.audit.selectors import history_for
from tidycrm.core.pagination import paginate


class ChangeOut(Schema):
    id: int
    action: str
    channel: str
    actor_id: int | None
    actor_name: str
    at: datetime
    changes: dict[str, Any]
    source: dict[str, Any]


class ChangePage(Schema):
    items: list[ChangeOut]
    next_cursor: str | None
    previous_cursor: str | None


def change_out(record: ChangeRecord) -> dict[str, Any]:
    return {
        "id": record.pk,
        "action": record.action,
        "channel": record.channel,
        "actor_id": record.actor_id,
        "actor_name": str(record.actor) if record.actor else "",
        "at": record.at,
        "changes": record.changes or {},
        "source": record.source or {},
    }


def history_page(record: Model, limit: int, cursor: str | None) -> dict[str, Any]:
    """A record's field-level changes, newest first, one keyset page."""
    page = paginate(history_for(record), ["-at", "-id"], limit, cursor)
    return {
        "items": [change_out(c) for c in page.items],
        "next_cursor": page.next_cursor,
        "previous_cursor": page.previous_cursor,
    }
