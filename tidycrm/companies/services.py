"""The one door for companies: every channel creates, changes and deletes companies here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import transaction

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.models import User
from tidycrm.accounts.selectors import visible
from tidycrm.accounts.services import require
from tidycrm.audit.choices import Action, Channel
from tidycrm.audit.services import record_changes_bulk
from tidycrm.companies import duplicates
from tidycrm.companies.choices import CompanySize
from tidycrm.companies.match_keys import draft_record, insert_match_keys, refresh_match_keys
from tidycrm.companies.models import (
    Company,
    CompanyAddress,
    CompanyDomain,
    CompanyPhone,
    CompanySearchToken,
)
from tidycrm.core import events
from tidycrm.core.bulk_write import Table, insert, insert_with_ids
from tidycrm.core.door import ChildSpec, Draft, SaveResult, created_changes, instance_snapshot
from tidycrm.core.exceptions import Conflict
from tidycrm.customfields.choices import RecordType
from tidycrm.hygiene.collections import standardise_addresses, standardise_phones
from tidycrm.hygiene.companies import company_name_key, domain_from_website, registrable_domain
from tidycrm.hygiene.fields import choice_field, count_field
from tidycrm.hygiene.names import sort_key
from tidycrm.hygiene.result import Issue
from tidycrm.hygiene.text import clean
from tidycrm.hygiene.urls import standardise_url
from tidycrm.records import steps
from tidycrm.records.duplicates import BLOCK
from tidycrm.records.policy import Checker
from tidycrm.tags.services import set_tags

TEXT_LIMITS = {
    "name": 255,
    "industry": 120,
    "website": 255,
    "description": 10_000,
    "external_id": 128,
}
FIELDS = {
    *TEXT_LIMITS,
    "size",
    "employee_count",
    "parent_id",
    "owner_id",
    "team_id",
    "custom_fields",
    "tags",
    "domains",
    "phones",
    "addresses",
}
CHILDREN = {
    "domains": ChildSpec(CompanyDomain, "company", ("domain", "is_primary"), ("domain",)),
    "phones": ChildSpec(
        CompanyPhone,
        "company",
        ("label", "raw", "e164", "extension", "national_number", "number_type", "is_primary"),
        ("label", "e164", "extension"),
    ),
    "addresses": ChildSpec(
        CompanyAddress,
        "company",
        (
            "label",
            "street",
            "street2",
            "city",
            "region",
            "postal_code",
            "country",
            "raw",
            "is_primary",
        ),
        ("label", "street", "street2", "postal_code", "city", "region", "country"),
    ),
}


def _domains(value: Any, draft: Draft) -> None:
    if value is None:
        return
    items = value.replace(";", ",").split(",") if isinstance(value, str) else value
    if not isinstance(items, list):
        draft.error("domains", "must be a list of domain names.")
        return
    rows: list[dict[str, Any]] = []
    for i, item in enumerate(items[:50]):
        text = clean(str(item))
        if not text:
            continue
        # Public-suffix aware: "shop.acme.co.uk" and "https://www.acme.co.uk/x" give acme.co.uk.
        domain = domain_from_website(text) if "/" in text else registrable_domain(text)
        if not domain:
            draft.error(f"domains.{i}", f"'{text[:60]}' is not a domain name.")
            continue
        if domain not in {r["domain"] for r in rows}:
            rows.append({"domain": domain, "is_primary": not rows})
    if len(items) > 50:
        draft.error("domains", "takes at most 50 domain names.")
    draft.children["domains"] = rows


def _website(draft: Draft, checker: Checker) -> str:
    """Canonical website; returns its registrable domain ("" when none)."""
    raw = draft.fields.get("website", "")
    if not raw:
        return ""
    result = standardise_url(raw)
    if result.value is None:
        checker.one(Issue("website", "website", f"'{raw[:80]}' {result.problems[0]}"))
        return ""
    draft.fields["website"] = result.value[:255]
    return domain_from_website(result.value)


def standardise(
    data: Mapping[str, Any],
    *,
    actor: User | None,
    instance: Company | None,
    lookups: steps.Lookups | None = None,
    channel: str = "api",
) -> Draft:
    """Steps 1-2 of the door: standardise every field, then validate, as the entry policy of
    `channel` says."""
    draft = Draft()
    lookups = lookups or steps.Lookups()
    checker = Checker(lookups.policy("company", str(channel)), draft)
    creating = instance is None
    steps.unknown_fields(data, FIELDS, draft)
    steps.text_fields(data, TEXT_LIMITS, draft, multiline=("description",))
    if creating and not draft.fields.get("name"):
        draft.error("name", "is required.")
    elif "name" in data and not draft.fields.get("name"):
        draft.error("name", "cannot be empty.")
    if "name" in draft.fields:
        draft.fields["sort_key"] = sort_key("", "", draft.fields["name"])
        draft.fields["name_key"] = company_name_key(draft.fields["name"])
    website_domain = _website(draft, checker) if "website" in data else ""
    if "size" in data:
        size, problem = choice_field(data["size"], CompanySize.values)
        if problem:
            draft.error("size", problem)
        draft.fields["size"] = size
    if "employee_count" in data:
        if data["employee_count"] in (None, ""):
            draft.fields["employee_count"] = None
        else:
            count, problem = count_field(data["employee_count"])
            if problem:
                draft.error("employee_count", problem)
            draft.fields["employee_count"] = count
    if "parent_id" in data:
        _parent(data["parent_id"], actor, instance, draft)
    steps.ownership(data, actor, draft, creating=creating, lookups=lookups)
    current = None if instance is None else instance.custom_fields
    steps.custom_fields(data, RecordType.COMPANY, current, draft, lookups)
    steps.tag_names(data, draft)
    if "domains" in data:
        _domains(data["domains"], draft)
    elif website_domain and (instance is None or not instance.domains.exists()):
        draft.children["domains"] = [{"domain": website_domain, "is_primary": True}]
    region = None
    if "addresses" in data:
        rows, errors, issues = standardise_addresses(data["addresses"])
        draft.children["addresses"], region = (
            rows,
            next((r["country"] for r in rows if r["country"]), None),
        )
        draft.errors.update(errors)
        checker.apply(issues)
    if "phones" in data:
        rows, errors, issues = standardise_phones(
            data["phones"], steps.phone_region(region or "", actor)
        )
        draft.children["phones"] = rows
        draft.errors.update(errors)
        checker.apply(issues)
    checker.finish(None if instance is None else instance.data_flags, data)
    return draft


def _parent(value: Any, actor: User | None, instance: Company | None, draft: Draft) -> None:
    if value in (None, ""):
        draft.fields["parent_id"] = None
        return
    try:
        parent_id = int(value)
    except (TypeError, ValueError):
        draft.error("parent_id", "must be a company id.")
        return
    companies = Company.objects.all() if actor is None else visible(Company.objects.all(), actor)
    if not companies.filter(pk=parent_id).exists():
        draft.error("parent_id", f"company {parent_id} does not exist or you cannot see it.")
        return
    if instance is not None and _would_cycle(instance.pk, parent_id):
        draft.error("parent_id", "would make the company its own parent.")
        return
    draft.fields["parent_id"] = parent_id


def _would_cycle(company_id: int, parent_id: int | None) -> bool:
    seen: set[int] = set()
    while parent_id is not None and parent_id not in seen:
        if parent_id == company_id:
            return True
        seen.add(parent_id)
        parent_id = Company.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    return False


def _refresh_tokens(company: Company) -> None:
    domains = list(company.domains.values_list("domain", flat=True))
    phones = list(company.phones.values_list("national_number", flat=True))
    words = steps.search_tokens([company.name, *domains, company.external_id, *phones])
    steps.refresh_tokens(CompanySearchToken, "company", company, words)


# Public for merges and unmerges (dedupe), which move a company's rows and rebuild its tokens.
refresh_search_tokens = _refresh_tokens


def save_company(
    data: Mapping[str, Any],
    *,
    actor: User | None,
    channel: Channel | str,
    company: Company | None = None,
    source: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> SaveResult[Company]:
    """Create (company=None) or update a company through every step of the door."""
    if actor is not None:
        require(actor, Permission.EDIT)
    draft = standardise(data, actor=actor, instance=company, channel=str(channel))
    draft.raise_if_invalid()
    verdict = duplicates.check(draft, instance=company, actor=actor, channel=str(channel))
    draft.warnings += verdict.messages
    try:
        with transaction.atomic():
            result = steps.save_record(
                Company,
                company,
                draft,
                CHILDREN,
                actor=actor,
                channel=channel,
                source=source,
                expected_version=expected_version,
                event_prefix="company",
                refresh_search=_refresh_tokens,
            )
            if result.created or result.changes:
                refresh_match_keys([result.record.pk])
            result.record = duplicates.saved(
                result.record, verdict, actor=actor, channel=str(channel)
            )
    except Company.DoesNotExist as exc:
        # The company was merged into another (or deleted) while this edit waited for its lock.
        raise Conflict(
            f"company {getattr(company, 'pk', '')} was merged into another company or deleted "
            "while you edited it; nothing was saved.",
            field_errors={"version": ["the company no longer exists."]},
        ) from exc
    return result


def delete_company(company: Company, *, actor: User | None, channel: Channel | str) -> None:
    if actor is not None:
        require(actor, Permission.DELETE)
    snapshot = instance_snapshot(
        company, ["name", "industry", "website", "owner_id", "external_id"]
    )
    steps.delete_record(company, snapshot, actor=actor, channel=channel, event_prefix="company")


# -- many companies at once (imports) ----------------------------------------------------------


@dataclass
class BulkCompanies:
    """Per input row: the new company's id (None when rejected), its errors and warnings."""

    ids: list[int | None]
    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    warnings: dict[int, list[str]] = field(default_factory=dict)


def save_companies_bulk(
    rows: Sequence[Mapping[str, Any]],
    *,
    actor: User | None,
    channel: Channel | str,
    sources: Sequence[dict[str, Any] | None] | None = None,
) -> BulkCompanies:
    """Create many companies through the steps of `save_company`, set-based.

    Each row is standardised and validated on its own (rejects are reported by index); the
    valid ones are written with one insert per table, one audit change each, their search
    tokens and a `company.created` event each, in one transaction. A file naming thousands of
    companies costs a few queries instead of a dozen per company.
    """
    if actor is not None:
        require(actor, Permission.EDIT)
    result = BulkCompanies(ids=[None] * len(rows))
    lookups = steps.Lookups()
    drafts: list[tuple[int, Draft]] = []
    seen: set[str] = set()
    for index, row in enumerate(rows):
        draft = standardise(row, actor=actor, instance=None, lookups=lookups, channel=str(channel))
        external_id = draft.fields.get("external_id", "")
        if external_id and external_id in seen:
            draft.error("external_id", "appears twice in this batch.")
        seen.add(external_id)
        if draft.errors:
            result.errors[index] = draft.errors
        else:
            drafts.append((index, draft))
    wanted = [d.fields["external_id"] for _, d in drafts if d.fields.get("external_id")]
    taken = set(
        Company.objects.filter(external_id__in=wanted)
        .exclude(external_id="")  # the unique index's condition: the index is searched
        .values_list("external_id", flat=True)
        if wanted
        else ()
    )
    for index, draft in drafts:
        if draft.fields.get("external_id") in taken:
            result.errors[index] = {"external_id": ["is already used by another company."]}
    drafts = [(i, d) for i, d in drafts if i not in result.errors]
    records = [draft_record(draft, None) for _, draft in drafts]
    verdicts = duplicates.check_many(
        records,
        [d.fields.get("name_key", "") for _, d in drafts],
        actor=actor,
        channel=str(channel),
    )
    kept = []
    for (index, draft), record, verdict in zip(drafts, records, verdicts, strict=True):
        if verdict.action == BLOCK and verdict.findings:
            result.errors[index] = {"__all__": verdict.messages}
        else:
            draft.warnings += verdict.messages
            kept.append((index, draft, record, verdict))
    drafts = [(index, draft) for index, draft, _, _ in kept]
    with transaction.atomic():
        ids = _insert_companies(drafts, actor=actor, channel=channel, sources=sources)
        insert_match_keys(replace(k[2], id=str(pk)) for pk, k in zip(ids, kept, strict=True))
        duplicates.saved_many(
            [(Company(pk=pk), k[3]) for pk, k in zip(ids, kept, strict=True)],
            actor=actor,
            channel=str(channel),
        )
    for pk, (index, draft) in zip(ids, drafts, strict=True):
        result.ids[index] = pk
        if draft.warnings:
            result.warnings[index] = draft.warnings
    return result


def _insert_companies(
    drafts: list[tuple[int, Draft]],
    *,
    actor: User | None,
    channel: Channel | str,
    sources: Sequence[dict[str, Any] | None] | None,
) -> list[int]:
    if not drafts:
        return []
    table = Table(Company)
    defaults = table.defaults()
    ids = insert_with_ids(
        table,
        [table.row({**d.fields, "raw_input": d.raw}, defaults)[1] for _, d in drafts],
    )
    for name, spec in CHILDREN.items():
        child = Table(spec.model)
        child_defaults = child.defaults()
        parent = f"{spec.parent_field}_id"
        insert(
            child.name,
            child.columns,
            [
                child.row({**row, parent: pk}, child_defaults)[1]
                for pk, (_, draft) in zip(ids, drafts, strict=True)
                for row in draft.children.get(name, ())
            ],
        )
    tagged = {
        pk: set_tags(Company(pk=pk), draft.tags)[1]
        for pk, (_, draft) in zip(ids, drafts, strict=True)
        if draft.tags
    }
    audits = []
    tokens: list[tuple[int, str]] = []
    for pk, (index, draft) in zip(ids, drafts, strict=True):
        changes = created_changes(draft, CHILDREN, tagged.get(pk))
        audits.append((pk, draft.fields["name"], changes, sources[index] if sources else None))
        events.emit(
            "company.created",
            id=pk,
            actor_id=getattr(actor, "pk", None),
            channel=str(channel),
            fields=sorted(changes),
        )
        phones = [r["national_number"] for r in draft.children.get("phones", ())]
        domains = [r["domain"] for r in draft.children.get("domains", ())]
        words = steps.search_tokens(
            [draft.fields["name"], *domains, draft.fields.get("external_id", ""), *phones]
        )
        tokens += [(pk, word) for word in words]
    record_changes_bulk(Company, audits, action=Action.CREATE, channel=channel, actor=actor)
    steps.insert_tokens(CompanySearchToken, "company", tokens)
    return ids
