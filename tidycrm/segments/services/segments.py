"""Segment definitions: create, change, delete; the filter is checked before it is stored."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.models import User
from tidycrm.accounts.services import require
from tidycrm.audit.choices import Action, Channel
from tidycrm.audit.services import record_change
from tidycrm.core import events
from tidycrm.core.door import check_version
from tidycrm.core.exceptions import ValidationFailed
from tidycrm.hygiene.text import clean
from tidycrm.lists.services import require_creator_or_admin, unique_key
from tidycrm.segments.choices import Refresh
from tidycrm.segments.language import validate_filter
from tidycrm.segments.models import Segment

MAX_NAME = 120
MAX_DESCRIPTION = 500


def _name(value: str) -> str:
    name = clean(value)
    if not name:
        raise ValidationFailed({"name": ["is required."]})
    if len(name) > MAX_NAME:
        raise ValidationFailed({"name": [f"is longer than {MAX_NAME} characters."]})
    return name


def _key(name: str, exclude_id: int | None) -> str:
    return unique_key(Segment, name, exclude_id, "segment")


def _cleaned(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if "name" in fields:
        cleaned["name"] = _name(fields["name"])
    if "description" in fields:
        description = clean(fields["description"] or "")
        if len(description) > MAX_DESCRIPTION:
            raise ValidationFailed(
                {"description": [f"is longer than {MAX_DESCRIPTION} characters."]}
            )
        cleaned["description"] = description
    if "filter" in fields:
        validate_filter(fields["filter"])
        cleaned["filter"] = fields["filter"]
    if "refresh_minutes" in fields:
        if fields["refresh_minutes"] not in Refresh.values:
            allowed = ", ".join(str(v) for v in Refresh.values)
            raise ValidationFailed({"refresh_minutes": [f"must be one of {allowed}."]})
        cleaned["refresh_minutes"] = fields["refresh_minutes"]
    return cleaned


def create_segment(
    *,
    name: str,
    filter: dict[str, Any],
    actor: User,
    channel: Channel | str,
    description: str = "",
    refresh_minutes: int = Refresh.MANUAL,
) -> Segment:
    require(actor, Permission.EDIT)
    fields = _cleaned(
        {
            "name": name,
            "description": description,
            "filter": filter,
            "refresh_minutes": refresh_minutes,
        }
    )
    with transaction.atomic():
        segment = Segment.objects.create(**fields, key=_key(fields["name"], None), created_by=actor)
        changes = {k: {"before": None, "after": v} for k, v in fields.items()}
        record_change(segment, action=Action.CREATE, channel=channel, actor=actor, changes=changes)
        events.emit("segment.created", id=segment.pk, actor_id=actor.pk)
        _schedule(segment)
    return segment


def update_segment(
    segment: Segment,
    changes_in: dict[str, Any],
    *,
    actor: User,
    channel: Channel | str,
    expected_version: int | None = None,
) -> Segment:
    """Change the fields given (name, description, filter, refresh_minutes)."""
    require_creator_or_admin(segment.created_by_id, actor, "segment")
    fields = _cleaned(changes_in)
    with transaction.atomic():
        segment = Segment.objects.select_for_update().get(pk=segment.pk)
        check_version(segment, expected_version)
        changes = {
            name: {"before": getattr(segment, name), "after": value}
            for name, value in fields.items()
            if getattr(segment, name) != value
        }
        if not changes:
            return segment
        if "name" in changes:
            segment.key = _key(fields["name"], segment.pk)
        for name, value in fields.items():
            setattr(segment, name, value)
        segment.version += 1
        segment.updated_at = timezone.now()
        segment.save()
        record_change(segment, action=Action.UPDATE, channel=channel, actor=actor, changes=changes)
        events.emit("segment.updated", id=segment.pk, actor_id=actor.pk, fields=sorted(changes))
        if "refresh_minutes" in changes:
            _schedule(segment)
    return segment


def delete_segment(segment: Segment, *, actor: User, channel: Channel | str) -> None:
    require_creator_or_admin(segment.created_by_id, actor, "segment")
    with transaction.atomic():
        record_change(
            segment,
            action=Action.DELETE,
            channel=channel,
            actor=actor,
            changes={
                "name": {"before": segment.name, "after": None},
                "filter": {"before": segment.filter, "after": None},
            },
        )
        segment_id = segment.pk
        segment.delete()
        events.emit("segment.deleted", id=segment_id, actor_id=actor.pk)


def _schedule(segment: Segment) -> None:
    """Queue the next scheduled recompute once this transaction commits."""
    if segment.refresh_minutes == Refresh.MANUAL:
        return
    from tidycrm.segments.tasks import schedule_recompute

    segment_id, minutes = segment.pk, segment.refresh_minutes
    transaction.on_commit(lambda: schedule_recompute(segment_id, minutes))
