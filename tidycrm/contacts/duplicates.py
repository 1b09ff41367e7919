"""Step 3 of the door for contacts: look up likely duplicates by exact match keys.

The policy per channel comes from TIDYCRM_DUPLICATE_POLICY ("warn" or "block"); scored, fuzzy
matching plugs in here without changing the callers.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from tidycrm.accounts.models import User
from tidycrm.accounts.selectors import visibility_filter
from tidycrm.contacts.models import Contact
from tidycrm.core.door import Draft
from tidycrm.core.exceptions import Conflict

DEFAULT_POLICY = {
    "ui": "warn",
    "api": "warn",
    "import": "warn",
    "form": "warn",
    "automation": "warn",
    "system": "warn",
}


def policy_for(channel: str) -> str:
    configured: dict[str, str] = getattr(settings, "TIDYCRM_DUPLICATE_POLICY", {})
    return configured.get(channel, DEFAULT_POLICY.get(channel, "warn"))


def candidates(draft: Draft, exclude_id: int | None) -> dict[int, list[str]]:
    """Contact ids sharing an e-mail address or phone number with the draft, and why."""
    found: dict[int, list[str]] = {}
    # The match key makes john.smith+news@googlemail.com the same mailbox as johnsmith@gmail.com.
    emails = [row["match_key"] for row in draft.children.get("emails", []) if row["match_key"]]
    phones = [row["e164"] for row in draft.children.get("phones", []) if row["e164"]]
    queries = [
        ("e-mail", Contact.objects.filter(emails__match_key__in=emails) if emails else None),
        ("phone", Contact.objects.filter(phones__e164__in=phones) if phones else None),
    ]
    for reason, queryset in queries:
        if queryset is None:
            continue
        if exclude_id is not None:
            queryset = queryset.exclude(pk=exclude_id)
        for contact_id in queryset.values_list("pk", flat=True).distinct()[:10]:
            found.setdefault(contact_id, []).append(reason)
    return found


def check(draft: Draft, *, actor: User | None, channel: str, exclude_id: int | None) -> list[str]:
    found = candidates(draft, exclude_id)
    if not found:
        return []
    visible_ids = set(
        Contact.objects.filter(pk__in=found)
        .filter(visibility_filter(actor) if actor else Q())
        .values_list("pk", flat=True)
    )
    messages = [
        f"Possible duplicate of contact {cid} (same {' and '.join(reasons)})."
        if cid in visible_ids
        else f"A contact you cannot see has the same {' and '.join(reasons)}."
        for cid, reasons in sorted(found.items())
    ]
    if policy_for(channel) == "block":
        raise Conflict(" ".join(messages), field_errors={"__all__": messages})
    return messages
