"""Logging, changing and completing activities: validation, visibility, audit, touches."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tidycrm.activities.models import Activity, ActivityContact, Outcome
from tidycrm.activities.selectors import get_activity, my_day, visible_activities
from tidycrm.activities.services import (
    complete_task,
    delete_activity,
    log_activity,
    update_activity,
)
from tidycrm.audit.models import ChangeRecord
from tidycrm.audit.selectors import history_for
from tidycrm.contacts.models import Contact
from tidycrm.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


def test_log_call_links_contact_audits_and_touches(rep, contact):
    connected = Outcome.objects.get(kind="call", name="Connected")
    call = log_activity(
        {
            "kind": "call",
            "subject": "Intro call",
            "direction": "outbound",
            "outcome_id": connected.pk,
            "duration_seconds": 300,
            "contact_ids": [contact.pk],
        },
        actor=rep,
        channel="ui",
    )
    assert (call.kind, call.direction, call.outcome_id, call.owner_id) == (
        "call",
        "outbound",
        connected.pk,
        rep.pk,
    )
    assert call.team_id == rep.team_id
    link = ActivityContact.objects.get(activity=call)
    assert (link.contact_id, link.at) == (contact.pk, call.occurred_at)
    entry = history_for(call).get()
    assert entry.action == "create" and entry.actor_id == rep.pk
    assert entry.changes["contact_ids"]["after"] == [contact.pk]
    contact.refresh_from_db()
    assert contact.last_activity_at == call.occurred_at


def test_field_errors_name_each_field_and_store_nothing(rep, contact, other_rep):
    meeting_outcome = Outcome.objects.get(kind="meeting", name="Held")
    with pytest.raises(ValidationFailed) as caught:
        log_activity(
            {
                "kind": "call",
                "direction": "sideways",
                "outcome_id": meeting_outcome.pk,
                "duration_seconds": -5,
                "due_at": "2026-01-01T10:00:00Z",
                "occurred_at": "yesterday-ish",
                "contact_ids": [contact.pk, 999999],
                "colour": "red",
            },
            actor=rep,
            channel="api",
        )
    errors = caught.value.field_errors
    assert set(errors) == {
        "direction",
        "outcome_id",
        "duration_seconds",
        "due_at",
        "occurred_at",
        "contact_ids",
        "colour",
    }
    assert "is not used by a call" in errors["due_at"][0]
    assert "999999" in errors["contact_ids"][0]
    assert Activity.objects.count() == 0


def test_unknown_kind_is_a_field_error(rep):
    with pytest.raises(ValidationFailed) as caught:
        log_activity({"kind": "telegram"}, actor=rep, channel="api")
    assert "kind" in caught.value.field_errors


def test_links_to_records_the_actor_cannot_see_are_refused(other_rep, contact):
    with pytest.raises(ValidationFailed) as caught:
        log_activity(
            {"kind": "note", "body": "x", "contact_ids": [contact.pk]},
            actor=other_rep,
            channel="ui",
        )
    assert "cannot see" in caught.value.field_errors["contact_ids"][0]


def test_note_body_is_sanitised_and_gives_the_subject(rep, contact):
    note = log_activity(
        {
            "kind": "note",
            "body": '<p onclick="x()">Budget <b>approved</b></p><script>alert(1)</script>',
            "contact_ids": [contact.pk],
        },
        actor=rep,
        channel="ui",
    )
    assert "<script" not in note.body and "onclick" not in note.body
    assert "<b>approved</b>" in note.body
    assert note.subject == "Budget approved"


def test_meeting_end_before_start_and_bad_video_link(rep):
    start = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationFailed) as caught:
        log_activity(
            {
                "kind": "meeting",
                "subject": "Demo",
                "occurred_at": start,
                "ends_at": start - timedelta(hours=1),
                "video_url": "javascript:alert(1)",
            },
            actor=rep,
            channel="ui",
        )
    assert set(caught.value.field_errors) == {"ends_at", "video_url"}


def test_task_defaults_complete_and_reopen(rep, contact):
    task = log_activity(
        {"kind": "task", "subject": "Send quote", "due_at": timezone.now() + timedelta(hours=2)},
        actor=rep,
        channel="ui",
    )
    assert (task.assignee_id, task.priority, task.completed_at) == (rep.pk, "normal", None)
    done = complete_task(task, actor=rep, channel="ui")
    assert done.completed_at is not None and done.completed_by_id == rep.pk
    again = complete_task(done, actor=rep, channel="ui")
    assert again.version == done.version  # completing twice changes nothing
    reopened = complete_task(again, actor=rep, channel="ui", done=False)
    assert reopened.completed_at is None
    actions = list(history_for(task).values_list("action", flat=True))
    assert actions == ["update", "update", "create"]


def test_completing_a_call_is_refused(rep):
    call = log_activity({"kind": "call"}, actor=rep, channel="ui")
    with pytest.raises(ValidationFailed):
        complete_task(call, actor=rep, channel="ui")


def test_update_checks_version_and_moves_link_times(rep, contact):
    call = log_activity({"kind": "call", "contact_ids": [contact.pk]}, actor=rep, channel="ui")
    earlier = call.occurred_at - timedelta(days=3)
    changed = update_activity(
        call,
        {"occurred_at": earlier, "subject": "Follow-up"},
        actor=rep,
        channel="ui",
        expected_version=1,
    )
    assert changed.version == 2
    assert ActivityContact.objects.get(activity=call).at == earlier
    with pytest.raises(Conflict):
        update_activity(
            changed, {"subject": "Late edit"}, actor=rep, channel="ui", expected_version=1
        )
    with pytest.raises(ValidationFailed) as caught:
        update_activity(changed, {"kind": "note"}, actor=rep, channel="ui")
    assert "kind" in caught.value.field_errors


def test_last_activity_never_moves_back_and_plans_do_not_touch(rep, contact):
    now = timezone.now()
    log_activity(
        {"kind": "call", "contact_ids": [contact.pk], "occurred_at": now}, actor=rep, channel="ui"
    )
    log_activity(
        {"kind": "call", "contact_ids": [contact.pk], "occurred_at": now - timedelta(days=5)},
        actor=rep,
        channel="ui",
    )
    log_activity(
        {"kind": "task", "contact_ids": [contact.pk], "due_at": now + timedelta(days=1)},
        actor=rep,
        channel="ui",
    )
    log_activity(
        {"kind": "meeting", "contact_ids": [contact.pk], "occurred_at": now + timedelta(days=2)},
        actor=rep,
        channel="ui",
    )
    contact.refresh_from_db()
    assert contact.last_activity_at == now


def test_visibility_own_team_assignee(rep, other_rep, make_user, team):
    mine = log_activity({"kind": "call"}, actor=rep, channel="ui")
    given = log_activity({"kind": "task", "assignee_id": other_rep.pk}, actor=rep, channel="ui")
    assert set(visible_activities(other_rep)) == {given}
    manager = make_user("manager", team=team)
    assert {mine, given} <= set(visible_activities(manager))
    with pytest.raises(NotFound):
        get_activity(other_rep, mine.pk)


def test_read_only_cannot_log_and_sales_cannot_delete(make_user, rep):
    reader = make_user("read_only")
    with pytest.raises(PermissionDenied):
        log_activity({"kind": "note", "body": "x"}, actor=reader, channel="ui")
    call = log_activity({"kind": "call"}, actor=rep, channel="ui")
    with pytest.raises(PermissionDenied):
        delete_activity(call, actor=rep, channel="ui")


def test_delete_is_audited_and_removes_links(admin, contact):
    call = log_activity({"kind": "call", "contact_ids": [contact.pk]}, actor=admin, channel="ui")
    pk = call.pk
    delete_activity(call, actor=admin, channel="ui")
    assert not ActivityContact.objects.filter(activity_id=pk).exists()
    assert ChangeRecord.objects.filter(object_id=pk, action="delete").exists()


def test_my_day_sorts_tasks_and_meetings(rep):
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    log = lambda **data: log_activity(data, actor=rep, channel="ui")  # noqa: E731
    overdue = log(kind="task", subject="late", due_at=noon - timedelta(hours=1))
    today = log(kind="task", subject="today", due_at=noon + timedelta(hours=3))
    log(kind="task", subject="next week", due_at=noon + timedelta(days=7))
    meeting = log(kind="meeting", subject="standup", occurred_at=noon)
    log(kind="meeting", subject="tomorrow", occurred_at=noon + timedelta(days=1))
    day = my_day(rep, noon)
    assert day["overdue"] == [overdue]
    assert day["due_today"] == [today]
    assert day["meetings"] == [meeting]


def test_first_activity_at_gives_speed_to_lead(rep, contact):
    from tidycrm.activities.selectors import first_activity_at

    created = contact.created_at
    log_activity(
        {
            "kind": "task",
            "contact_ids": [contact.pk],
            "occurred_at": created + timedelta(minutes=1),
        },
        actor=rep,
        channel="ui",
    )
    assert Contact.objects.annotate(first=first_activity_at()).get().first is None
    log_activity(
        {
            "kind": "call",
            "contact_ids": [contact.pk],
            "occurred_at": created + timedelta(minutes=30),
        },
        actor=rep,
        channel="ui",
    )
    log_activity(
        {"kind": "email", "contact_ids": [contact.pk], "occurred_at": created + timedelta(hours=5)},
        actor=rep,
        channel="ui",
    )
    first = Contact.objects.annotate(first=first_activity_at()).get().first
    assert first - created == timedelta(minutes=30)


def test_deal_counters_equal_the_links_after_every_write(rep, contact):
    """Activities and conversations per deal, as stored, against a count of the links."""
    from tidycrm.activities.models import ActivityDeal
    from tidycrm.activities.services.bulk import insert_activities
    from tidycrm.deals.services import create_deal

    deals = [create_deal({"name": f"D{i}", "amount": 1}, actor=rep).record for i in range(2)]
    connected = Outcome.objects.get(kind="call", name="Connected")
    missed = Outcome.objects.filter(kind="call", is_connected=False).first()

    def check() -> None:
        for deal in deals:
            deal.refresh_from_db()
            links = ActivityDeal.objects.filter(deal=deal).select_related("activity__outcome")
            talks = [
                link
                for link in links
                if link.activity.kind in ("conversation", "meeting")
                or (
                    link.activity.kind == "call"
                    and link.activity.outcome is not None
                    and link.activity.outcome.is_connected
                )
            ]
            assert (deal.activity_count, deal.conversation_count) == (len(links), len(talks))

    call = log_activity(
        {"kind": "call", "subject": "Call", "outcome_id": missed.pk, "deal_ids": [deals[0].pk]},
        actor=rep,
        channel="ui",
    )
    note = log_activity(
        {"kind": "note", "body": "Note", "deal_ids": [d.pk for d in deals]},
        actor=rep,
        channel="ui",
    )
    check()
    call = update_activity(call, {"outcome_id": connected.pk}, actor=rep, channel="ui")
    check()
    assert deals[0].conversation_count == 1
    update_activity(call, {"deal_ids": [deals[1].pk]}, actor=rep, channel="ui")
    check()
    update_activity(note, {"deal_ids": [deals[1].pk]}, actor=rep, channel="ui")
    check()
    delete_activity(Activity.objects.get(pk=call.pk), actor=None, channel="ui")
    check()
    insert_activities(
        [{"kind": "meeting", "subject": "Visit", "deal_ids": [deals[0].pk]}], audit=False
    )
    check()
    assert (deals[0].activity_count, deals[0].conversation_count) == (1, 1)
