"""The one door for contacts: every channel creates, changes and deletes people here.

1. standardise every field (raw input kept beside the standard form)
2. validate: a bad value is a field error, never a crash
3. duplicates: candidates by match keys; the channel's policy decides block or warn
4. persist in one transaction with an audit record naming the channel
5. emit contact.created / contact.updated, delivered after commit
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.models import User
from tidycrm.accounts.services import require
from tidycrm.audit.choices import Action, Channel
from tidycrm.audit.services import record_change
from tidycrm.companies.models import Company
from tidycrm.contacts import duplicates
from tidycrm.contacts.choices import LeadSource, LeadStatus, LifecycleStage
from tidycrm.contacts.models import (
    Affiliation,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactPhone,
    ContactSearchToken,
)
from tidycrm.contacts.selectors import REVERSED_PHONE_MARK
from tidycrm.core import events
from tidycrm.core.door import ChildSpec, Draft, SaveResult, check_version, instance_snapshot
from tidycrm.core.exceptions import Conflict, ValidationFailed
from tidycrm.customfields.choices import RecordType
from tidycrm.hygiene.collections import (
    standardise_addresses,
    standardise_emails,
    standardise_phones,
)
from tidycrm.hygiene.countries import standardise_country
from tidycrm.hygiene.fields import (
    choice_field,
    count_field,
    date_field,
    money_field,
    text_field,
    word_list,
)
from tidycrm.hygiene.names import display_name, sort_key
from tidycrm.hygiene.text import clean
from tidycrm.records import steps

TEXT_LIMITS = {
    "honorific": 32,
    "given_name": 120,
    "middle_name": 120,
    "family_name": 120,
    "suffix": 32,
    "job_title": 160,
    "department": 120,
    "industry": 120,
    "city": 120,
    "region": 120,
    "language": 16,
    "notes": 50_000,
    "external_id": 128,
}
CHOICES = {
    "lifecycle_stage": LifecycleStage.values,
    "lead_status": LeadStatus.values,
    "lead_source": LeadSource.values,
}
COUNTS = ("purchase_count", "support_contact_count", "site_visit_count", "email_click_count")
FIELDS = {
    *TEXT_LIMITS,
    *CHOICES,
    *COUNTS,
    "name",
    "country",
    "birthday",
    "interests",
    "social_profiles",
    "owner_id",
    "team_id",
    "total_spend",
    "custom_fields",
    "tags",
    "emails",
    "phones",
    "addresses",
    "companies",
}
NAME_PARTS = ("honorific", "given_name", "middle_name", "family_name", "suffix")
CHILDREN = {
    "emails": ChildSpec(
        ContactEmail,
        "contact",
        ("label", "raw", "address", "key", "is_primary"),
        ("label", "address"),
    ),
    "phones": ChildSpec(
        ContactPhone,
        "contact",
        ("label", "raw", "e164", "extension", "national_number", "is_primary"),
        ("label", "e164", "extension"),
    ),
    "addresses": ChildSpec(
        ContactAddress,
        "contact",
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
    "companies": ChildSpec(
        Affiliation,
        "contact",
        ("company_id", "job_title", "is_current", "is_primary"),
        ("company_id", "job_title", "is_current"),
    ),
}


def _names(data: Mapping[str, Any], instance: Contact | None, draft: Draft) -> None:
    """Split a full `name` when parts are not given; derive display name and sort key."""
    if data.get("name") and not any(data.get(p) for p in NAME_PARTS):
        from nameparser import HumanName

        full, problem = text_field(data["name"], 255)
        if problem:
            draft.error("name", problem)
        parsed = HumanName(full)
        draft.raw["name"] = full
        parts = {
            "honorific": parsed.title,
            "given_name": parsed.first,
            "middle_name": parsed.middle,
            "family_name": parsed.last,
            "suffix": parsed.suffix,
        }
        steps.text_fields(parts, {p: TEXT_LIMITS[p] for p in NAME_PARTS}, draft)
    current = {p: getattr(instance, p) if instance else "" for p in NAME_PARTS}
    merged = {p: draft.fields.get(p, current[p]) for p in NAME_PARTS}
    if instance is None or any(p in draft.fields for p in NAME_PARTS):
        draft.fields["display_name"] = display_name(
            merged["given_name"],
            merged["family_name"],
            honorific=merged["honorific"],
            suffix=merged["suffix"],
        )[:255]
        draft.fields["sort_key"] = sort_key(merged["given_name"], merged["family_name"])


def _descriptive(data: Mapping[str, Any], draft: Draft) -> None:
    for name, allowed in CHOICES.items():
        if name in data:
            value, problem = choice_field(data[name], allowed)
            if problem:
                draft.error(name, problem)
            elif value or name != "lifecycle_stage":
                draft.fields[name] = value
    if "country" in data:
        raw = clean(str(data["country"] or ""))
        draft.fields["country"] = ""
        if raw:
            country = standardise_country(raw)
            if country.value is None:
                draft.error("country", " ".join(country.problems))
            else:
                draft.fields["country"] = country.value
                if country.value != raw:
                    draft.raw["country"] = raw
    if "birthday" in data:
        birthday, problem = date_field(data["birthday"])
        if problem:
            draft.error("birthday", problem)
        draft.fields["birthday"] = birthday
    if "interests" in data:
        interests, problem = word_list(data["interests"])
        if problem:
            draft.error("interests", problem)
        draft.fields["interests"] = interests
    if "social_profiles" in data:
        _social_profiles(data["social_profiles"], draft)
    for name in COUNTS:
        if name in data:
            count, problem = count_field(data[name])
            if problem:
                draft.error(name, problem)
            draft.fields[name] = count
    if "total_spend" in data:
        amount, problem = money_field(data["total_spend"])
        if problem:
            draft.error("total_spend", problem)
        draft.fields["total_spend"] = amount


def _social_profiles(value: Any, draft: Draft) -> None:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    if not isinstance(value, list):
        draft.error("social_profiles", "must be a list of profile URLs.")
        return
    profiles: list[dict[str, str]] = []
    for i, item in enumerate(value):
        url = clean(str(item.get("url", "") if isinstance(item, Mapping) else item))
        network = clean(str(item.get("network", "")) if isinstance(item, Mapping) else "")[:32]
        if not url:
            continue
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            draft.error(f"social_profiles.{i}", f"'{url[:80]}' is not a web address (https://…).")
            continue
        if len(url) > 500:
            draft.error(f"social_profiles.{i}", "is longer than 500 characters.")
            continue
        host = url.split("//", 1)[-1].split("/", 1)[0].removeprefix("www.").lower()
        profiles.append({"network": network or host.split(".")[0], "url": url})
    draft.fields["social_profiles"] = profiles


def _affiliations(value: Any, actor: User | None, draft: Draft, lookups: steps.Lookups) -> None:
    if not isinstance(value, list):
        draft.error("companies", "must be a list of {company_id, job_title, is_current}.")
        return
    rows: list[dict[str, Any]] = []
    wanted: dict[int, int] = {}
    for i, item in enumerate(value):
        item = {"company_id": item} if isinstance(item, int | str) else item
        if not isinstance(item, Mapping):
            draft.error(f"companies.{i}", "must be an object with company_id.")
            continue
        try:
            company_id = int(item.get("company_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            draft.error(f"companies.{i}.company_id", "must be a company id.")
            continue
        title, problem = text_field(item.get("job_title"), 160)
        if problem:
            draft.error(f"companies.{i}.job_title", problem)
        if company_id in wanted:
            continue
        wanted[company_id] = i
        rows.append(
            {
                "company_id": company_id,
                "job_title": title,
                "is_current": bool(item.get("is_current", True)),
                "is_primary": bool(item.get("is_primary")),
            }
        )
    found = lookups.visible_ids(Company, actor, wanted)
    for company_id, i in wanted.items():
        if company_id not in found:
            draft.error(
                f"companies.{i}.company_id",
                f"company {company_id} does not exist or you cannot see it.",
            )
    current = [r for r in rows if r["is_current"]] or rows
    if current and not any(r["is_primary"] for r in rows):
        current[0]["is_primary"] = True
    draft.children["companies"] = rows


def default_region(country: str, actor: User | None) -> str:
    return country or (actor.default_region if actor else "") or settings.TIDYCRM_DEFAULT_REGION


def standardise(
    data: Mapping[str, Any],
    *,
    actor: User | None,
    instance: Contact | None = None,
    lookups: steps.Lookups | None = None,
) -> Draft:
    """Steps 1 and 2 of the door: the standard form of every field given, and its problems."""
    draft = Draft()
    lookups = lookups or steps.Lookups()
    creating = instance is None
    steps.unknown_fields(data, FIELDS, draft)
    steps.text_fields(data, TEXT_LIMITS, draft, multiline=("notes",))
    _names(data, instance, draft)
    _descriptive(data, draft)
    steps.ownership(data, actor, draft, creating=creating, lookups=lookups)
    current_custom = None if instance is None else instance.custom_fields
    steps.custom_fields(data, RecordType.CONTACT, current_custom, draft, lookups)
    steps.tag_names(data, draft)
    if "emails" in data:
        draft.children["emails"], errors = standardise_emails(data["emails"])
        draft.errors.update(errors)
    if "addresses" in data:
        draft.children["addresses"], errors = standardise_addresses(data["addresses"])
        draft.errors.update(errors)
    if "phones" in data:
        country = draft.fields.get("country", instance.country if instance else "")
        address_country = next(
            (a["country"] for a in draft.children.get("addresses", []) if a["country"]), ""
        )
        region = default_region(country or address_country, actor)
        draft.children["phones"], errors = standardise_phones(data["phones"], region)
        draft.errors.update(errors)
    if "companies" in data:
        _affiliations(data["companies"], actor, draft, lookups)
    if creating and not draft.fields.get("display_name") and not draft.children.get("emails"):
        draft.error("name", "a contact needs a name or an e-mail address.")
    if creating and not draft.fields.get("display_name") and draft.children.get("emails"):
        draft.fields["display_name"] = draft.children["emails"][0]["address"][:255]
        draft.fields["sort_key"] = sort_key("", "", draft.fields["display_name"])
    return draft


def contact_tokens(
    names: Sequence[str], emails: Sequence[str], phones: Sequence[tuple[str, str]]
) -> list[str]:
    """The tokens a contact is found by: names, e-mail parts, phone digits (national and E.164)
    and the national number reversed, so "the last four digits" is a prefix search too."""
    texts = list(names)
    for address in emails:
        local = address.partition("@")[0]
        texts += [
            address.replace("@", " ").replace(".", " "),
            address.replace(".", "").replace("@", ""),
            local,
        ]
    for national, e164 in phones:
        texts += [national, e164.lstrip("+")]
    reversed_digits = [REVERSED_PHONE_MARK + national[::-1] for national, _ in phones if national]
    return steps.search_tokens(texts) + reversed_digits


def _tokens(contact: Contact) -> list[str]:
    companies = list(contact.affiliations.values_list("company__name", flat=True))
    return contact_tokens(
        [
            contact.display_name,
            contact.given_name,
            contact.middle_name,
            contact.family_name,
            contact.external_id,
            *companies,
        ],
        list(contact.emails.values_list("address", flat=True)),
        list(contact.phones.values_list("national_number", "e164")),
    )


def refresh_search_tokens(contact: Contact) -> None:
    steps.refresh_tokens(ContactSearchToken, "contact", contact, _tokens(contact))


def save_contact(
    data: Mapping[str, Any],
    *,
    actor: User | None,
    channel: Channel | str,
    contact: Contact | None = None,
    source: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> SaveResult[Contact]:
    """Create (contact=None) or update a contact through every step of the door."""
    if actor is not None:
        require(actor, Permission.EDIT)
    draft = standardise(data, actor=actor, instance=contact)
    draft.raise_if_invalid()
    draft.warnings += duplicates.check(
        draft, actor=actor, channel=str(channel), exclude_id=getattr(contact, "pk", None)
    )
    with transaction.atomic():
        created = contact is None
        if contact is None:
            record = Contact()
        else:
            record = Contact.objects.select_for_update().get(pk=contact.pk)
            check_version(record, expected_version)
        try:
            with transaction.atomic():
                changes = steps.persist(
                    record,
                    draft,
                    CHILDREN,
                    created=created,
                    actor=actor,
                    channel=channel,
                    source=source,
                    event_prefix="contact",
                )
        except IntegrityError as exc:
            raise Conflict(
                "external_id: another contact already has this external id.",
                field_errors={"external_id": ["is already used by another contact."]},
            ) from exc
        if created or changes:
            refresh_search_tokens(record)
    return SaveResult(record=record, created=created, changes=changes, warnings=draft.warnings)


def delete_contact(contact: Contact, *, actor: User | None, channel: Channel | str) -> None:
    if actor is not None:
        require(actor, Permission.DELETE)
    with transaction.atomic():
        snapshot = instance_snapshot(
            contact,
            [
                "display_name",
                "given_name",
                "family_name",
                "owner_id",
                "external_id",
                "lifecycle_stage",
            ],
        )
        snapshot["emails"] = list(contact.emails.values_list("address", flat=True))
        snapshot["phones"] = list(contact.phones.values_list("e164", flat=True))
        changes = {name: {"before": value, "after": None} for name, value in snapshot.items()}
        record_change(contact, action=Action.DELETE, channel=channel, actor=actor, changes=changes)
        contact_id = contact.pk
        contact.delete()
        events.emit("contact.deleted", id=contact_id, actor_id=getattr(actor, "pk", None))


@dataclass
class BulkResult:
    created: list[Contact] = field(default_factory=list)
    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    warnings: dict[int, list[str]] = field(default_factory=dict)


def save_contacts_bulk(
    rows: Sequence[Mapping[str, Any]],
    *,
    actor: User | None,
    channel: Channel | str,
    sources: Sequence[dict[str, Any] | None] | None = None,
) -> BulkResult:
    """Create many contacts through the same steps, in one transaction per call.

    Each row is standardised and validated on its own; rejected rows are reported by index and
    the rest are written with set-based inserts.
    """
    if actor is not None:
        require(actor, Permission.EDIT)
    result = BulkResult()
    lookups = steps.Lookups()
    drafts: list[tuple[int, Draft]] = []
    seen_external: set[str] = set()
    lookups.visible_ids(Company, actor, _company_ids(rows))
    for index, data in enumerate(rows):
        draft = standardise(data, actor=actor, lookups=lookups)
        external_id = draft.fields.get("external_id", "")
        if external_id and external_id in seen_external:
            draft.error("external_id", "appears twice in this batch.")
        seen_external.add(external_id)
        if draft.errors:
            result.errors[index] = draft.errors
        else:
            drafts.append((index, draft))
    taken = set(
        Contact.objects.filter(
            external_id__in=[
                d.fields["external_id"] for _, d in drafts if d.fields.get("external_id")
            ]
        ).values_list("external_id", flat=True)
    )
    for index, draft in list(drafts):
        if draft.fields.get("external_id") in taken:
            result.errors[index] = {"external_id": ["is already used by another contact."]}
            drafts.remove((index, draft))
    with transaction.atomic():
        _bulk_insert(drafts, actor=actor, channel=channel, sources=sources, result=result)
    return result


def _bulk_insert(
    drafts: list[tuple[int, Draft]],
    *,
    actor: User | None,
    channel: Channel | str,
    sources: Sequence[dict[str, Any] | None] | None,
    result: BulkResult,
) -> None:
    from django.contrib.contenttypes.models import ContentType

    from tidycrm.audit.services import record_changes_bulk
    from tidycrm.tags.models import TaggedItem
    from tidycrm.tags.services import get_or_create_tags

    contacts = [Contact(**draft.fields, raw_input=draft.raw) for _, draft in drafts]
    Contact.objects.bulk_create(contacts, batch_size=500)
    children: dict[str, list[Any]] = {name: [] for name in CHILDREN}
    tagged: list[TaggedItem] = []
    content_type = ContentType.objects.get_for_model(Contact)
    tag_cache: dict[str, Any] = {}
    audits: list[dict[str, Any]] = []
    for contact, (index, draft) in zip(contacts, drafts, strict=True):
        for name, rows in draft.children.items():
            spec = CHILDREN[name]
            children[name] += [spec.model(**{spec.parent_field: contact}, **row) for row in rows]
        for tag_name in draft.tags or []:
            if tag_name not in tag_cache:
                tag_cache[tag_name] = get_or_create_tags([tag_name])[0]
            tagged.append(
                TaggedItem(tag=tag_cache[tag_name], content_type=content_type, object_id=contact.pk)
            )
        changes = {name: {"before": None, "after": value} for name, value in draft.fields.items()}
        for name, rows in draft.children.items():
            changes[name] = {
                "before": [],
                "after": [
                    str(r.get("address") or r.get("e164") or r.get("city") or r.get("company_id"))
                    for r in rows
                ],
            }
        if draft.tags:
            changes["tags"] = {"before": [], "after": sorted(draft.tags)}
        audits.append(
            {
                "obj": contact,
                "action": Action.CREATE,
                "channel": channel,
                "actor": actor,
                "changes": changes,
                "source": sources[index] if sources else None,
            }
        )
        result.created.append(contact)
        if draft.warnings:
            result.warnings[index] = draft.warnings
    for name, objs in children.items():
        CHILDREN[name].model._default_manager.bulk_create(objs, batch_size=1000)
    TaggedItem.objects.bulk_create(tagged, batch_size=1000, ignore_conflicts=True)
    record_changes_bulk(audits)
    _bulk_tokens(contacts, drafts)
    for contact in contacts:
        events.emit(
            "contact.created",
            id=contact.pk,
            actor_id=getattr(actor, "pk", None),
            channel=str(channel),
            fields=[],
        )


def _company_ids(rows: Sequence[Mapping[str, Any]]) -> set[int]:
    """Company ids named by the rows' affiliations (malformed ones are the door's to report)."""
    ids: set[int] = set()
    for row in rows:
        for item in row.get("companies") or []:
            value = item.get("company_id") if isinstance(item, Mapping) else item
            if isinstance(value, int) and not isinstance(value, bool):
                ids.add(value)
            elif isinstance(value, str) and value.isdigit():
                ids.add(int(value))
    return ids


def _bulk_tokens(contacts: list[Contact], drafts: list[tuple[int, Draft]]) -> None:
    company_ids = {row["company_id"] for _, d in drafts for row in d.children.get("companies", [])}
    company_names = dict(Company.objects.filter(pk__in=company_ids).values_list("pk", "name"))
    rows: list[tuple[int, str]] = []
    for contact, (_, draft) in zip(contacts, drafts, strict=True):
        names = [
            contact.display_name,
            contact.given_name,
            contact.middle_name,
            contact.family_name,
            contact.external_id,
            *(company_names.get(r["company_id"], "") for r in draft.children.get("companies", [])),
        ]
        words = contact_tokens(
            names,
            [row["address"] for row in draft.children.get("emails", [])],
            [(row["national_number"], row["e164"]) for row in draft.children.get("phones", [])],
        )
        rows += [(contact.pk, word) for word in words]
    steps.insert_tokens(ContactSearchToken, "contact", rows)


__all__ = [
    "BulkResult",
    "ValidationFailed",
    "delete_contact",
    "save_contact",
    "save_contacts_bulk",
    "standardise",
]
