"""What a bulk action acts on: fixed as contact ids when it is requested.

A target is one of {"ids": [...]}, {"list_id": n}, {"segment_id": n}, {"filter": <filter>} or
{"query": {contacts list parameters}}; it is resolved within the user's visibility and its ids
are copied into BulkActionItem with one INSERT ... SELECT, so a segment that changes while the
action runs does not change what it acts on.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import QuerySet

from tidycrm.accounts.models import User
from tidycrm.contacts.filters import ContactFilter
from tidycrm.contacts.models import Contact
from tidycrm.contacts.selectors import visible_contacts
from tidycrm.core.exceptions import ValidationFailed
from tidycrm.lists.selectors import get_list, list_members
from tidycrm.segments.models import BulkAction, BulkActionItem
from tidycrm.segments.selectors import get_segment, matching_contacts

TARGET_KEYS = ("ids", "list_id", "segment_id", "filter", "query")
MAX_IDS = 100_000


def target_contacts(user: User, target: dict[str, Any]) -> QuerySet[Contact]:
    given = [key for key in TARGET_KEYS if target.get(key) not in (None, [], {})]
    if len(given) != 1:
        raise ValidationFailed({"target": [f"name exactly one of: {', '.join(TARGET_KEYS)}."]})
    key, value = given[0], target[given[0]]
    if key == "ids":
        if not isinstance(value, list) or len(value) > MAX_IDS:
            raise ValidationFailed({"target.ids": [f"must be a list of up to {MAX_IDS:,} ids."]})
        if not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value):
            raise ValidationFailed({"target.ids": ["must hold contact ids (positive numbers)."]})
        return visible_contacts(user).filter(pk__in=value)
    if key == "list_id":
        return list_members(user, get_list(int(value)))
    if key == "segment_id":
        return matching_contacts(user, get_segment(int(value)).filter)
    if key == "filter":
        try:
            return matching_contacts(user, value)
        except ValidationFailed as exc:
            raise ValidationFailed(
                {
                    name.replace("filter", "target.filter", 1): m
                    for name, m in exc.field_errors.items()
                }
            ) from exc
    if not isinstance(value, dict):
        raise ValidationFailed({"target.query": ["must be the contacts list's parameters."]})
    # An unknown (misspelt) parameter would silently widen the target to everyone.
    unknown = sorted(set(value) - set(ContactFilter.base_filters))
    if unknown:
        known = ", ".join(sorted(ContactFilter.base_filters))
        raise ValidationFailed({f"target.query.{unknown[0][:40]}": [f"is not one of {known}."]})
    filterset = ContactFilter(
        {k: str(v) for k, v in value.items()}, queryset=visible_contacts(user)
    )
    if not filterset.is_valid():
        raise ValidationFailed({f"target.query.{k}": list(v) for k, v in filterset.errors.items()})
    return filterset.qs  # type: ignore[no-any-return]


def describe(target: dict[str, Any]) -> dict[str, Any]:
    """What the action record keeps of its target (the ids themselves are its items)."""
    if target.get("ids"):
        return {"ids": len(target["ids"])}
    return {k: v for k, v in target.items() if k in TARGET_KEYS and v not in (None, [], {})}


def freeze(action: BulkAction, contacts: QuerySet[Contact]) -> int:
    """Copy the target's ids into the action's items in the database; returns how many."""
    ids = contacts.order_by().values("pk")
    sql, params = ids.query.sql_with_params()
    meta = BulkActionItem._meta
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (action_id, contact_id) SELECT %s, t.* FROM ({sql}) t",  # noqa: S608
            [action.pk, *params],
        )
    return BulkActionItem.objects.filter(action=action).count()
