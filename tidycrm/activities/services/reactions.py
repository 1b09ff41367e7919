"""Notifications that follow activity writes, delivered after the write commits (event bus)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from tidycrm.activities.choices import Kind, NotificationKind
from tidycrm.activities.models import Activity
from tidycrm.activities.services.notify import notify
from tidycrm.core import events


def on_activity_saved(event: events.Event) -> None:
    activity = (
        Activity.objects.select_related("owner", "assignee")
        .filter(pk=int(event.payload.get("id") or 0))
        .first()
    )
    if activity is None:
        return
    if activity.kind == Kind.TASK:
        _task_assigned(activity)
    elif activity.kind == Kind.MEETING:
        _meeting_invitations(activity)


def _task_assigned(task: Activity) -> None:
    """Tell the assignee of a task someone else gave them (once per assignee)."""
    if task.assignee is None or task.assignee_id == task.owner_id or task.completed_at:
        return
    due = f"Due {timezone.localtime(task.due_at):%Y-%m-%d %H:%M}." if task.due_at else ""
    notify(
        task.assignee,
        kind=NotificationKind.TASK_ASSIGNED,
        key=f"task_assigned:{task.pk}:{task.assignee_id}",
        title=f"{task.owner or 'Someone'} gave you a task: {task.subject}",
        body=due,
        url=reverse("activities:detail", args=[task.pk]),
        activity=task,
    )


def _meeting_invitations(meeting: Activity) -> None:
    """Each attendee (the organiser apart) is notified; the e-mail carries the .ics invitation.
    A changed meeting (new version) is sent again with the invitation's SEQUENCE raised."""
    if meeting.occurred_at < timezone.now():
        return
    when = timezone.localtime(meeting.occurred_at)
    for person in meeting.attendees.filter(is_active=True):
        if person.pk == meeting.owner_id:
            continue
        notify(
            person,
            kind=NotificationKind.MEETING,
            key=f"meeting:{meeting.pk}:{meeting.version}",
            title=f"Meeting: {meeting.subject} on {when:%Y-%m-%d %H:%M}",
            body=meeting.location or meeting.video_url,
            url=reverse("activities:detail", args=[meeting.pk]),
            activity=meeting,
        )


def subscribe() -> None:
    events.subscribe("activity.created", on_activity_saved)
    events.subscribe("activity.updated", on_activity_saved)
