"""Calendars: a user's meetings and tasks as an iCalendar (RFC 5545) feed behind a revocable
secret URL, invitations for meeting e-mails, and import of .ics events as meetings."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import icalendar
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import strip_tags

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.models import User
from tidycrm.accounts.services import require
from tidycrm.activities.choices import Kind
from tidycrm.activities.models import Activity, CalendarToken
from tidycrm.activities.services.recurrence import is_recurring, occurrence_key, occurrences
from tidycrm.activities.services.write import log_activity, update_activity
from tidycrm.audit.choices import Channel
from tidycrm.core.exceptions import DomainError, ValidationFailed
from tidycrm.hygiene.text import clean

PRODID = "-//TidyCRM//Activities//EN"
FEED_PAST = timedelta(days=90)
FEED_FUTURE = timedelta(days=400)
TASK_LENGTH = timedelta(minutes=30)
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_EVENTS = 2000


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def issue_calendar_token(user: User) -> str:
    """A new feed secret for `user` (shown once); earlier ones stop working."""
    revoke_calendar_tokens(user)
    secret = "cal_" + secrets.token_urlsafe(32)
    CalendarToken.objects.create(user=user, digest=_digest(secret), prefix=secret[:10])
    return secret


def revoke_calendar_tokens(user: User) -> int:
    return CalendarToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def user_for_calendar_token(secret: str) -> User | None:
    token = (
        CalendarToken.objects.select_related("user")
        .filter(digest=_digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    CalendarToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def uid_of(activity: Activity) -> str:
    """Stable for the activity's life (host names may change; a new UID would duplicate it)."""
    return activity.ical_uid or f"activity-{activity.pk}@tidycrm"


def _event(activity: Activity) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid_of(activity))
    event.add("dtstamp", activity.updated_at)
    event.add("last-modified", activity.updated_at)
    event.add("sequence", activity.version - 1)
    if activity.kind == Kind.MEETING:
        event.add("summary", activity.subject)
        event.add("dtstart", activity.occurred_at)
        event.add("dtend", activity.ends_at or activity.occurred_at + timedelta(hours=1))
        if activity.location:
            event.add("location", activity.location)
        if activity.video_url:
            event.add("url", activity.video_url)
    else:
        due = activity.due_at or activity.occurred_at
        done = " (done)" if activity.completed_at else ""
        event.add("summary", f"Task: {activity.subject}{done}")
        event.add("dtstart", due)
        event.add("dtend", due + TASK_LENGTH)
        event.add("transp", "TRANSPARENT")
    text = " ".join(_plain(activity.body).split())
    if text:
        event.add("description", text[:2000])
    return event


def _plain(html: str) -> str:
    return strip_tags(html.replace("<br>", "\n"))


def _calendar(name: str, method: str | None = None) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    return calendar


def feed_activities(user: User, now: datetime) -> list[Activity]:
    """The user's meetings (owned or attended) and assigned tasks around `now`."""
    start, end = now - FEED_PAST, now + FEED_FUTURE
    attended = Activity.attendees.through.objects.filter(user_id=user.pk).values("activity_id")
    meetings = Activity.objects.filter(
        Q(owner_id=user.pk) | Q(pk__in=attended),
        kind=Kind.MEETING,
        occurred_at__gte=start,
        occurred_at__lt=end,
    )
    tasks = Activity.objects.filter(
        kind=Kind.TASK, assignee_id=user.pk, due_at__gte=start, due_at__lt=end
    )
    return [*meetings.order_by("occurred_at", "id")[:5000], *tasks.order_by("due_at", "id")[:5000]]


def calendar_feed(user: User, now: datetime | None = None) -> bytes:
    calendar = _calendar(f"TidyCRM: {user}")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for activity in feed_activities(user, now or timezone.now()):
        calendar.add_component(_event(activity))
    return bytes(calendar.to_ical())


def meeting_invitation(activity: Activity) -> bytes:
    """A METHOD:REQUEST calendar with the meeting, organiser and attendees (for e-mails)."""
    calendar = _calendar(activity.subject, method="REQUEST")
    event = _event(activity)
    if activity.owner and activity.owner.email:
        event.add(
            "organizer", f"mailto:{activity.owner.email}", parameters={"CN": str(activity.owner)}
        )
    for person in activity.attendees.all():
        if person.email:
            event.add(
                "attendee",
                f"mailto:{person.email}",
                parameters={"CN": str(person), "ROLE": "REQ-PARTICIPANT", "RSVP": "TRUE"},
            )
    calendar.add_component(event)
    return bytes(calendar.to_ical())


@dataclass
class ImportResult:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


class BadCalendarFile(ValidationFailed):
    pass


def import_ics(
    content: bytes,
    *,
    actor: User,
    contact_ids: Iterable[int] = (),
    channel: Channel | str = Channel.UI,
) -> ImportResult:
    """Log each VEVENT of an .ics file as a meeting (linked to `contact_ids`), each occurrence
    of a recurring one within a year either side of today (`recurrence.py`); an event (or
    occurrence) imported before updates that meeting. A file that is not iCalendar is one clear
    error; events that cannot be read are listed in `skipped` with the reason."""
    require(actor, Permission.EDIT)
    if len(content) > MAX_IMPORT_BYTES:
        raise BadCalendarFile({"file": [f"is larger than {MAX_IMPORT_BYTES // 1048576} MB."]})
    try:
        calendar = icalendar.Calendar.from_ical(content)
    except (ValueError, IndexError, KeyError, TypeError, AttributeError) as exc:
        # Whatever the parser trips on in an uploaded file is the file's problem, named.
        raise BadCalendarFile(
            {"file": [f"is not an iCalendar (.ics) file: {str(exc)[:200] or 'unreadable'}."]}
        ) from exc
    if not isinstance(calendar, icalendar.Calendar) or calendar.name != "VCALENDAR":
        raise BadCalendarFile({"file": ["is not an iCalendar file: no VCALENDAR in it."]})
    events = list(calendar.walk("VEVENT"))
    if not events:
        raise BadCalendarFile({"file": ["has no events (VEVENT) in it."]})
    result = ImportResult()
    planned = _planned_meetings(events, result)
    if len(planned) > MAX_IMPORT_EVENTS:
        raise BadCalendarFile(
            {"file": [f"has more than {MAX_IMPORT_EVENTS} events (repeats counted)."]}
        )
    links = list(contact_ids)
    for number, data in planned:
        existing = Activity.objects.filter(
            kind=Kind.MEETING, ical_uid=data["ical_uid"], owner=actor
        ).first()
        try:
            if existing is not None:
                fields = {k: v for k, v in data.items() if k not in ("kind", "ical_uid")}
                update_activity(existing, fields, actor=actor, channel=channel)
                result.updated.append(existing.pk)
            else:
                meeting = _log_meeting(data, actor, links, channel)
                result.created.append(meeting.pk)
        except DomainError as exc:
            result.skipped.append(f"event {number} ({data['subject']}): {exc.message}")
    return result


def _planned_meetings(
    events: list[icalendar.cal.Component], result: ImportResult
) -> list[tuple[int, dict[str, Any]]]:
    """One meeting per event, and per occurrence of a recurring event within the window; an
    event with a RECURRENCE-ID replaces that occurrence of its series."""
    replaced: dict[str, tuple[int, dict[str, Any]]] = {}
    for number, event in enumerate(events, start=1):
        if event.get("recurrence-id") is None:
            continue
        try:
            data = _meeting_data(event)
            data["ical_uid"] = occurrence_key(
                data["ical_uid"], _moment(event.get("recurrence-id").dt)
            )
        except (ValueError, TypeError, AttributeError) as exc:
            result.skipped.append(f"event {number}: {exc}")
            continue
        replaced[data["ical_uid"]] = (number, data)
    planned: list[tuple[int, dict[str, Any]]] = []
    for number, event in enumerate(events, start=1):
        if event.get("recurrence-id") is not None:
            continue
        try:
            data = _meeting_data(event)
            if not is_recurring(event):
                planned.append((number, data))
                continue
            length = data["ends_at"] - data["occurred_at"]
            starts = list(occurrences(event, data["occurred_at"]))
        except (ValueError, TypeError, AttributeError) as exc:
            result.skipped.append(f"event {number}: {exc}")
            continue
        for start in starts:
            key = occurrence_key(data["ical_uid"], start)
            moved = {"occurred_at": start, "ends_at": start + length, "ical_uid": key}
            planned.append(replaced.pop(key) if key in replaced else (number, {**data, **moved}))
    # A replaced occurrence whose series is not in the file, or outside the window, still counts.
    return planned + list(replaced.values())


def _log_meeting(
    data: dict[str, Any], actor: User, contact_ids: list[int], channel: Channel | str
) -> Activity:
    uid = data.pop("ical_uid")
    with transaction.atomic():
        meeting = log_activity({**data, "contact_ids": contact_ids}, actor=actor, channel=channel)
        Activity.objects.filter(pk=meeting.pk).update(ical_uid=uid)
        meeting.ical_uid = uid
    return meeting


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, date):
        return timezone.make_aware(datetime(value.year, value.month, value.day))
    raise ValueError("has no readable start time (DTSTART).")


def _meeting_data(event: icalendar.cal.Component) -> dict[str, Any]:
    start_prop = event.get("dtstart")
    if start_prop is None:
        raise ValueError("has no start time (DTSTART).")
    starts = _moment(start_prop.dt)
    end_prop = event.get("dtend")
    if end_prop is not None:
        ends = _moment(end_prop.dt)
    elif event.get("duration") is not None:
        ends = starts + event.get("duration").dt
    else:
        ends = starts + timedelta(hours=1)
    uid = clean(str(event.get("uid") or ""))
    if not uid:
        raise ValueError("has no UID.")
    summary = str(event.get("summary") or "").strip() or "Meeting"
    description = str(event.get("description") or "")
    url = str(event.get("url") or "")
    return {
        "kind": Kind.MEETING,
        "subject": summary[:255],
        "body": description.replace("\n", "<br>") if description else "",
        "occurred_at": starts,
        "ends_at": ends,
        "location": str(event.get("location") or "")[:255],
        "video_url": url if url.startswith(("http://", "https://")) else "",
        "ical_uid": uid[:255],
    }
