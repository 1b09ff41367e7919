"""Step 3 of the door for contacts: is this record someone we already have?

The door asks the registered entry check (the dedupe app registers one when it starts: scored
candidates from the match-key table, the policy an admin set per channel). Contacts never import
dedupe; without a registered check the door falls back to exact e-mail and phone look-ups that
warn, so contacts work on their own.

A verdict's action decides: "warn" adds warnings, "block" refuses the save with the likely
duplicates (DuplicateFound), "link" saves and queues the pair for review, "merge" saves and
merges into the existing contact; the last two happen in `saved`, after the row exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from django.conf import settings
from django.db.models import Q

from tidycrm.accounts.models import User
from tidycrm.accounts.selectors import visibility_filter
from tidycrm.contacts.models import AliasKind, Contact, ContactAlias
from tidycrm.core.door import Draft
from tidycrm.matching import PersonRecord
from tidycrm.records.duplicates import (
    BLOCK,
    LINK,
    MERGE,
    OFF,
    WARN,
    DuplicateFound,
    Finding,
    Verdict,
)

# The policy words, the verdict and its exception are shared with companies (records.duplicates);
# callers of the contact door keep reaching them here.
__all__ = [
    "BLOCK",
    "LINK",
    "MERGE",
    "OFF",
    "WARN",
    "DuplicateFound",
    "EntryCheck",
    "Finding",
    "Verdict",
    "alias_owners",
    "aliased",
    "check",
    "check_many",
    "configured_action",
    "into_existing",
    "register",
    "saved",
    "saved_many",
]


class EntryCheck(Protocol):
    def check(
        self, draft: Draft, *, instance: Contact | None, actor: User | None, channel: str
    ) -> Verdict: ...

    def saved(
        self, contact: Contact, verdict: Verdict, *, actor: User | None, channel: str
    ) -> Contact: ...

    def check_many(
        self, records: Sequence[PersonRecord], *, actor: User | None, channel: str
    ) -> list[Verdict]: ...

    def saved_many(
        self, saved: Sequence[tuple[Contact, Verdict]], *, actor: User | None, channel: str
    ) -> None: ...


_entry_check: EntryCheck | None = None


def register(entry_check: EntryCheck | None) -> None:
    """Install the door's duplicate check (dedupe does this in its AppConfig.ready)."""
    global _entry_check
    _entry_check = entry_check


def check(draft: Draft, *, instance: Contact | None, actor: User | None, channel: str) -> Verdict:
    """The verdict on a valid draft; raises DuplicateFound when the policy blocks."""
    if _entry_check is not None:
        verdict = _entry_check.check(draft, instance=instance, actor=actor, channel=channel)
    else:
        verdict = _exact_check(draft, instance, actor, channel)
    if verdict.action == BLOCK and verdict.findings:
        raise DuplicateFound(verdict.findings)
    return verdict


def saved(contact: Contact, verdict: Verdict, *, actor: User | None, channel: str) -> Contact:
    """After the save, inside its transaction: link or merge; returns the contact that stays."""
    if _entry_check is None or not verdict.findings or verdict.action not in (LINK, MERGE):
        return contact
    return _entry_check.saved(contact, verdict, actor=actor, channel=channel)


def check_many(
    records: Sequence[PersonRecord], *, actor: User | None, channel: str
) -> list[Verdict]:
    """The bulk door's step 3, set-based: one verdict per new record (as matching sees it).
    Bulk channels queue likely duplicates for review (link) or refuse them (block); a warning
    would reach nobody, so warn and off check nothing here."""
    if _entry_check is None:
        return [Verdict() for _ in records]
    return _entry_check.check_many(records, actor=actor, channel=channel)


def saved_many(
    saved: Sequence[tuple[Contact, Verdict]], *, actor: User | None, channel: str
) -> None:
    """After a bulk insert, inside its transaction: queue the linked pairs for review."""
    linked = [(c, v) for c, v in saved if v.findings and v.action in (LINK, MERGE)]
    if _entry_check is not None and linked:
        _entry_check.saved_many(linked, actor=actor, channel=channel)


def alias_owners(kind: AliasKind | str, values: Iterable[str]) -> dict[str, int]:
    """Contacts that took over these identifiers in a merge: value -> surviving contact id."""
    wanted = [v for v in values if v]
    if not wanted:
        return {}
    rows = ContactAlias.objects.filter(kind=kind, value__in=wanted).values_list("value", "contact")
    return dict(rows)


def aliased(identifiers: Sequence[tuple[str, str]]) -> set[int]:
    """Contacts that took over any of these (kind, value) identifiers in a merge."""
    if not identifiers:
        return set()
    query = Q()
    for kind, value in identifiers:
        query |= Q(kind=kind, value=value)
    return set(ContactAlias.objects.filter(query).values_list("contact_id", flat=True))


def _exact_check(
    draft: Draft, instance: Contact | None, actor: User | None, channel: str
) -> Verdict:
    """Contacts sharing an e-mail mailbox or a phone number with the draft."""
    found: dict[int, list[str]] = {}
    emails = [row["match_key"] for row in draft.children.get("emails", []) if row["match_key"]]
    phones = [row["e164"] for row in draft.children.get("phones", []) if row["e164"]]
    queries = [
        ("e-mail", Contact.objects.filter(emails__match_key__in=emails) if emails else None),
        ("phone", Contact.objects.filter(phones__e164__in=phones) if phones else None),
    ]
    for reason, queryset in queries:
        if queryset is None:
            continue
        if instance is not None:
            queryset = queryset.exclude(pk=instance.pk)
        for contact_id in queryset.values_list("pk", flat=True).distinct()[:10]:
            found.setdefault(contact_id, []).append(reason)
    visible_ids = set(
        Contact.objects.filter(pk__in=found)
        .filter(visibility_filter(actor) if actor else Q())
        .values_list("pk", flat=True)
    )
    findings = [
        Finding(cid, 1.0, [f"same {' and '.join(reasons)}"], cid in visible_ids)
        for cid, reasons in sorted(found.items())
    ]
    return Verdict(configured_action(channel) or WARN, findings)


def configured_action(channel: str) -> str | None:
    """The deployment's default action for a channel (TIDYCRM_DUPLICATE_POLICY), if set."""
    configured: dict[str, str] = getattr(settings, "TIDYCRM_DUPLICATE_POLICY", {})
    return configured.get(channel)


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _rows(value: Any, key: str) -> list[dict[str, Any]]:
    rows = value if isinstance(value, list) else []
    return [
        {**row, key: str(row.get(key) or "")} if isinstance(row, Mapping) else {key: str(row)}
        for row in rows
    ]


def into_existing(contact: Contact, data: Mapping[str, Any]) -> dict[str, Any]:
    """The door's input that adds a refused entry's details to the contact it duplicates:
    blank fields are filled and new e-mails and phones appended; nothing it has is overwritten."""
    update: dict[str, Any] = {}
    for name, value in data.items():
        if name in ("emails", "phones", "addresses", "companies", "tags", "custom_fields"):
            continue
        current = getattr(contact, name, None)
        if not _blank(value) and _blank(current) and hasattr(contact, name):
            update[name] = value
    emails = [{"label": e.label, "address": e.address} for e in contact.emails.all()]
    known = {e["address"].casefold() for e in emails}
    added = [
        e for e in _rows(data.get("emails"), "address") if e["address"].casefold() not in known
    ]
    if added:
        update["emails"] = [*emails, *({**e, "is_primary": False} for e in added)]
    phones = [{"label": p.label, "number": p.e164 or p.raw} for p in contact.phones.all()]
    numbers = {p["number"] for p in phones} | set(contact.phones.values_list("raw", flat=True))
    new_phones = [p for p in _rows(data.get("phones"), "number") if p["number"] not in numbers]
    if new_phones:
        update["phones"] = [*phones, *({**p, "is_primary": False} for p in new_phones)]
    return update
