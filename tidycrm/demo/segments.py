"""Demo lists, segments and a saved view, made through the lists and segments services."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from tidycrm.accounts.choices import Role
from tidycrm.accounts.models import User
from tidycrm.audit.choices import Channel
from tidycrm.contacts.choices import LifecycleStage
from tidycrm.contacts.models import Contact
from tidycrm.lists.models import ContactList
from tidycrm.lists.services import add_members, create_list
from tidycrm.segments.models import SavedView, Segment
from tidycrm.segments.services.membership import recompute_segment
from tidycrm.segments.services.segments import create_segment
from tidycrm.segments.services.views import save_view

LISTS = {
    "Customers": "Everyone who has bought from us.",
    "Newsletter": "Agreed to receive the monthly newsletter.",
    "Webinar 2026": "Registered for the spring webinar.",
}
SEGMENTS: dict[str, dict[str, Any]] = {
    "Customers without activity for 60 days": {
        "all": [
            {"field": "lifecycle_stage", "op": "eq", "value": LifecycleStage.CUSTOMER},
            {
                "field": "activities",
                "op": "not_exists",
                "where": {"field": "occurred_at", "op": "in_last_days", "value": 60},
            },
        ]
    },
    "Leads in Germany or France": {
        "all": [
            {"field": "lifecycle_stage", "op": "in", "value": ["lead", "subscriber"]},
            {"field": "country", "op": "in", "value": ["DE", "FR"]},
        ]
    },
    "Open deals over 10,000": {
        "field": "deals",
        "op": "exists",
        "where": {
            "all": [
                {"field": "status", "op": "eq", "value": "open"},
                {"field": "amount", "op": "gt", "value": 10000},
            ]
        },
    },
}


def load(seed: int, users: dict[str, User], progress: Callable[..., Any]) -> dict[str, int]:
    rng = random.Random(seed)
    admin = next((u for u in users.values() if u.role == Role.ADMIN), None)
    counts = {"lists": 0, "list_members": 0, "segments": 0, "saved_views": 0}
    if admin is None:
        return counts
    ids = list(Contact.objects.order_by("pk").values_list("pk", "lifecycle_stage"))
    for n, (name, description) in enumerate(LISTS.items(), start=1):
        if ContactList.objects.filter(name=name).exists():
            continue
        contact_list = create_list(
            name=name, description=description, actor=admin, channel=Channel.SYSTEM
        )
        if name == "Customers":
            members = [pk for pk, stage in ids if stage == LifecycleStage.CUSTOMER]
        else:
            members = [pk for pk, _ in ids if rng.random() < 0.3]
        change = add_members(contact_list, members, actor=admin, channel=Channel.SYSTEM)
        counts["lists"] += 1
        counts["list_members"] += len(change.changed)
        progress("lists", n, len(LISTS))
    for n, (name, node) in enumerate(SEGMENTS.items(), start=1):
        if Segment.objects.filter(name=name).exists():
            continue
        segment = create_segment(name=name, filter=node, actor=admin, channel=Channel.SYSTEM)
        recompute_segment(segment)
        counts["segments"] += 1
        progress("segments", n, len(SEGMENTS))
    if not SavedView.objects.filter(owner=admin).exists():
        save_view(
            {
                "name": "Customers by last update",
                "filters": {"lifecycle_stage": "customer"},
                "sort": "-updated",
                "columns": ["email", "company", "owner", "updated"],
            },
            actor=admin,
        )
        counts["saved_views"] += 1
    return counts
