"""The periodic checks: task reminders, "not touched for N days" and speed-to-lead alerts.

Each check is idempotent through notification keys, so it may run any number of times.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from tidycrm.accounts.models import User
from tidycrm.activities.choices import Kind, NotificationKind, StaleScope
from tidycrm.activities.models import Activity, ActivityContact, ActivityDeal, StaleRule
from tidycrm.activities.selectors import alert_settings
from tidycrm.activities.services.notify import notify, send_pending_emails
from tidycrm.contacts.choices import LifecycleStage
from tidycrm.contacts.models import Contact
from tidycrm.core import schedule
from tidycrm.deals.choices import DealStatus
from tidycrm.deals.models import Deal

# Overdue tasks older than this are a list to clean up, not a fresh alert.
OVERDUE_WINDOW = timedelta(days=7)
EXAMPLES = 5


def _user_map(ids: set[int]) -> dict[int, User]:
    return {u.pk: u for u in User.objects.filter(pk__in=ids, is_active=True)}


def task_reminders(now: datetime) -> dict[str, int]:
    """Reminders at `remind_at`, a 'due soon' notice, and one 'overdue' notice per due date."""
    settings = alert_settings()
    open_tasks = Activity.objects.filter(
        kind=Kind.TASK, completed_at__isnull=True, assignee__isnull=False
    )
    counts = {"reminders": 0, "due": 0, "overdue": 0}
    sets = (
        ("reminders", NotificationKind.TASK_REMINDER, open_tasks.filter(remind_at__lte=now)),
        (
            "due",
            NotificationKind.TASK_DUE,
            open_tasks.filter(
                due_at__gt=now, due_at__lte=now + timedelta(hours=settings.due_soon_hours)
            ),
        ),
        (
            "overdue",
            NotificationKind.TASK_OVERDUE,
            open_tasks.filter(due_at__lte=now, due_at__gt=now - OVERDUE_WINDOW),
        ),
    )
    for name, kind, tasks in sets:
        for task in tasks.select_related("assignee").order_by("pk")[:5000]:
            assert task.assignee is not None  # filtered above
            moment = task.remind_at if name == "reminders" else task.due_at
            stamp = moment.isoformat() if moment else ""
            due = f"Due {timezone.localtime(task.due_at):%Y-%m-%d %H:%M}." if task.due_at else ""
            title = {
                "reminders": f"Reminder: {task.subject}",
                "due": f"Due soon: {task.subject}",
                "overdue": f"Overdue: {task.subject}",
            }[name]
            made = notify(
                task.assignee,
                kind=kind,
                key=f"{kind}:{task.pk}:{stamp}",
                title=title,
                body=due,
                url=reverse("activities:detail", args=[task.pk]),
                activity=task,
            )
            counts[name] += made is not None
    return counts


def stale_records(now: datetime) -> dict[str, int]:
    """One digest a day per owner and rule: the records nobody touched for the rule's days."""
    counts = {"contacts": 0, "deals": 0, "notified": 0}
    day = timezone.localdate(now).isoformat()
    for rule in StaleRule.objects.filter(is_active=True).select_related("stage"):
        cutoff = now - timedelta(days=rule.days)
        if rule.scope == StaleScope.LIFECYCLE:
            contacts = stale_contacts(rule.lifecycle_stage, cutoff)
            label = LifecycleStage(rule.lifecycle_stage).label.lower() + "s"
            per_owner = _digest(contacts, "display_name")
            counts["contacts"] += sum(n for n, _ in per_owner.values())
        else:
            deals = stale_deals(rule.stage_id or 0, cutoff)
            label = f"open deals in {rule.stage}"
            per_owner = _digest(deals, "name")
            counts["deals"] += sum(n for n, _ in per_owner.values())
        users = _user_map(set(per_owner))
        for owner_id, (count, examples) in per_owner.items():
            if owner_id not in users:
                continue
            made = notify(
                users[owner_id],
                kind=NotificationKind.STALE,
                key=f"stale:{rule.pk}:{day}",
                title=f"{count} {label} not touched for {rule.days} days",
                body="\n".join(examples) + ("\n…" if count > len(examples) else ""),
                url=reverse("activities:stale", args=[rule.pk]),
            )
            counts["notified"] += made is not None
    return counts


def stale_contacts(stage: str, cutoff: datetime) -> QuerySet[Contact]:
    return Contact.objects.filter(lifecycle_stage=stage, owner__isnull=False).filter(
        Q(last_activity_at__lt=cutoff) | Q(last_activity_at__isnull=True, created_at__lt=cutoff)
    )


def stale_deals(stage_id: int, cutoff: datetime) -> QuerySet[Deal]:
    # NOT EXISTS per deal reads the (deal, at) index; NOT IN would hash every recent link.
    recent = ActivityDeal.objects.filter(deal_id=OuterRef("pk"), at__gte=cutoff)
    return (
        Deal.objects.filter(stage_id=stage_id, status=DealStatus.OPEN, owner__isnull=False)
        .filter(stage_entered_at__lt=cutoff)
        .filter(~Exists(recent))
    )


def _digest(queryset: QuerySet[Any], name_field: str) -> dict[int, tuple[int, list[str]]]:
    """Per owner: how many records, and a few of them by name."""
    totals = queryset.order_by().values("owner_id").annotate(n=Count("pk"))
    found: dict[int, tuple[int, list[str]]] = {}
    for row in totals:
        owner_id, total = row["owner_id"], row["n"]
        names = queryset.filter(owner_id=owner_id).order_by("pk")
        shown = names.values_list(name_field, flat=True)[:EXAMPLES]
        found[owner_id] = (total, [str(n) for n in shown])
    return found


def speed_to_lead(now: datetime) -> dict[str, int]:
    """Alert a lead's owner when the lead has waited longer than the SLA for a first activity."""
    settings = alert_settings()
    sla = timedelta(minutes=settings.lead_sla_minutes)
    window = timedelta(days=settings.lead_sla_window_days)
    touched = ActivityContact.objects.filter(contact_id=OuterRef("pk"))
    waiting = (
        Contact.objects.filter(
            lifecycle_stage=LifecycleStage.LEAD,
            owner__isnull=False,
            created_at__lte=now - sla,
            created_at__gt=now - window,
        )
        .filter(~Exists(touched))
        .only("pk", "display_name", "owner_id", "created_at")
    )
    leads = list(waiting.order_by("created_at", "pk")[:5000])
    users = _user_map({c.owner_id for c in leads if c.owner_id})
    made = 0
    for contact in leads:
        owner = users.get(contact.owner_id or 0)
        if owner is None:
            continue
        waited = int((now - contact.created_at).total_seconds() // 60)
        result = notify(
            owner,
            kind=NotificationKind.LEAD_SLA,
            key=f"lead_sla:{contact.pk}",
            title=f"New lead {contact.display_name} waiting {waited} min for a first contact",
            body=f"The target is a first activity within {settings.lead_sla_minutes} minutes.",
            url=reverse("contacts:detail", args=[contact.pk]),
        )
        made += result is not None
    return {"waiting": len(leads), "notified": made}


def register_periodic() -> None:
    schedule.register("activities.task_reminders", timedelta(minutes=1), task_reminders)
    schedule.register("activities.speed_to_lead", timedelta(minutes=5), speed_to_lead)
    schedule.register("activities.stale_records", timedelta(hours=6), stale_records)
    schedule.register("activities.send_emails", timedelta(minutes=1), send_pending_emails)
