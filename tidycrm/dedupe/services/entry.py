"""The duplicate check of the contacts door (registered in DedupeConfig.ready).

Candidates come from the match-key table, at most CANDIDATES_PER_KEY per key (a switchboard
number or an info@ inbox names thousands of people: the cap keeps a check's cost bounded), plus
the contacts that took over the draft's identifiers in a merge. All candidates are scored in one
vectorised call with the trained model; the channel's policy decides what the door does with
those above the threshold. The bulk door's form does the same for a whole batch at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber

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
KEYS_PER_QUERY = 2_000
FINDINGS_SHOWN = 5
REASONS_SHOWN = 3
MERGED_IDENTIFIER = "its identifier was merged into this contact"
# Bulk channels cannot show a warning to anyone: they queue or refuse (contacts.duplicates).
BULK_ACTIONS = (EntryAction.LINK, EntryAction.BLOCK, EntryAction.MERGE)


class ContactEntryCheck:
    def check(
        self, draft: Draft, *, instance: Contact | None, actor: User | None, channel: str
    ) -> Verdict:
        action = action_for(RecordKind.CONTACT, channel)
        if action == EntryAction.OFF:
            return Verdict(action)
        if instance is not None and action in (EntryAction.BLOCK, EntryAction.MERGE):
            # Block and merge keep new duplicates out; editing a record that already has a
            # twin must stay possible (the twin is the review queue's to resolve).
            action = EntryAction.WARN
        record = draft_record(draft, instance)
        own = getattr(instance, "pk", None)
        ids, merged_into = candidate_ids(record, draft, exclude=own)
        if own is not None and ids:
            refused = not_duplicate_pairs(RecordKind.CONTACT, [own, *ids])
            ids = {i for i in ids if (min(own, i), max(own, i)) not in refused}
        matches = score(record, ids)
        for pk in merged_into:
            matches[pk] = Match(record.id, str(pk), 1.0, 99.0, ())
        return _verdict(action, list(matches.values()), actor, merged_into)

    def saved(
        self, contact: Contact, verdict: Verdict, *, actor: User | None, channel: str
    ) -> Contact:
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
        self.saved_many([(contact, verdict)], actor=actor, channel=channel)
        return contact

    def check_many(
        self, records: Sequence[PersonRecord], *, actor: User | None, channel: str
    ) -> list[Verdict]:
        action = action_for(RecordKind.CONTACT, channel)
        if action not in BULK_ACTIONS or not records:
            return [Verdict(action) for _ in records]
        people = [replace(r, id=f"new-{n}") for n, r in enumerate(records)]
        keys = [keys_of(r) for r in people]
        owners = key_owners({k for ks in keys for k in ks})
        wanted = [sorted({pk for k in ks for pk in owners.get(k, ())}) for ks in keys]
        candidates = person_records({pk for ids in wanted for pk in ids})
        position = {int(c.id): len(people) + n for n, c in enumerate(candidates)}
        pairs = [(n, position[pk]) for n, ids in enumerate(wanted) for pk in ids if pk in position]
        found: dict[int, list[Match]] = {}
        if pairs:
            model = person_model()
            table = people_table([*people, *candidates], model.identifiers)
            i = np.asarray([p[0] for p in pairs], dtype=np.int64)
            j = np.asarray([p[1] for p in pairs], dtype=np.int64)
            scored = model.score_pairs(table, i, j, own_frequencies=False)
            for row in np.flatnonzero(scored.probability >= DEFAULT_THRESHOLD).tolist():
                n, other = pairs[row]
                # Explained one by one: few pairs pass the threshold.
                match = model.score(people[n], candidates[other - len(people)])
                found.setdefault(n, []).append(match)
        return [_verdict(action, found.get(n, []), actor, set()) for n in range(len(people))]

    def saved_many(
        self, saved: Sequence[tuple[Contact, Verdict]], *, actor: User | None, channel: str
    ) -> None:
        proposed = [
            Proposed(
                [contact.pk, *(f.contact_id for f in verdict.findings)],
                [
                    Match(
                        str(contact.pk),
                        str(f.contact_id),
                        f.probability,
                        0.0,
                        _evidence(verdict.details, f),
                    )
                    for f in verdict.findings
                ],
            )
            for contact, verdict in saved
        ]
        add_groups(RecordKind.CONTACT, proposed, origin=GroupOrigin.ENTRY)


def _verdict(
    action: str, matches: list[Match], actor: User | None, merged_into: set[int]
) -> Verdict:
    kept = sorted(
        (m for m in matches if m.probability >= DEFAULT_THRESHOLD), key=lambda m: -m.probability
    )[:FINDINGS_SHOWN]
    if not kept:
        return Verdict(action)
    visible = _visible_ids([int(m.b) for m in kept], actor)
    findings = [
        Finding(int(m.b), m.probability, reasons(m, int(m.b) in merged_into), int(m.b) in visible)
        for m in kept
    ]
    return Verdict(action, findings, {int(m.b): m for m in kept})


def candidate_ids(
    record: PersonRecord, draft: Draft, *, exclude: int | None
) -> tuple[set[int], set[int]]:
    """Contacts sharing a match key with the record, and those owning its identifiers by merge."""
    found = capped_owners(keys_of(record))
    identifiers = [(AliasKind.EMAIL, r["key"]) for r in draft.children.get("emails", [])]
    if draft.fields.get("external_id"):
        identifiers.append((AliasKind.EXTERNAL_ID, draft.fields["external_id"]))
    merged_into = duplicates.aliased([(kind, value) for kind, value in identifiers if value])
    if exclude is not None:
        found.discard(exclude)
        merged_into.discard(exclude)
    return found - merged_into, merged_into


def capped_owners(keys: Sequence[str]) -> set[int]:
    """Contacts sharing any of the keys, at most CANDIDATES_PER_KEY per key (the newest), in
    one statement whose every branch stops after its cap in the (key, contact) index."""
    if not keys:
        return set()
    meta = ContactMatchKey._meta
    quote = connection.ops.quote_name
    table, column, key = quote(meta.db_table), quote(meta.get_field("contact").column), quote("key")
    branch = (
        f"SELECT {column} AS c FROM (SELECT {column} FROM {table} WHERE {key} = %s "  # noqa: S608
        f"ORDER BY {column} DESC LIMIT {CANDIDATES_PER_KEY}) AS k{{n}}"
    )
    sql = " UNION ALL ".join(branch.format(n=n) for n in range(len(keys)))
    with connection.cursor() as cursor:
        cursor.execute(sql, list(keys))
        return {row[0] for row in cursor.fetchall()}


def key_owners(keys: set[str]) -> dict[str, list[int]]:
    """Contacts per key, at most CANDIDATES_PER_KEY each (the newest), one query per chunk."""
    owners: dict[str, list[int]] = {}
    wanted = sorted(keys)
    for start in range(0, len(wanted), KEYS_PER_QUERY):
        newest = Window(RowNumber(), partition_by=F("key"), order_by=F("contact_id").desc())
        rows = (
            ContactMatchKey.objects.filter(key__in=wanted[start : start + KEYS_PER_QUERY])
            .annotate(rank=newest)
            .filter(rank__lte=CANDIDATES_PER_KEY)
            .values_list("key", "contact_id")
        )
        for key, contact_id in rows:
            owners.setdefault(key, []).append(contact_id)
    return owners


def score(record: PersonRecord, ids: set[int]) -> dict[int, Match]:
    """The record against every candidate in one vectorised call (about 1 ms a pair when
    scored one by one); only pairs above the threshold are scored again with their evidence."""
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
    # Explained one by one (about 1 ms each): few pairs pass the threshold.
    return {int(candidates[row].id): model.score(record, candidates[row]) for row in kept}


def reasons(match: Match, merged: bool) -> list[str]:
    if merged:
        return [MERGED_IDENTIFIER]
    strongest = sorted((e for e in match.evidence if e.weight > 0), key=lambda e: -e.weight)
    return [f"{match.probability:.0%} likely", *(e.detail for e in strongest[:REASONS_SHOWN])]


def _visible_ids(ids: list[int], actor: User | None) -> set[int]:
    rows = Contact.objects.filter(pk__in=ids).filter(visibility_filter(actor) if actor else Q())
    return set(rows.values_list("pk", flat=True))


def _evidence(matches: dict[int, Match], finding: Finding) -> tuple[Any, ...]:
    found = matches.get(finding.contact_id)
    return found.evidence if found is not None else ()
