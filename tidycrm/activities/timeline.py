"""The timeline sources this app registers: activities, and field changes from the audit log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.html import strip_tags

from tidycrm.accounts.models import User
from tidycrm.activities.choices import Kind
from tidycrm.activities.models import Activity, ActivityCompany, ActivityContact, ActivityDeal
from tidycrm.audit.choices import Action
from tidycrm.audit.models import ChangeRecord
from tidycrm.records import timeline
from tidycrm.records.history import readable

LINKS: dict[str, tuple[type[ActivityContact | ActivityCompany | ActivityDeal], str]] = {
    "contact": (ActivityContact, "contact_id"),
    "company": (ActivityCompany, "company_id"),
    "deal": (ActivityDeal, "deal_id"),
}
RECORD_MODELS = {
    "contact": "contacts.Contact",
    "company": "companies.Company",
    "deal": "deals.Deal",
}


class ActivitySource:
    name = "activities"
    record_types = frozenset(LINKS)
    kinds = tuple(Kind.choices)

    def entries(
        self,
        record_type: str,
        record_id: int,
        user: User,
        query: timeline.Query,
        before: timeline.Cursor | None,
        limit: int,
    ) -> list[timeline.Entry]:
        model, column = LINKS[record_type]
        # The link table holds (record, at, activity): the page is one index range scan.
        links = model.objects.filter(**{column: record_id}).filter(query.period_q("at"))
        wanted = query.wants(Kind.values)
        if len(wanted) < len(Kind.values):
            links = links.filter(activity__kind__in=sorted(wanted))
        if before is not None:
            links = links.filter(before.before_q(self.name, "at", "activity_id"))
        ordered = links.order_by("-at", "-activity_id").values_list("activity_id", flat=True)
        ids = list(ordered[:limit])
        found = Activity.objects.select_related("owner", "outcome", "assignee").in_bulk(ids)
        return [activity_entry(found[pk]) for pk in ids if pk in found]


def activity_entry(activity: Activity) -> timeline.Entry:
    details: list[str] = []
    if activity.direction:
        details.append(activity.get_direction_display())
    if activity.outcome_id:
        details.append(str(activity.outcome))
    if activity.duration_seconds:
        details.append(str(timedelta(seconds=activity.duration_seconds)))
    if activity.kind == Kind.TASK:
        if activity.due_at:
            details.append(f"due {activity.due_at:%Y-%m-%d %H:%M}")
        details.append("done" if activity.completed_at else "open")
    if activity.location:
        details.append(activity.location)
    extra: dict[str, Any] = {"details": details, "activity_id": activity.pk}
    return timeline.Entry(
        when=activity.occurred_at,
        source=ActivitySource.name,
        sort_id=activity.pk,
        kind=activity.kind,
        title=activity.subject,
        body=activity.body,
        body_is_html=True,
        url=reverse("activities:detail", args=[activity.pk]),
        actor=str(activity.owner) if activity.owner_id else "",
        extra=extra,
    )


class FieldChangeSource:
    """What changed on the record itself, from the audit log (newest first by its index)."""

    name = "changes"
    record_types = frozenset(RECORD_MODELS)
    kinds = (("field_change", "Field changes"),)

    def entries(
        self,
        record_type: str,
        record_id: int,
        user: User,
        query: timeline.Query,
        before: timeline.Cursor | None,
        limit: int,
    ) -> list[timeline.Entry]:
        content_type = ContentType.objects.get_for_model(apps.get_model(RECORD_MODELS[record_type]))
        records = ChangeRecord.objects.filter(
            content_type=content_type, object_id=record_id
        ).filter(query.period_q("at"))
        if before is not None:
            records = records.filter(before.before_q(self.name, "at", "id"))
        page = readable(records.select_related("actor").order_by("-at", "-id")[:limit])
        return [change_entry(record) for record in page]


def change_entry(record: ChangeRecord) -> timeline.Entry:
    rows = getattr(record, "rows", [])
    if record.action == Action.CREATE:
        title = "Created"
    elif record.action == Action.DELETE:
        title = "Deleted"
    else:
        title = "Changed " + ", ".join(_label(row.name) for row in rows[:6])
    lines = [f"{_label(row.name)}: {_shown(row.before)} → {_shown(row.after)}" for row in rows[:20]]
    return timeline.Entry(
        when=record.at,
        source=FieldChangeSource.name,
        sort_id=record.pk,
        kind="field_change",
        title=title if rows or record.action != Action.UPDATE else "Changed",
        body="\n".join(lines),
        actor=str(record.actor) if record.actor_id else "",
        extra={"channel": record.get_channel_display()},
    )


def _label(name: str) -> str:
    return name.removesuffix("_id").replace("_", " ")


def _shown(value: Any) -> str:
    if value in (None, "", [], {}):
        return "—"
    text = strip_tags(str(value))
    return text if len(text) <= 120 else text[:119] + "…"


def register_sources() -> None:
    timeline.register(ActivitySource())
    timeline.register(FieldChangeSource())
