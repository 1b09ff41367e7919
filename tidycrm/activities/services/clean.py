"""Standardise and validate an activity's input: every problem is a field error, never a crash."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import nh3
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape, strip_tags

from tidycrm.accounts.models import User
from tidycrm.accounts.selectors import visible
from tidycrm.activities.choices import KIND_FIELDS, Direction, Kind, Priority
from tidycrm.activities.models import Activity, Outcome
from tidycrm.companies.models import Company
from tidycrm.contacts.models import Contact
from tidycrm.core.exceptions import ValidationFailed
from tidycrm.deals.models import Deal
from tidycrm.hygiene.fields import text_field

BODY_LIMIT = 100_000
MAX_LINKS = 100
MAX_DURATION = 7 * 24 * 3600
# Every input field; the kind decides which of the optional ones may be set (KIND_FIELDS).
COMMON = frozenset({"kind", "subject", "body", "occurred_at", "owner_id"})
LINKS = ("contact_ids", "company_ids", "deal_ids")
OPTIONAL = frozenset().union(*KIND_FIELDS.values())
KNOWN = COMMON | OPTIONAL | set(LINKS)


@dataclass
class Cleaned:
    fields: dict[str, Any] = field(default_factory=dict)
    links: dict[str, list[int]] = field(default_factory=dict)
    attendee_ids: list[int] | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def sanitise_body(value: str, *, html: bool = True) -> str:
    """Rich text keeps safe markup only (nh3); plain text is escaped, line breaks kept."""
    if not html:
        return escape(value).replace("\n", "<br>")
    return nh3.clean(value, link_rel="noopener noreferrer nofollow")


def clean_activity(
    data: Mapping[str, Any], *, actor: User | None, instance: Activity | None = None
) -> Cleaned:
    """Check `data` (only the fields sent, on update) and return what to store."""
    out = Cleaned()
    for name in sorted(set(data) - KNOWN):
        out.error(name, "is not a field of an activity.")
    kind = str(data.get("kind", instance.kind if instance else "") or "")
    if kind not in Kind.values:
        out.error("kind", f"'{kind}' is not one of: {', '.join(Kind.values)}.")
        raise ValidationFailed(out.errors)
    if instance is not None and kind != instance.kind:
        out.error("kind", "cannot change once logged; log a new activity instead.")
    if instance is None:
        out.fields["kind"] = kind
    allowed = KIND_FIELDS[kind]
    for name in sorted((OPTIONAL - allowed) & set(data)):
        if data[name] not in (None, "", [], 0):
            out.error(name, f"is not used by a {Kind(kind).label.lower()}.")
    _texts(data, out, kind, instance)
    _moments(data, out, kind, instance)
    _call_fields(data, out, kind)
    _task_fields(data, out, kind, instance, actor)
    _meeting_fields(data, out, kind)
    _owner(data, out, actor, instance)
    _links(data, out, actor)
    if out.errors:
        raise ValidationFailed(out.errors)
    return out


def _texts(data: Mapping[str, Any], out: Cleaned, kind: str, instance: Activity | None) -> None:
    if "body" in data:
        body, problem = text_field(data["body"], BODY_LIMIT, multiline=True)
        if problem:
            out.error("body", problem)
        out.fields["body"] = sanitise_body(body)
    if "subject" in data or instance is None:
        subject, problem = text_field(data.get("subject"), 255)
        if problem:
            out.error("subject", problem)
        if not subject and instance is None:
            # A quick note needs no title: its first words stand in; other kinds their name.
            words = " ".join(strip_tags(out.fields.get("body", "")).split())
            subject = words[:80] if kind == Kind.NOTE and words else Kind(kind).label
        if not subject:
            out.error("subject", "is required.")
        out.fields["subject"] = subject


def _moment(value: Any, name: str, out: Cleaned) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = parse_datetime(value)
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        out.error(name, "must be a date and time such as 2026-05-04T14:30:00Z.")
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    moment: datetime = value
    if not 1900 <= moment.year <= 9998:
        out.error(name, "is outside the years 1900 to 9998.")
        return None
    return moment


def _moments(data: Mapping[str, Any], out: Cleaned, kind: str, instance: Activity | None) -> None:
    for name in ("occurred_at", "ends_at", "due_at", "remind_at"):
        if name in data:
            out.fields[name] = _moment(data[name], name, out)
    if out.fields.get("occurred_at") is None and "occurred_at" not in out.errors:
        # Logged without a time: it happened now. An update cannot clear the moment.
        if instance is None:
            out.fields["occurred_at"] = timezone.now()
        else:
            out.fields.pop("occurred_at", None)
    starts = out.fields.get("occurred_at", instance.occurred_at if instance else None)
    ends = out.fields.get("ends_at", instance.ends_at if instance else None)
    if kind == Kind.MEETING and starts and ends and ends < starts:
        out.error("ends_at", "is before the meeting starts.")


def _call_fields(data: Mapping[str, Any], out: Cleaned, kind: str) -> None:
    allowed = KIND_FIELDS[kind]
    if "direction" in data and "direction" in allowed:
        value = str(data["direction"] or "")
        if value and value not in Direction.values:
            out.error("direction", f"'{value}' is not one of: {', '.join(Direction.values)}.")
        out.fields["direction"] = value
    if "duration_seconds" in data and "duration_seconds" in allowed:
        value = data["duration_seconds"]
        if value in (None, ""):
            out.fields["duration_seconds"] = None
        elif (
            isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DURATION
        ):
            out.error(
                "duration_seconds", f"must be a whole number of seconds, 0 to {MAX_DURATION}."
            )
        else:
            out.fields["duration_seconds"] = value
    if "outcome_id" in data and "outcome_id" in allowed:
        value = data["outcome_id"]
        if value in (None, ""):
            out.fields["outcome"] = None
            return
        outcome = Outcome.objects.filter(pk=_int(value) or 0, is_active=True).first()
        if outcome is None or outcome.kind != kind:
            names = Outcome.objects.filter(kind=kind, is_active=True).values_list("pk", "name")
            listed = ", ".join(f"{pk} ({name})" for pk, name in names) or "none defined"
            out.error("outcome_id", f"'{value}' is not an outcome of a {kind}: {listed}.")
        out.fields["outcome"] = outcome


def _task_fields(
    data: Mapping[str, Any], out: Cleaned, kind: str, instance: Activity | None, actor: User | None
) -> None:
    if kind != Kind.TASK:
        return
    if "priority" in data or instance is None:
        value = str(data.get("priority") or Priority.NORMAL)
        if value not in Priority.values:
            out.error("priority", f"'{value}' is not one of: {', '.join(Priority.values)}.")
        out.fields["priority"] = value
    if "assignee_id" in data or instance is None:
        assignee = data.get("assignee_id")
        if assignee in (None, ""):
            out.fields["assignee"] = actor if instance is None else None
        else:
            user = _active_user(assignee)
            if user is None:
                out.error("assignee_id", f"'{assignee}' is not an active user.")
            out.fields["assignee"] = user


def _meeting_fields(data: Mapping[str, Any], out: Cleaned, kind: str) -> None:
    if kind != Kind.MEETING:
        return
    if "location" in data:
        value, problem = text_field(data["location"], 255)
        if problem:
            out.error("location", problem)
        out.fields["location"] = value
    if "video_url" in data:
        value, problem = text_field(data["video_url"], 500)
        parts = urlsplit(value) if value and not problem else None
        if problem:
            out.error("video_url", problem)
        elif parts is not None and (parts.scheme not in ("http", "https") or not parts.netloc):
            out.error("video_url", "must be an http(s) link such as https://meet.example.com/x.")
        out.fields["video_url"] = value
    if "attendee_ids" in data:
        ids = _ids(data["attendee_ids"], "attendee_ids", out)
        found = set(User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
        for missing in [i for i in ids if i not in found]:
            out.error("attendee_ids", f"'{missing}' is not an active user.")
        out.attendee_ids = ids


def _owner(
    data: Mapping[str, Any], out: Cleaned, actor: User | None, instance: Activity | None
) -> None:
    if "owner_id" in data and data["owner_id"] not in (None, ""):
        user = _active_user(data["owner_id"])
        if user is None:
            out.error("owner_id", f"'{data['owner_id']}' is not an active user.")
            return
        out.fields["owner"] = user
        out.fields["team"] = user.team
    elif instance is None and actor is not None:
        out.fields["owner"] = actor
        out.fields["team"] = actor.team


def _links(data: Mapping[str, Any], out: Cleaned, actor: User | None) -> None:
    models: dict[str, Any] = {"contact_ids": Contact, "company_ids": Company, "deal_ids": Deal}
    for name in LINKS:
        if name not in data:
            continue
        ids = _ids(data[name], name, out)
        queryset = models[name].objects.filter(pk__in=ids)
        if actor is not None:
            queryset = visible(queryset, actor)
        found = set(queryset.values_list("pk", flat=True))
        for missing in [i for i in ids if i not in found]:
            out.error(name, f"{missing} does not exist or you cannot see it.")
        out.links[name] = ids


def _ids(value: Any, name: str, out: Cleaned) -> list[int]:
    items: Iterable[Any] = value if isinstance(value, list | tuple) else [value]
    if value in (None, ""):
        items = []
    ids: list[int] = []
    for item in items:
        number = _int(item)
        if number is None:
            out.error(name, f"'{item}' is not a record id.")
        elif number not in ids:
            ids.append(number)
    if len(ids) > MAX_LINKS:
        out.error(name, f"takes at most {MAX_LINKS} records.")
    return ids[:MAX_LINKS]


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def _active_user(value: Any) -> User | None:
    pk = _int(value)
    return User.objects.filter(pk=pk, is_active=True).first() if pk else None
