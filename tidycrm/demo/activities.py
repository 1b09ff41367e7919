"""Demo activities: calls, e-mails, meetings, notes and tasks on the demo contacts (some
overdue, some due today, some upcoming), a few stale rules and the speed-to-lead target."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from tidycrm.activities.choices import Kind, StaleScope
from tidycrm.activities.models import AlertSettings, Outcome, StaleRule
from tidycrm.activities.services import log_activity
from tidycrm.audit.choices import Channel
from tidycrm.contacts.choices import LifecycleStage
from tidycrm.contacts.models import Affiliation, Contact
from tidycrm.core.exceptions import DomainError

if TYPE_CHECKING:
    from tidycrm.accounts.models import User

SUBJECTS = {
    Kind.CALL: ["Intro call", "Follow-up call", "Pricing questions", "Check-in"],
    Kind.EMAIL: ["Sent the proposal", "Shared the case study", "Answered questions on terms"],
    Kind.CONVERSATION: ["Chat at the trade fair", "Talked on the phone about next steps"],
    Kind.MEETING: ["Product demo", "Quarterly review", "Workshop on requirements"],
    Kind.NOTE: ["Prefers e-mail to calls.", "Budget approved for <b>next quarter</b>."],
    Kind.TASK: ["Send the contract", "Call back about pricing", "Prepare the demo"],
}
CONTACTS = 120


def load(seed: int, users: dict[str, User], progress: Callable[..., Any]) -> dict[str, int]:
    rng = random.Random(seed)
    now = timezone.now()
    counts = {"activities": 0, "stale_rules": 0}
    for stage, days in ((LifecycleStage.LEAD, 14), (LifecycleStage.CUSTOMER, 90)):
        _, made = StaleRule.objects.get_or_create(
            scope=StaleScope.LIFECYCLE, lifecycle_stage=stage, defaults={"days": days}
        )
        counts["stale_rules"] += made
    if not AlertSettings.objects.exists():
        AlertSettings.objects.create(lead_sla_minutes=120)
    outcomes: dict[str, list[int]] = {
        kind: list(Outcome.objects.filter(kind=kind, is_active=True).values_list("pk", flat=True))
        for kind in (Kind.CALL, Kind.MEETING)
    }
    by_pk = {u.pk: u for u in users.values()}
    contacts = list(Contact.objects.filter(owner_id__in=list(by_pk)).order_by("pk")[:CONTACTS])
    companies = dict(
        Affiliation.objects.filter(contact__in=contacts, is_primary=True).values_list(
            "contact_id", "company_id"
        )
    )
    for n, contact in enumerate(contacts, start=1):
        actor = by_pk[contact.owner_id or 0]
        for _ in range(rng.randint(1, 4)):
            data = _activity(rng, now, outcomes)
            data["contact_ids"] = [contact.pk]
            if contact.pk in companies:
                data["company_ids"] = [companies[contact.pk]]
            try:
                log_activity(data, actor=actor, channel=Channel.SYSTEM)
            except DomainError:
                continue  # a demo row the rules refuse is simply left out
            counts["activities"] += 1
        progress("activities", n, len(contacts))
    return counts


def _activity(rng: random.Random, now: Any, outcomes: dict[str, list[int]]) -> dict[str, Any]:
    kind = rng.choice(list(SUBJECTS))
    data: dict[str, Any] = {"kind": kind, "subject": rng.choice(SUBJECTS[kind])}
    past = now - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 600))
    if kind == Kind.NOTE:
        data = {"kind": kind, "body": data["subject"], "occurred_at": past}
    elif kind == Kind.TASK:
        # Some overdue, some due today, some in the coming days: "my day" has something to show.
        data["due_at"] = now + timedelta(hours=rng.choice([-30, -3, 2, 5, 48, 24 * 7]))
        data["priority"] = rng.choice(["low", "normal", "normal", "high"])
    elif kind == Kind.MEETING:
        start = (now + timedelta(days=rng.randint(-20, 14))).replace(minute=0, second=0)
        data.update(occurred_at=start, ends_at=start + timedelta(hours=1), location="Office")
        if start < now and outcomes[Kind.MEETING]:
            data["outcome_id"] = rng.choice(outcomes[Kind.MEETING])
    else:
        data["occurred_at"] = past
        data["direction"] = rng.choice(["inbound", "outbound"])
        if kind == Kind.CALL:
            data["duration_seconds"] = rng.randint(30, 1800)
            if outcomes[Kind.CALL]:
                data["outcome_id"] = rng.choice(outcomes[Kind.CALL])
    return data
