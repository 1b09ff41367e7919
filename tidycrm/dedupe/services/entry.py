"""The duplicate checks of the contacts and companies doors (registered in DedupeConfig.ready).

Candidates come from the kind's match-key table, at most CANDIDATES_PER_KEY per key (a
switchboard number or an info@ inbox names thousands of people: the cap keeps a check's cost
bounded), plus, for contacts, those that took over the draft's identifiers in a merge. All
candidates are scored in one vectorised call with the trained model; the channel's policy
decides what the door does with those above the threshold. The bulk doors' forms do the same
for a whole batch at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from django.db.models import F, Model, Window
from django.db.models.functions import RowNumber

from tidycrm.accounts.models import User
from tidycrm.accounts.selectors import visibility_filter
from tidycrm.companies import match_keys as company_keys
from tidycrm.companies.models import Company, CompanyMatchKey
from tidycrm.contacts import duplicates
from tidycrm.contacts.models import AliasKind, Contact, ContactMatchKey
from tidycrm.contacts.services.match_keys import draft_record, keys_of, person_records
from tidycrm.core.door import Draft
from tidycrm.dedupe.choices import EntryAction, GroupOrigin, RecordKind
from tidycrm.dedupe.services.models_store import company_model, person_model
from tidycrm.dedupe.services.policy import action_for
from tidycrm.dedupe.services.queue import Proposed, add_groups, not_duplicate_pairs
from tidycrm.dedupe.survivorship import current_settings
from tidycrm.matching import DEFAULT_THRESHOLD, CompanyRecord, Match, PersonRecord
from tidycrm.records.duplicates import Finding, Verdict, capped_owners

CANDIDATES_PER_KEY = 20
KEYS_PER_QUERY = 2_000
FINDINGS_SHOWN = 5
REASONS_SHOWN = 3
MERGED_IDENTIFIER = "its identifier was merged into this contact"
# Bulk channels cannot show a warning to anyone: they queue or refuse (contacts.duplicates).
BULK_ACTIONS = (EntryAction.LINK, EntryAction.BLOCK, EntryAction.MERGE)


def _door_action(kind: str, channel: str, editing: bool) -> str:
    action = action_for(kind, channel)
    if editing and action in (EntryAction.BLOCK, EntryAction.MERGE):
        # Block and merge keep new duplicates out; editing a record that already has a
        # twin must stay possible (the twin is the review queue's to resolve).
        return EntryAction.WARN
    return action


def _without_refused(kind: str, own: int | None, ids: set[int]) -> set[int]:
    if own is None or not ids:
        return ids
    refused = not_duplicate_pairs(kind, [own, *ids])
    return {i for i in ids if (min(own, i), max(own, i)) not in refused}


class ContactEntryCheck:
    def check(
        self, draft: Draft, *, instance: Contact | None, actor: User | None, channel: str
    ) -> Verdict:
        action = _door_action(RecordKind.CONTACT, channel, instance is not None)
        if action == EntryAction.OFF:
            return Verdict(action)
        record = draft_record(draft, instance)
        own = getattr(instance, "pk", None)
        ids, merged_into = candidate_ids(record, draft, exclude=own)
        matches = score(record, _without_refused(RecordKind.CONTACT, own, ids))
        for pk in merged_into:
            matches[pk] = Match(record.id, str(pk), 1.0, 99.0, ())
        return _verdict(RecordKind.CONTACT, action, list(matches.values()), actor, merged_into)

    def saved(
        self, contact: Contact, verdict: Verdict, *, actor: User | None, channel: str
    ) -> Contact:
        survivor = _auto_merge(RecordKind.CONTACT, contact.pk, verdict, actor, channel)
        if survivor is not None:
            return Contact.objects.get(pk=survivor)
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
        owners = key_owners(ContactMatchKey, "contact_id", {k for ks in keys for k in ks})
        wanted = [sorted({pk for k in ks for pk in owners.get(k, ())}) for ks in keys]
        candidates = person_records({pk for ids in wanted for pk in ids})
        found = _score_batch(person_model(), people, candidates, wanted)
        return [
            _verdict(RecordKind.CONTACT, action, found.get(n, []), actor, set())
            for n in range(len(people))
        ]

    def saved_many(
        self, saved: Sequence[tuple[Contact, Verdict]], *, actor: User | None, channel: str
    ) -> None:
        _link(RecordKind.CONTACT, [(c.pk, v) for c, v in saved])


class CompanyEntryCheck:
    """The companies door's check: canonical name, domain, phone, name word and town."""

    def check(
        self, draft: Draft, *, instance: Company | None, actor: User | None, channel: str
    ) -> Verdict:
        action = _door_action(RecordKind.COMPANY, channel, instance is not None)
        if action == EntryAction.OFF:
            return Verdict(action)
        record = company_keys.draft_record(draft, instance)
        own = getattr(instance, "pk", None)
        found = capped_owners(
            CompanyMatchKey, "company", company_keys.keys_of(record), CANDIDATES_PER_KEY
        )
        if own is not None:
            found.discard(own)
        candidates = company_keys.company_records(_without_refused(RecordKind.COMPANY, own, found))
        pairs = _against_first(len(candidates))
        matches = [m for _, m in company_model().score_many([record, *candidates], pairs)]
        return _verdict(RecordKind.COMPANY, action, matches, actor, set())

    def saved(
        self, company: Company, verdict: Verdict, *, actor: User | None, channel: str
    ) -> Company:
        survivor = _auto_merge(RecordKind.COMPANY, company.pk, verdict, actor, channel)
        if survivor is not None:
            return Company.objects.get(pk=survivor)
        self.saved_many([(company, verdict)], actor=actor, channel=channel)
        return company

    def check_many(
        self, records: Sequence[CompanyRecord], *, actor: User | None, channel: str
    ) -> list[Verdict]:
        # Companies are few and a company import is read by a person: warnings are kept too.
        action = action_for(RecordKind.COMPANY, channel)
        if action == EntryAction.OFF or not records:
            return [Verdict(action) for _ in records]
        new = [replace(r, id=f"new-{n}") for n, r in enumerate(records)]
        keys = [company_keys.keys_of(r) for r in new]
        owners = key_owners(CompanyMatchKey, "company_id", {k for ks in keys for k in ks})
        wanted = [sorted({pk for k in ks for pk in owners.get(k, ())}) for ks in keys]
        candidates = company_keys.company_records({pk for ids in wanted for pk in ids})
        found = _score_batch(company_model(), new, candidates, wanted)
        return [
            _verdict(RecordKind.COMPANY, action, found.get(n, []), actor, set())
            for n in range(len(new))
        ]

    def saved_many(
        self, saved: Sequence[tuple[Company, Verdict]], *, actor: User | None, channel: str
    ) -> None:
        _link(RecordKind.COMPANY, [(c.pk, v) for c, v in saved])


def _against_first(candidates: int) -> list[tuple[int, int]]:
    """Pairs (0, k) for the draft at position 0 against the candidates after it."""
    return [(0, k) for k in range(1, candidates + 1)]


def _score_batch(
    model: Any, new: Sequence[Any], candidates: Sequence[Any], wanted: Sequence[Sequence[int]]
) -> dict[int, list[Match]]:
    """New records against their candidates, in one vectorised call: matches per new record."""
    position = {int(c.id): len(new) + n for n, c in enumerate(candidates)}
    pairs = [(n, position[pk]) for n, ids in enumerate(wanted) for pk in ids if pk in position]
    found: dict[int, list[Match]] = {}
    for index, match in model.score_many([*new, *candidates], pairs):
        found.setdefault(pairs[index][0], []).append(match)
    return found


def _auto_merge(
    kind: str, record_id: int, verdict: Verdict, actor: User | None, channel: str
) -> int | None:
    """The surviving record's id when the policy merges the new one into its best match."""
    best = verdict.findings[0]
    threshold = current_settings().auto_merge_threshold
    if verdict.action != EntryAction.MERGE or not best.visible or best.probability < threshold:
        return None
    from tidycrm.dedupe.services.merge import merge_records

    merge_records(
        kind,
        [best.record_id, record_id],
        actor=actor,
        channel=channel,
        survivor_id=best.record_id,
    )
    return best.record_id


def _link(kind: str, saved: Sequence[tuple[int, Verdict]]) -> None:
    """Queue each saved record with its likely duplicates for review."""
    proposed = [
        Proposed(
            [pk, *(f.record_id for f in verdict.findings)],
            [
                Match(str(pk), str(f.record_id), f.probability, 0.0, _evidence(verdict.details, f))
                for f in verdict.findings
            ],
        )
        for pk, verdict in saved
    ]
    add_groups(kind, proposed, origin=GroupOrigin.ENTRY)


def _verdict(
    kind: str, action: str, matches: list[Match], actor: User | None, merged_into: set[int]
) -> Verdict:
    kept = sorted(
        (m for m in matches if m.probability >= DEFAULT_THRESHOLD), key=lambda m: -m.probability
    )[:FINDINGS_SHOWN]
    if not kept:
        return Verdict(action)
    model: type[Model] = Contact if kind == RecordKind.CONTACT else Company
    visible = _visible_ids(model, [int(m.b) for m in kept], actor)
    findings = [
        Finding(
            int(m.b),
            m.probability,
            reasons(m, int(m.b) in merged_into),
            int(m.b) in visible,
            kind=str(kind),
        )
        for m in kept
    ]
    return Verdict(action, findings, {int(m.b): m for m in kept})


def candidate_ids(
    record: PersonRecord, draft: Draft, *, exclude: int | None
) -> tuple[set[int], set[int]]:
    """Contacts sharing a match key with the record, and those owning its identifiers by merge."""
    found = capped_owners(ContactMatchKey, "contact", keys_of(record), CANDIDATES_PER_KEY)
    identifiers = [(AliasKind.EMAIL, r["key"]) for r in draft.children.get("emails", [])]
    if draft.fields.get("external_id"):
        identifiers.append((AliasKind.EXTERNAL_ID, draft.fields["external_id"]))
    merged_into = duplicates.aliased([(kind, value) for kind, value in identifiers if value])
    if exclude is not None:
        found.discard(exclude)
        merged_into.discard(exclude)
    return found - merged_into, merged_into


def key_owners(model: type[Model], owner: str, keys: set[str]) -> dict[str, list[int]]:
    """Records per key, at most CANDIDATES_PER_KEY each (the newest), one query per chunk."""
    owners: dict[str, list[int]] = {}
    wanted = sorted(keys)
    for start in range(0, len(wanted), KEYS_PER_QUERY):
        newest = Window(RowNumber(), partition_by=F("key"), order_by=F(owner).desc())
        rows = (
            model._default_manager.filter(key__in=wanted[start : start + KEYS_PER_QUERY])
            .annotate(rank=newest)
            .filter(rank__lte=CANDIDATES_PER_KEY)
            .values_list("key", owner)
        )
        for key, record_id in rows:
            owners.setdefault(key, []).append(record_id)
    return owners


def score(record: PersonRecord, ids: set[int]) -> dict[int, Match]:
    """The record against every candidate in one vectorised call; the pairs above the
    threshold come back with their evidence."""
    candidates = person_records(ids)
    pairs = _against_first(len(candidates))
    found = person_model().score_many([record, *candidates], pairs)
    return {int(candidates[index].id): match for index, match in found}


def reasons(match: Match, merged: bool) -> list[str]:
    if merged:
        return [MERGED_IDENTIFIER]
    strongest = sorted((e for e in match.evidence if e.weight > 0), key=lambda e: -e.weight)
    return [f"{match.probability:.0%} likely", *(e.detail for e in strongest[:REASONS_SHOWN])]


def _visible_ids(model: type[Model], ids: list[int], actor: User | None) -> set[int]:
    rows = model._default_manager.filter(pk__in=ids)
    if actor is not None:
        rows = rows.filter(visibility_filter(actor))
    return set(rows.values_list("pk", flat=True))


def _evidence(matches: dict[int, Match], finding: Finding) -> tuple[Any, ...]:
    found = matches.get(finding.record_id)
    return found.evidence if found is not None else ()
