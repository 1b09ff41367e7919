"""The periodic checks: reminders, stale records and speed-to-lead notify once, however often
they run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tidycrm.activities.models import AlertSettings, Notification, StaleRule
from tidycrm.activities.services import log_activity
from tidycrm.activities.services.alerts import speed_to_lead, stale_records, task_reminders
from tidycrm.contacts.models import Contact
from tidycrm.contacts.services import save_contact
from tidycrm.deals.models import Deal, Pipeline

pytestmark = pytest.mark.django_db


def kinds(user):
    return sorted(Notification.objects.filter(user=user).values_list("kind", flat=True))


def test_task_reminders_due_and_overdue_notify_once(rep, other_rep):
    now = timezone.now()
    log = lambda **d: log_activity(d, actor=rep, channel="ui")  # noqa: E731
    log(
        kind="task",
        subject="remind",
        remind_at=now - timedelta(minutes=1),
        due_at=now + timedelta(days=3),
    )
    log(kind="task", subject="soon", due_at=now + timedelta(hours=2))
    log(kind="task", subject="late", due_at=now - timedelta(hours=2), assignee_id=other_rep.pk)
    log(kind="task", subject="ancient", due_at=now - timedelta(days=30))
    log(kind="task", subject="far", due_at=now + timedelta(days=5))
    first = task_reminders(now)
    assert first == {"reminders": 1, "due": 1, "overdue": 1}
    assert task_reminders(now) == {"reminders": 0, "due": 0, "overdue": 0}
    assert kinds(rep) == ["task_due", "task_reminder"]
    assert Notification.objects.get(user=other_rep, kind="task_overdue").title == "Overdue: late"


def test_done_tasks_are_not_reminded(rep):
    from tidycrm.activities.services import complete_task

    now = timezone.now()
    task = log_activity(
        {"kind": "task", "due_at": now - timedelta(hours=1)}, actor=rep, channel="ui"
    )
    complete_task(task, actor=rep, channel="ui")
    assert task_reminders(now)["overdue"] == 0


def _age(contact, days):
    Contact.objects.filter(pk=contact.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_stale_leads_digest_once_a_day_per_owner(rep, other_rep, contact):
    StaleRule.objects.create(scope="lifecycle", lifecycle_stage="lead", days=7)
    touched = save_contact({"name": "Touched Lead"}, actor=rep, channel="ui").record
    fresh = save_contact({"name": "Fresh Lead"}, actor=rep, channel="ui").record
    theirs = save_contact({"name": "Their Lead"}, actor=other_rep, channel="ui").record
    for c in (contact, touched, theirs):
        _age(c, 20)
    _age(fresh, 2)
    log_activity({"kind": "call", "contact_ids": [touched.pk]}, actor=rep, channel="ui")
    now = timezone.now()
    result = stale_records(now)
    assert result == {"contacts": 2, "deals": 0, "notified": 2}
    mine = Notification.objects.get(user=rep)
    assert mine.title == "1 leads not touched for 7 days" and "Ada Lovelace" in mine.body
    assert stale_records(now)["notified"] == 0
    assert stale_records(now + timedelta(days=1))["notified"] == 2


def test_stale_open_deals_by_stage(rep, contact):
    pipeline = Pipeline.objects.get()
    stage = pipeline.stages.get(name="Proposal")
    StaleRule.objects.create(scope="deal_stage", stage=stage, days=14)
    old = timezone.now() - timedelta(days=30)
    quiet = Deal.objects.create(
        name="Quiet", pipeline=pipeline, stage=stage, owner=rep, stage_entered_at=old
    )
    busy = Deal.objects.create(
        name="Busy", pipeline=pipeline, stage=stage, owner=rep, stage_entered_at=old
    )
    Deal.objects.create(name="Moved", pipeline=pipeline, stage=stage, owner=rep)
    log_activity({"kind": "call", "deal_ids": [busy.pk]}, actor=rep, channel="ui")
    result = stale_records(timezone.now())
    assert result["deals"] == 1
    note = Notification.objects.get(user=rep, kind="stale")
    assert "Quiet" in note.body and "Busy" not in note.body and str(quiet) == "Quiet"


def test_speed_to_lead_alerts_owner_once_when_sla_is_breached(rep, contact):
    AlertSettings.objects.create(lead_sla_minutes=30)
    answered = save_contact({"name": "Answered"}, actor=rep, channel="ui").record
    customer = save_contact(
        {"name": "Customer", "lifecycle_stage": "customer"}, actor=rep, channel="ui"
    ).record
    waited = timezone.now() - timedelta(hours=2)
    Contact.objects.filter(pk__in=[contact.pk, answered.pk, customer.pk]).update(created_at=waited)
    log_activity({"kind": "email", "contact_ids": [answered.pk]}, actor=rep, channel="ui")
    now = timezone.now()
    assert speed_to_lead(now) == {"waiting": 1, "notified": 1}
    assert speed_to_lead(now) == {"waiting": 1, "notified": 0}
    alert = Notification.objects.get(kind="lead_sla")
    assert alert.user == rep and "Ada Lovelace" in alert.title


def test_a_task_given_to_someone_else_notifies_them(
    rep, other_rep, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        log_activity(
            {"kind": "task", "subject": "Yours", "assignee_id": other_rep.pk},
            actor=rep,
            channel="ui",
        )
        log_activity({"kind": "task", "subject": "Mine"}, actor=rep, channel="ui")
    assert kinds(other_rep) == ["task_assigned"] and kinds(rep) == []


def test_emails_only_when_mail_is_configured_and_not_late(rep, settings):
    from django.core import mail

    from tidycrm.activities.services.notify import notify, send_pending_emails

    fresh = notify(rep, kind="stale", key="fresh", title="Fresh")
    old = notify(rep, kind="stale", key="old", title="Old")
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    settings.MAILERS = {}
    assert send_pending_emails(timezone.now()) == {"sent": 0, "failed": 0}
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 0
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    mail.outbox = []
    assert send_pending_emails(timezone.now()) == {"sent": 1, "failed": 0}
    assert [m.subject for m in mail.outbox] == ["Fresh"]
    assert Notification.objects.get(pk=fresh.pk).emailed_at is not None
