"""The duplicate check of the contacts door (registered in DedupeConfig.ready).

Candidates come from the match-key table, at most CANDIDATES_PER_KEY per key (a switchboard
number or an info@ inbox names thousands of people: the cap keeps a check's cost bounded), plus
the contacts that took over the draft's identifiers in a merge. Each is scored by the trained
model; the channel's policy decides what the door does with those above the threshold.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from django.db.models import Q

from tidycrm.accounts.models import User
from tidycrm.accounts.selectors import visibility_filter
from tidycrm.contacts import duplicates
from tidycrm.contacts.duplicates import Finding, Verdict
from tidycrm.contacts.models import AliasKind, Contact, ContactMatchKey
from tidycrm.contacts.services.match_keys import draft_record, keys_of, person_records
from tidycrm.core.door import Draft
from tidycrm.dedupe.choices import EntryAction, GroupOrigin, RecordKind
from tidycrm.dedupe.services.models_store import person_model
from tidycrm.dedupe.services.policy import action_for
from tidycrm.dedupe.services.queue import Proposed, add_groups, not_duplicate_pairs
from tidycrm.dedupe.survivorship import current_settings
from tidycrm.matching import DEFAULT_THRESHOLD, Match, PersonRecord
from tidycrm.matching.features import people_table

CANDIDATES_PER_KEY = 20
FINDINGS_SHOWN = 5
REASONS_SHOWN = 3


class ContactEntryCheck:
    def check(
        self, draft: Draft, *, instance: Contact | None, actor: User | None, channel: str
    ) -> Verdict:
        action = action_for(RecordKind.CONTACT, channel)
        if action == EntryAction.OFF:
            return Verdict(action)
        record = draft_record(draft, instance)
        own = getattr(instance, "pk", None)
        ids, merged_into = candidate_ids(record, draft, exclude=own)
        if own is not None and ids:
            refused = not_duplicate_pairs(RecordKind.CONTACT, [own, *ids])
            ids = {i for i in ids if (min(own, i), max(own, i)) not in refused}
        matches = score(record, ids)
        for pk in merged_into:
            if pk != own:
                matches[pk] = Match(record.id, str(pk), 1.0, 99.0, ())
        kept = sorted(
            (m for m in matches.values() if m.probability >= DEFAULT_THRESHOLD),
            key=lambda m: -m.probability,
        )[:FINDINGS_SHOWN]
        if not kept:
            return Verdict(action)
        visible = _visible_ids([int(m.b) for m in kept], actor)
        findings = [
            Finding(
                int(m.b), m.probability, reasons(m, int(m.b) in merged_into), int(m.b) in visible
            )
            for m in kept
        ]
        return Verdict(action, findings, {int(m.b): m for m in kept})

    def saved(
        self, contact: Contact, verdict: Verdict, *, actor: User | None, channel: str
    ) -> Contact:
        matches: dict[int, Match] = verdict.details
        best = verdict.findings[0]
        threshold = current_settings().auto_merge_threshold
        if verdict.action == EntryAction.MERGE and best.visible and best.probability >= threshold:
            from tidycrm.dedupe.services.merge import merge_records

            merge_records(
                RecordKind.CONTACT,
                [best.contact_id, contact.pk],
                actor=actor,
                channel=channel,
                survivor_id=best.contact_id,
            )
            return Contact.objects.get(pk=best.contact_id)
        pairs = [
            Match(str(contact.pk), str(f.contact_id), f.probability, 0.0, _evidence(matches, f))
            for f in verdict.findings
        ]
        ids = [contact.pk, *(f.contact_id for f in verdict.findings)]
        add_groups(RecordKind.CONTACT, [Proposed(ids, pairs)], origin=GroupOrigin.ENTRY)
        return contact


def candidate_ids(
    record: PersonRecord, draft: Draft, *, exclude: int | None
) -> tuple[set[int], set[int]]:
    """Contacts sharing a match key with the record, and those owning its identifiers by merge."""
    found: set[int] = set()
    for key in keys_of(record):
        found.update(
            ContactMatchKey.objects.filter(key=key).values_list("contact_id", flat=True)[
                :CANDIDATES_PER_KEY
            ]
        )
    merged_into: set[int] = set()
    external_id = draft.fields.get("external_id")
    if external_id:
        merged_into.update(duplicates.alias_owners(AliasKind.EXTERNAL_ID, [external_id]).values())
    emails = [r["key"] for r in draft.children.get("emails", []) if r.get("key")]
    merged_into.update(duplicates.alias_owners(AliasKind.EMAIL, emails).values())
    if exclude is not None:
        found.discard(exclude)
        merged_into.discard(exclude)
    return found - merged_into, merged_into


def score(record: PersonRecord, ids: set[int]) -> dict[int, Match]:
    """The record against every candidate in one vectorised call (about 1 ms a pair when
    scored one by one); only pairs above the threshold get their explanation written."""
    candidates = person_records(ids)
    if not candidates:
        return {}
    model = person_model()
    table = people_table([record, *candidates], model.identifiers)
    others = np.arange(1, len(candidates) + 1, dtype=np.int64)
    scored = model.score_pairs(
        table, np.zeros(len(candidates), dtype=np.int64), others, own_frequencies=False
    )
    kept = np.flatnonzero(scored.probability >= DEFAULT_THRESHOLD).tolist()
    return {int(candidates[row].id): model.explain(table, scored, row, 0, row + 1) for row in kept}


def reasons(match: Match, merged: bool) -> list[str]:
    if merged:
        return ["its identifier was merged into this contact"]
    strongest = sorted((e for e in match.evidence if e.weight > 0), key=lambda e: -e.weight)
    return [f"{match.probability:.0%} likely", *(e.detail for e in strongest[:REASONS_SHOWN])]


def _visible_ids(ids: list[int], actor: User | None) -> set[int]:
    rows = Contact.objects.filter(pk__in=ids).filter(visibility_filter(actor) if actor else Q())
    return set(rows.values_list("pk", flat=True))


def _evidence(matches: dict[int, Match], finding: Finding) -> tuple[Any, ...]:
    found = matches.get(finding.contact_id)
    return found.evidence if found is not None else ()
