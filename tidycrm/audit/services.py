"""The only writer of change records."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from tidycrm.audit.choices import Action, Channel
from tidycrm.audit.models import ChangeRecord


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Fields whose values differ, as {"field": {"before": b, "after": a}}."""
    changes: dict[str, dict[str, Any]] = {}
    for name in sorted(set(before) | set(after)):
        old, new = jsonable(before.get(name)), jsonable(after.get(name))
        if old != new:
            changes[name] = {"before": old, "after": new}
    return changes


def record_change(
    obj: Model,
    *,
    action: Action,
    channel: Channel | str,
    actor: Any,
    changes: dict[str, dict[str, Any]],
    source: dict[str, Any] | None = None,
) -> ChangeRecord | None:
    """Store one change; an update that changed nothing leaves no record."""
    if action == Action.UPDATE and not changes:
        return None
    return ChangeRecord.objects.create(**_fields(obj, action, channel, actor, changes, source))


def record_changes_bulk(entries: list[dict[str, Any]]) -> None:
    """Bulk form for imports: each entry holds record_change's keyword arguments plus obj."""
    ChangeRecord.objects.bulk_create(
        [
            ChangeRecord(
                **_fields(
                    e["obj"], e["action"], e["channel"], e["actor"], e["changes"], e.get("source")
                )
            )
            for e in entries
            if e["action"] != Action.UPDATE or e["changes"]
        ],
        batch_size=1000,
    )


def _fields(
    obj: Model,
    action: Action,
    channel: Channel | str,
    actor: Any,
    changes: dict[str, dict[str, Any]],
    source: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "content_type": ContentType.objects.get_for_model(obj),
        "object_id": obj.pk,
        "object_repr": str(obj)[:255],
        "action": action,
        "channel": Channel(channel),
        "actor": actor if getattr(actor, "pk", None) else None,
        "changes": jsonable(changes),
        "source": jsonable(source or {}),
    }
