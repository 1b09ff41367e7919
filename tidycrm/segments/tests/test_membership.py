"""Stored membership: recompute diffs, entered/left events, the schedule."""

from __future__ import annotations

from typing import Any

import pytest

from tidycrm.contacts.models import Contact
from tidycrm.core import events
from tidycrm.segments.models import SegmentMember, SegmentSnapshot
from tidycrm.segments.services.membership import recompute_segment
from tidycrm.segments.services.segments import create_segment, update_segment
from tidycrm.segments.tasks import recompute_segment_task

pytestmark = pytest.mark.django_db

GB = {"field": "country", "op": "eq", "value": "GB"}


def test_recompute_stores_the_difference_and_announces_it(
    admin: Any, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    seen: list[Any] = []
    for name in ("segment.entered", "segment.left"):
        events.subscribe(name, seen.append)
    try:
        segment = create_segment(name="UK", filter=GB, actor=admin, channel="api")
        with django_capture_on_commit_callbacks(execute=True):
            first = recompute_segment(segment)
        assert (first.members, first.entered, first.left) == (2, 2, 0)
        Contact.objects.filter(pk=people["alan"].pk).update(country="IE")
        Contact.objects.filter(pk=people["grace"].pk).update(country="GB")
        with django_capture_on_commit_callbacks(execute=True):
            second = recompute_segment(segment)
    finally:
        for name in ("segment.entered", "segment.left"):
            events.unsubscribe(name, seen.append)
    assert (second.members, second.entered, second.left) == (2, 1, 1)
    assert set(SegmentMember.objects.values_list("contact_id", flat=True)) == {
        people["ada"].pk,
        people["grace"].pk,
    }
    last = [(e.name, e.payload["contact_ids"]) for e in seen[-2:]]
    assert last == [
        ("segment.entered", [people["grace"].pk]),
        ("segment.left", [people["alan"].pk]),
    ]
    segment.refresh_from_db()
    assert segment.member_count == 2


def test_scheduled_recomputes_run_once_per_due_time(
    admin: Any, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        segment = create_segment(
            name="UK hourly", filter=GB, refresh_minutes=60, actor=admin, channel="api"
        )
    segment.refresh_from_db()
    due = segment.next_refresh_at
    assert due is not None
    recompute_segment_task.call(segment.pk, "2000-01-01T00:00:00+00:00")  # a stale run
    assert not SegmentSnapshot.objects.exists()
    recompute_segment_task.call(segment.pk, due.isoformat())
    snapshot = SegmentSnapshot.objects.get()
    assert snapshot.trigger == "schedule" and snapshot.members == 2
    segment.refresh_from_db()
    assert segment.next_refresh_at is not None and segment.next_refresh_at > due
    with django_capture_on_commit_callbacks(execute=True):
        update_segment(segment, {"refresh_minutes": 0}, actor=admin, channel="api")
    recompute_segment_task.call(segment.pk, segment.next_refresh_at.isoformat())
    assert SegmentSnapshot.objects.count() == 1  # no schedule any more
