"""Background work of segments: tasks take ids and are safe to run twice."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.utils import timezone


@task()
def recompute_segment_task(segment_id: int, due_at: str = "") -> None:
    """Recompute a segment now (no `due_at`) or as the scheduled run due at `due_at`; a scheduled
    run that is no longer the segment's next one (the schedule changed) does nothing."""
    from tidycrm.segments.choices import Refresh, Trigger
    from tidycrm.segments.models import Segment
    from tidycrm.segments.services.membership import recompute_segment

    segment = Segment.objects.filter(pk=segment_id).first()
    if segment is None:
        return
    if due_at:
        next_at = segment.next_refresh_at
        if segment.refresh_minutes == Refresh.MANUAL or not next_at:
            return
        if next_at.isoformat() != due_at:
            return
        recompute_segment(segment, trigger=Trigger.SCHEDULE)
        schedule_recompute(segment.pk, segment.refresh_minutes)
        return
    recompute_segment(segment, trigger=Trigger.MANUAL)


def schedule_recompute(segment_id: int, minutes: int) -> None:
    """Queue the next scheduled recompute and remember it as the segment's next one."""
    from tidycrm.segments.models import Segment

    run_after = timezone.now() + timedelta(minutes=minutes)
    Segment.objects.filter(pk=segment_id).update(next_refresh_at=run_after)
    recompute_segment_task.using(run_after=run_after).enqueue(segment_id, run_after.isoformat())


@task()
def run_bulk_action_task(action_id: int) -> None:
    from tidycrm.segments.services.bulk import run_bulk_action

    run_bulk_action(action_id)
