"""Writing activities: log, change, complete, delete. Audited, visibility-checked, with events."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.models import User
from tidycrm.accounts.services import require
from tidycrm.activities.choices import Kind
from tidycrm.activities.models import Activity, ActivityCompany, ActivityContact, ActivityDeal
from tidycrm.activities.services.clean import Cleaned, clean_activity
from tidycrm.activities.services.effort import recount_deals
from tidycrm.audit.choices import Action, Channel
from tidycrm.audit.services import diff, record_change
from tidycrm.contacts.models import Contact
from tidycrm.core import events
from tidycrm.core.door import check_version
from tidycrm.core.exceptions import ValidationFailed

LINK_MODELS: dict[str, tuple[type[ActivityContact | ActivityCompany | ActivityDeal], str]] = {
    "contact_ids": (ActivityContact, "contact_id"),
    "company_ids": (ActivityCompany, "company_id"),
    "deal_ids": (ActivityDeal, "deal_id"),
}
AUDITED = (
    "kind",
    "subject",
    "body",
    "occurred_at",
    "direction",
    "outcome_id",
    "duration_seconds",
    "ends_at",
    "location",
    "video_url",
    "due_at",
    "priority",
    "assignee_id",
    "remind_at",
    "completed_at",
    "owner_id",
)

# Changes that move the deals' activity and conversation counters.
COUNTED = frozenset({"kind", "outcome_id", "deal_ids"})


def log_activity(
    data: Mapping[str, Any], *, actor: User | None, channel: Channel | str
) -> Activity:
    """Log a call, e-mail, conversation, meeting, note or task, linked to records."""
    if actor is not None:
        require(actor, Permission.EDIT)
    cleaned = clean_activity(data, actor=actor, instance=None)
    with transaction.atomic():
        activity = Activity(**cleaned.fields, created_by=actor if actor else None)
        activity.save()
        _write_links(activity, cleaned, created=True)
        recount_deals(cleaned.links.get("deal_ids") or ())
        record_change(
            activity,
            action=Action.CREATE,
            channel=channel,
            actor=actor,
            changes=diff({}, snapshot(activity)),
        )
        touch_records(activity)
        events.emit("activity.created", **_payload(activity))
    return activity


def update_activity(
    activity: Activity,
    data: Mapping[str, Any],
    *,
    actor: User | None,
    channel: Channel | str,
    expected_version: int | None = None,
) -> Activity:
    """Change only the fields sent; `expected_version` refuses to overwrite a newer edit."""
    if actor is not None:
        require(actor, Permission.EDIT)
    cleaned = clean_activity(data, actor=actor, instance=activity)
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        check_version(activity, expected_version)
        before = snapshot(activity)
        for name, value in cleaned.fields.items():
            setattr(activity, name, value)
        _write_links(activity, cleaned, created=False)
        after = snapshot(activity)
        changes = diff(before, after)
        if changes:
            activity.version += 1
            activity.updated_at = timezone.now()
            activity.save()
            ActivityContact.objects.filter(activity=activity).update(at=activity.occurred_at)
            ActivityCompany.objects.filter(activity=activity).update(at=activity.occurred_at)
            ActivityDeal.objects.filter(activity=activity).update(at=activity.occurred_at)
            if changes.keys() & COUNTED:
                recount_deals({*before["deal_ids"], *after["deal_ids"]})
            record_change(
                activity, action=Action.UPDATE, channel=channel, actor=actor, changes=changes
            )
            touch_records(activity)
            events.emit("activity.updated", **_payload(activity), fields=sorted(changes))
    return activity


def complete_task(
    activity: Activity,
    *,
    actor: User | None,
    channel: Channel | str,
    done: bool = True,
    expected_version: int | None = None,
) -> Activity:
    """Mark a task done (or open again with done=False). Completing twice changes nothing."""
    if activity.kind != Kind.TASK:
        raise ValidationFailed({"kind": [f"a {activity.get_kind_display().lower()} is no task."]})
    if actor is not None:
        require(actor, Permission.EDIT)
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        check_version(activity, expected_version)
        if (activity.completed_at is not None) == done:
            return activity
        before = snapshot(activity)
        activity.completed_at = timezone.now() if done else None
        activity.completed_by = actor if done and actor else None
        activity.version += 1
        activity.updated_at = timezone.now()
        activity.save()
        record_change(
            activity,
            action=Action.UPDATE,
            channel=channel,
            actor=actor,
            changes=diff(before, snapshot(activity)),
        )
        if done:
            touch_records(activity, at=activity.completed_at)
        events.emit("activity.completed" if done else "activity.reopened", **_payload(activity))
    return activity


def delete_activity(activity: Activity, *, actor: User | None, channel: Channel | str) -> None:
    if actor is not None:
        require(actor, Permission.DELETE)
    with transaction.atomic():
        record_change(
            activity,
            action=Action.DELETE,
            channel=channel,
            actor=actor,
            changes=diff(snapshot(activity), {}),
        )
        payload = _payload(activity)
        activity.delete()
        recount_deals(payload["deal_ids"])
        events.emit("activity.deleted", **payload)


def snapshot(activity: Activity) -> dict[str, Any]:
    """The audited state: fields, links and attendees (links read fresh from the database)."""
    state = {name: getattr(activity, name) for name in AUDITED}
    if activity.pk:
        for name, (model, column) in LINK_MODELS.items():
            state[name] = sorted(
                model.objects.filter(activity_id=activity.pk).values_list(column, flat=True)
            )
        state["attendee_ids"] = sorted(
            Activity.attendees.through.objects.filter(activity_id=activity.pk).values_list(
                "user_id", flat=True
            )
        )
    return state


def _write_links(activity: Activity, cleaned: Cleaned, *, created: bool) -> None:
    for name, ids in cleaned.links.items():
        model, column = LINK_MODELS[name]
        existing = set(model.objects.filter(activity=activity).values_list(column, flat=True))
        wanted = set(ids)
        if not created:
            model.objects.filter(activity=activity, **{f"{column}__in": existing - wanted}).delete()
        new = [pk for pk in ids if pk not in existing]
        rows: list[Any] = [
            model(activity=activity, at=activity.occurred_at, **{column: pk}) for pk in new
        ]
        model.objects.bulk_create(rows)
    if cleaned.attendee_ids is not None:
        activity.attendees.set(cleaned.attendee_ids)


def is_touch(activity: Activity, now: datetime | None = None) -> bool:
    """Whether the activity counts as touching its records: not a plan (open task, future
    meeting) but something that happened."""
    now = now or timezone.now()
    if activity.kind == Kind.TASK:
        return activity.completed_at is not None
    return activity.occurred_at <= now


def touch_records(activity: Activity, at: datetime | None = None) -> None:
    """Move the linked contacts' `last_activity_at` forward (never back)."""
    if at is None:
        if not is_touch(activity):
            return
        at = activity.occurred_at
    ids = ActivityContact.objects.filter(activity=activity).values("contact_id")
    Contact.objects.filter(pk__in=ids).filter(
        Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=at)
    ).update(last_activity_at=at)


def _payload(activity: Activity) -> dict[str, Any]:
    return {
        "id": activity.pk,
        "kind": activity.kind,
        "owner_id": activity.owner_id,
        "contact_ids": list(
            ActivityContact.objects.filter(activity_id=activity.pk).values_list(
                "contact_id", flat=True
            )
        ),
        "deal_ids": list(
            ActivityDeal.objects.filter(activity_id=activity.pk).values_list("deal_id", flat=True)
        ),
    }
