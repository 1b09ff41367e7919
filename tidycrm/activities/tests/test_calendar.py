"""Calendar feeds and invitations read back with an independent parser (vobject); .ics import."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import vobject
from django.core import mail
from django.utils import timezone

from tidycrm.activities.models import Activity, Notification
from tidycrm.activities.services import complete_task, log_activity, update_activity
from tidycrm.activities.services.calendar import (
    BadCalendarFile,
    calendar_feed,
    import_ics,
    issue_calendar_token,
    meeting_invitation,
    user_for_calendar_token,
)
from tidycrm.activities.services.notify import send_pending_emails
from tidycrm.core.exceptions import PermissionDenied

pytestmark = pytest.mark.django_db


def test_feed_holds_meetings_and_tasks_and_parses_independently(rep, other_rep, contact):
    start = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    meeting = log_activity(
        {
            "kind": "meeting",
            "subject": "Demo, with; special chars",
            "occurred_at": start,
            "ends_at": start + timedelta(minutes=45),
            "location": "Room 1",
            "video_url": "https://meet.example.com/abc",
            "body": "<p>Agenda: pricing</p>",
            "contact_ids": [contact.pk],
        },
        actor=rep,
        channel="ui",
    )
    task = log_activity(
        {"kind": "task", "subject": "Send deck", "due_at": start - timedelta(days=1)},
        actor=rep,
        channel="ui",
    )
    log_activity(
        {"kind": "task", "subject": "Not mine", "assignee_id": other_rep.pk, "due_at": start},
        actor=rep,
        channel="ui",
    )
    parsed = vobject.readOne(calendar_feed(rep).decode())
    events = {e.uid.value: e for e in parsed.vevent_list}
    assert set(events) == {
        f"activity-{meeting.pk}@tidycrm",
        f"activity-{task.pk}@tidycrm",
    }
    demo = events[f"activity-{meeting.pk}@tidycrm"]
    assert demo.summary.value == "Demo, with; special chars"
    assert demo.dtstart.value == start.astimezone(UTC)
    assert demo.dtend.value - demo.dtstart.value == timedelta(minutes=45)
    assert demo.location.value == "Room 1"
    assert demo.url.value == "https://meet.example.com/abc"
    assert demo.description.value == "Agenda: pricing"
    deck = events[f"activity-{task.pk}@tidycrm"]
    assert deck.summary.value == "Task: Send deck"
    complete_task(task, actor=rep, channel="ui")
    again = vobject.readOne(calendar_feed(rep).decode())
    done = {e.uid.value: e for e in again.vevent_list}[f"activity-{task.pk}@tidycrm"]
    assert done.summary.value == "Task: Send deck (done)" and int(done.sequence.value) == 1


def test_feed_token_is_hashed_and_revocable(rep):
    first = issue_calendar_token(rep)
    assert user_for_calendar_token(first) == rep
    second = issue_calendar_token(rep)
    assert user_for_calendar_token(first) is None
    assert user_for_calendar_token(second) == rep
    assert not rep.calendar_tokens.filter(digest=second).exists()  # only the hash is stored


def test_meeting_invitation_is_emailed_to_attendees_with_ics(
    rep, other_rep, mailer, django_capture_on_commit_callbacks
):
    start = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = log_activity(
            {
                "kind": "meeting",
                "subject": "Kick-off",
                "occurred_at": start,
                "attendee_ids": [other_rep.pk],
            },
            actor=rep,
            channel="ui",
        )
    assert Notification.objects.filter(user=other_rep, kind="meeting").count() == 1
    assert mail.outbox == []  # nothing is sent from the saving request
    assert send_pending_emails(timezone.now()) == {"sent": 1, "failed": 0}
    assert send_pending_emails(timezone.now()) == {"sent": 0, "failed": 0}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["other@example.com"]
    filename, content, mimetype = message.attachments[0]
    assert (filename, mimetype) == ("invite.ics", "text/calendar")
    invite = vobject.readOne(content.decode() if isinstance(content, bytes) else content)
    assert invite.method.value == "REQUEST"
    event = invite.vevent
    assert event.organizer.value == "mailto:rep@example.com"
    assert [a.value for a in event.attendee_list] == ["mailto:other@example.com"]
    assert event.dtstart.value == start.astimezone(UTC)
    assert vobject.readOne(meeting_invitation(meeting).decode()).vevent.summary.value == "Kick-off"


ICS = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Example//Test//EN\r
BEGIN:VEVENT\r
UID:evt-1@example.com\r
DTSTAMP:20260101T000000Z\r
DTSTART:20260310T140000Z\r
DTEND:20260310T150000Z\r
SUMMARY:Quarterly review\r
LOCATION:HQ\r
DESCRIPTION:Bring numbers\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:evt-2@example.com\r
DTSTAMP:20260101T000000Z\r
SUMMARY:No start\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:evt-3@example.com\r
DTSTAMP:20260101T000000Z\r
DTSTART;VALUE=DATE:20260311\r
SUMMARY:All day\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_import_makes_meetings_updates_by_uid_and_lists_bad_events(rep, contact):
    result = import_ics(ICS, actor=rep, contact_ids=[contact.pk])
    assert len(result.created) == 2 and result.updated == []
    assert result.skipped == ["event 2: has no start time (DTSTART)."]
    review = Activity.objects.get(ical_uid="evt-1@example.com")
    assert (review.kind, review.subject, review.location) == ("meeting", "Quarterly review", "HQ")
    assert review.occurred_at == datetime(2026, 3, 10, 14, tzinfo=UTC)
    assert review.ends_at == datetime(2026, 3, 10, 15, tzinfo=UTC)
    assert list(review.contact_links.values_list("contact_id", flat=True)) == [contact.pk]
    again = import_ics(ICS.replace(b"LOCATION:HQ", b"LOCATION:Annex"), actor=rep)
    assert again.created == [] and sorted(again.updated) == sorted(result.created)
    review.refresh_from_db()
    assert review.location == "Annex" and review.version == 2
    # The feed gives an imported meeting its own UID back.
    assert "evt-1@example.com" in calendar_feed(rep, now=review.occurred_at).decode()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"hello", "is not an iCalendar"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "has no events"),
        (b"\xff\xfe\x00garbage", "is not an iCalendar"),
    ],
)
def test_bad_files_are_clear_errors(rep, content, problem):
    with pytest.raises(BadCalendarFile) as caught:
        import_ics(content, actor=rep)
    assert problem in caught.value.field_errors["file"][0]
    assert not Activity.objects.exists()


def test_control_characters_in_an_event_are_dropped(rep):
    nasty = ICS.replace(b"UID:evt-1@example.com", b"UID:evt-\x001@example.com").replace(
        b"SUMMARY:Quarterly review", b"SUMMARY:Quarterly\x00 review"
    )
    result = import_ics(nasty, actor=rep)
    assert len(result.created) == 2
    meeting = Activity.objects.get(pk=result.created[0])
    assert (meeting.ical_uid, meeting.subject) == ("evt-1@example.com", "Quarterly review")


def test_read_only_users_cannot_import(make_user):
    with pytest.raises(PermissionDenied):
        import_ics(ICS, actor=make_user("read_only"))


def test_changing_a_meeting_reinvites_with_a_higher_sequence(rep, other_rep):
    start = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    meeting = log_activity(
        {
            "kind": "meeting",
            "subject": "Sync",
            "occurred_at": start,
            "attendee_ids": [other_rep.pk],
        },
        actor=rep,
        channel="ui",
    )
    moved = update_activity(
        meeting, {"occurred_at": start + timedelta(hours=1)}, actor=rep, channel="ui"
    )
    event = vobject.readOne(meeting_invitation(moved).decode()).vevent
    assert int(event.sequence.value) == 1


END = b"END:VCALENDAR\r\n"


def _series(start: datetime, rule: str, extra: str = "") -> bytes:
    """A calendar (left open for more events) with one repeating event from `start`."""
    stamp = "%Y%m%dT%H%M%SZ"
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        "BEGIN:VEVENT\r\nUID:weekly@example.com\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART:{start:{stamp}}\r\nDTEND:{start + timedelta(minutes=30):{stamp}}\r\n"
        f"SUMMARY:Weekly sync\r\nRRULE:{rule}\r\n{extra}END:VEVENT\r\n"
    ).encode()


def test_recurring_events_become_one_meeting_per_occurrence(rep):
    start = (timezone.now() - timedelta(weeks=3)).replace(microsecond=0, second=0)
    skipped, moved = start + timedelta(weeks=1), start + timedelta(weeks=3)
    stamp = "%Y%m%dT%H%M%SZ"
    ics = (
        _series(start, "FREQ=WEEKLY;COUNT=10", f"EXDATE:{skipped:{stamp}}\r\n")
        + (
            "BEGIN:VEVENT\r\nUID:weekly@example.com\r\nDTSTAMP:20260101T000000Z\r\n"
            f"RECURRENCE-ID:{moved:{stamp}}\r\n"
            f"DTSTART:{moved + timedelta(hours=2):{stamp}}\r\n"
            f"DTEND:{moved + timedelta(hours=3):{stamp}}\r\n"
            "SUMMARY:Weekly sync (moved)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        ).encode()
    )
    result = import_ics(ics, actor=rep)
    # Ten weeks from the start, less the excluded one; the fourth moved by its own event.
    expected = [start + timedelta(weeks=k) for k in range(10) if k != 1]
    expected[2] = moved + timedelta(hours=2)
    meetings = Activity.objects.filter(pk__in=result.created).order_by("occurred_at")
    assert result.skipped == [] and len(result.created) == 9
    assert [m.occurred_at for m in meetings] == expected
    assert all(
        m.ends_at - m.occurred_at == timedelta(minutes=30)
        for m in meetings
        if m.subject == "Weekly sync"
    )
    assert meetings[2].subject == "Weekly sync (moved)"
    assert meetings[2].ical_uid == f"weekly@example.com#{moved:{stamp}}"
    again = import_ics(ics, actor=rep)
    assert again.created == [] and sorted(again.updated) == sorted(result.created)


def test_an_endless_series_is_read_within_a_year_either_side(rep):
    now = timezone.now()
    start = (now - timedelta(days=800)).replace(microsecond=0)
    result = import_ics(_series(start, "FREQ=WEEKLY") + END, actor=rep)
    starts = sorted(
        Activity.objects.filter(pk__in=result.created).values_list("occurred_at", flat=True)
    )
    expected = [
        start + timedelta(weeks=k)
        for k in range(0, 300)
        if now - timedelta(days=365) <= start + timedelta(weeks=k) <= now + timedelta(days=365)
    ]
    assert starts == expected


def test_an_unreadable_repeat_rule_is_listed(rep):
    start = timezone.now().replace(microsecond=0)
    result = import_ics(_series(start, "FREQ=SOMETIMES") + END, actor=rep)
    assert result.created == []
    assert result.skipped and "repeat rule (RRULE)" in result.skipped[0]
