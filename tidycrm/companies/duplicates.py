"""Step 3 of the door for companies: is this company one we already have?

As for contacts (contacts.duplicates), the door asks the check the dedupe app registers when
it starts (candidates from the company match-key table, scored by the trained model; the policy
an admin set per channel). Without one, companies sharing the canonical name key warn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from tidycrm.accounts.models import User
from tidycrm.accounts.selectors import visible
from tidycrm.companies.models import Company
from tidycrm.core.door import Draft
from tidycrm.matching import CompanyRecord
from tidycrm.records.duplicates import BLOCK, LINK, MERGE, WARN, DuplicateFound, Finding, Verdict

SHOWN = 5


class EntryCheck(Protocol):
    def check(
        self, draft: Draft, *, instance: Company | None, actor: User | None, channel: str
    ) -> Verdict: ...

    def saved(
        self, company: Company, verdict: Verdict, *, actor: User | None, channel: str
    ) -> Company: ...

    def check_many(
        self, records: Sequence[CompanyRecord], *, actor: User | None, channel: str
    ) -> list[Verdict]: ...

    def saved_many(
        self, saved: Sequence[tuple[Company, Verdict]], *, actor: User | None, channel: str
    ) -> None: ...


_entry_check: EntryCheck | None = None


def register(entry_check: EntryCheck | None) -> None:
    """Install the door's duplicate check (dedupe does this in its AppConfig.ready)."""
    global _entry_check
    _entry_check = entry_check


def check(draft: Draft, *, instance: Company | None, actor: User | None, channel: str) -> Verdict:
    """The verdict on a valid draft; raises DuplicateFound when the policy blocks."""
    if _entry_check is not None:
        verdict = _entry_check.check(draft, instance=instance, actor=actor, channel=channel)
    else:
        exclude = getattr(instance, "pk", None)
        verdict = _same_name([draft.fields.get("name_key", "")], actor, exclude)[0]
    if verdict.action == BLOCK and verdict.findings:
        raise DuplicateFound(verdict.findings)
    return verdict


def saved(company: Company, verdict: Verdict, *, actor: User | None, channel: str) -> Company:
    """After the save, inside its transaction: link or merge; returns the company that stays."""
    if _entry_check is None or not verdict.findings or verdict.action not in (LINK, MERGE):
        return company
    return _entry_check.saved(company, verdict, actor=actor, channel=channel)


def check_many(
    records: Sequence[CompanyRecord],
    name_keys: Sequence[str],
    *,
    actor: User | None,
    channel: str,
) -> list[Verdict]:
    """The bulk door's step 3: one verdict per new company (`name_keys` serve the fallback)."""
    if _entry_check is None:
        return _same_name(name_keys, actor, None)
    return _entry_check.check_many(records, actor=actor, channel=channel)


def saved_many(
    saved: Sequence[tuple[Company, Verdict]], *, actor: User | None, channel: str
) -> None:
    """After a bulk insert, inside its transaction: queue the linked pairs for review."""
    linked = [(c, v) for c, v in saved if v.findings and v.action in (LINK, MERGE)]
    if _entry_check is not None and linked:
        _entry_check.saved_many(linked, actor=actor, channel=channel)


def _same_name(keys: Sequence[str], actor: User | None, exclude: int | None) -> list[Verdict]:
    """Companies whose canonical name key matches ("ACME, Inc." and "Acme Incorporated"),
    one query for all the keys."""
    found: dict[str, list[int]] = {}
    wanted = {k for k in keys if k}
    if wanted:
        rows = Company.objects.filter(name_key__in=wanted).order_by("pk")
        for key, pk in rows.values_list("name_key", "pk"):
            if pk != exclude:
                found.setdefault(key, []).append(pk)
    named = {pk for pks in found.values() for pk in pks[:SHOWN]}
    shown = Company.objects.filter(pk__in=named)
    seen = set((visible(shown, actor) if actor else shown).values_list("pk", flat=True))
    return [
        Verdict(
            WARN,
            [
                Finding(pk, 1.0, ["same name"], pk in seen, kind="company")
                for pk in found.get(key, [])[:SHOWN]
            ],
        )
        for key in keys
    ]
