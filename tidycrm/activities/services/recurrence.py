"""Recurring events of an imported .ics file, expanded into the occurrences within a window.

RFC 5545: a VEVENT with RRULE (and RDATE, EXDATE) stands for a series; a VEVENT with the same
UID and a RECURRENCE-ID replaces one occurrence of it. Each occurrence becomes its own meeting,
keyed by the UID and the occurrence's original start, so importing the file again updates the
same meetings. The rule is expanded by python-dateutil (icalendar's own dependency) from one
year back to one year ahead, and at most MAX_OCCURRENCES per series.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import icalendar
from dateutil.rrule import rruleset, rrulestr
from django.utils import timezone

PAST = timedelta(days=365)
AHEAD = timedelta(days=365)
MAX_OCCURRENCES = 400
KEY_ROOM = 20  # characters kept for "#YYYYMMDDTHHMMSSZ" after a UID


def occurrence_key(uid: str, start: datetime) -> str:
    """The stored key of one occurrence: the series' UID and its original start in UTC."""
    stamp = start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{uid[: 255 - KEY_ROOM]}#{stamp}"


def _aware(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, date):
        return timezone.make_aware(datetime(value.year, value.month, value.day))
    raise ValueError("has a date that cannot be read.")


def _dates(event: icalendar.cal.Component, name: str) -> list[datetime]:
    found = event.get(name)
    if found is None:
        return []
    groups = found if isinstance(found, list) else [found]
    return [_aware(item.dt) for group in groups for item in group.dts]


def occurrences(
    event: icalendar.cal.Component, start: datetime, now: datetime | None = None
) -> Iterator[datetime]:
    """The starts of a recurring event's occurrences within the window, oldest first."""
    now = now or timezone.now()
    rule = event.get("rrule")
    series = rruleset()
    if rule is not None:
        text = rule.to_ical().decode()
        try:
            series.rrule(rrulestr(text, dtstart=start, ignoretz=False))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"has a repeat rule (RRULE) that cannot be read: {exc}.") from exc
    else:
        series.rdate(start)
    for extra in _dates(event, "rdate"):
        series.rdate(extra)
    for skipped in _dates(event, "exdate"):
        series.exdate(skipped)
    for moment in series.xafter(now - PAST, count=MAX_OCCURRENCES, inc=True):
        if moment > now + AHEAD:
            return
        yield moment


def is_recurring(event: icalendar.cal.Component) -> bool:
    return event.get("rrule") is not None or event.get("rdate") is not None
