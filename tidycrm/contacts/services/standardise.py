"""Steps 1 and 2 of the door for contacts: the standard form of every field, and its problems."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import astuple
from typing import Any

from tidycrm.accounts.models import User
from tidycrm.companies.models import Company
from tidycrm.contacts.choices import LeadSource, LeadStatus, LifecycleStage
from tidycrm.contacts.models import (
    Affiliation,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactPhone,
)
from tidycrm.core.door import ChildSpec, Draft
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
from tidycrm.hygiene.names import NameParts, case_parts, display_name, sort_key, split_name
from tidycrm.hygiene.result import Issue
from tidycrm.hygiene.text import clean
from tidycrm.hygiene.urls import standardise_url
from tidycrm.records import steps
from tidycrm.records.policy import Checker

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
        ("label", "raw", "address", "key", "match_key", "is_primary"),
        ("label", "address"),
    ),
    "phones": ChildSpec(
        ContactPhone,
        "contact",
        ("label", "raw", "e164", "extension", "national_number", "number_type", "is_primary"),
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


def _names(
    data: Mapping[str, Any], instance: Contact | None, draft: Draft, checker: Checker
) -> None:
    """Split a full `name` when parts are not given; capitals for names typed all-lower or
    ALL-CAPS (as the policy says); derive display name and sort key."""
    if data.get("name") and not any(data.get(p) for p in NAME_PARTS):
        full, problem = text_field(data["name"], 255)
        if problem:
            draft.error("name", problem)
        split = split_name(full, case=False)
        draft.raw["name"] = full
        parts = {
            "honorific": split.honorific,
            "given_name": split.given,
            "middle_name": split.middle,
            "family_name": split.family,
            "suffix": split.suffix,
        }
        steps.text_fields(parts, {p: TEXT_LIMITS[p] for p in NAME_PARTS}, draft)
    current = {p: getattr(instance, p) if instance else "" for p in NAME_PARTS}
    merged = {p: draft.fields.get(p, current[p]) for p in NAME_PARTS}
    country = draft.fields.get("country") or (instance.country if instance else "")
    cased = case_parts(
        NameParts(
            merged["honorific"],
            merged["given_name"],
            merged["middle_name"],
            merged["family_name"],
            merged["suffix"],
        ),
        country=country,
    )
    for part, value in zip(NAME_PARTS, astuple(cased), strict=True):
        before = draft.fields.get(part)
        if before is not None and before != value:
            draft.fields[part] = value[: TEXT_LIMITS[part]]
            checker.one(
                Issue(
                    part,
                    "name",
                    f"'{before}' is written '{value}'.",
                    before=before,
                    after=value,
                    row=draft.fields,
                    part=part,
                )
            )
    merged = {p: draft.fields.get(p, current[p]) for p in NAME_PARTS}
    if instance is None or any(p in draft.fields for p in NAME_PARTS):
        draft.fields["display_name"] = display_name(
            merged["given_name"],
            merged["family_name"],
            honorific=merged["honorific"],
            suffix=merged["suffix"],
        )[:255]
        draft.fields["sort_key"] = sort_key(merged["given_name"], merged["family_name"])


def _country(data: Mapping[str, Any], draft: Draft, checker: Checker) -> None:
    raw = clean(str(data["country"] or ""))
    draft.fields["country"] = ""
    if not raw:
        return
    country = standardise_country(raw)
    if country.value is None:
        draft.raw["country"] = raw
        checker.one(Issue("country", "country", " ".join(country.problems)))
        return
    draft.fields["country"] = country.value
    if country.value != raw:
        draft.raw["country"] = raw


def _descriptive(data: Mapping[str, Any], draft: Draft, checker: Checker) -> None:
    for name, allowed in CHOICES.items():
        if name in data:
            value, problem = choice_field(data[name], allowed)
            if problem:
                draft.error(name, problem)
            elif value or name != "lifecycle_stage":
                draft.fields[name] = value
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
        _social_profiles(data["social_profiles"], draft, checker)
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


def _social_profiles(value: Any, draft: Draft, checker: Checker) -> None:
    if not isinstance(value, list):
        draft.error("social_profiles", "must be a list of profile URLs.")
        return
    profiles: list[dict[str, str]] = []
    seen: set[str] = set()
    for i, item in enumerate(value[:50]):
        url = clean(str(item.get("url", "") if isinstance(item, Mapping) else item))
        network = clean(str(item.get("network", "")) if isinstance(item, Mapping) else "")[:32]
        if not url:
            continue
        if len(url) > 500:
            draft.error(f"social_profiles.{i}", "is longer than 500 characters.")
            continue
        result = standardise_url(url)
        if result.value is None:
            checker.one(Issue(f"social_profiles.{i}", "url", f"'{url[:80]}' {result.problems[0]}"))
            profiles.append({"network": network.lower(), "url": url})
            continue
        if result.value in seen:
            continue
        seen.add(result.value)
        host = result.value.split("//", 1)[-1].split("/", 1)[0]
        detected = result.extras.get("network") or network.lower() or host.split(".")[0]
        profiles.append({"network": detected, "url": result.value})
    if len(value) > 50:
        draft.error("social_profiles", "takes at most 50 profiles.")
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


def standardise(
    data: Mapping[str, Any],
    *,
    actor: User | None,
    instance: Contact | None = None,
    lookups: steps.Lookups | None = None,
    channel: str = "api",
) -> Draft:
    """Steps 1 and 2 of the door: the standard form of every field given, and its problems,
    decided by the entry policy of `channel` (reject, flag or fix)."""
    draft = Draft()
    lookups = lookups or steps.Lookups()
    checker = Checker(lookups.policy("contact", str(channel)), draft)
    creating = instance is None
    steps.unknown_fields(data, FIELDS, draft)
    steps.text_fields(data, TEXT_LIMITS, draft, multiline=("notes",))
    if "country" in data:
        _country(data, draft, checker)
    _names(data, instance, draft, checker)
    _descriptive(data, draft, checker)
    steps.ownership(data, actor, draft, creating=creating, lookups=lookups)
    current_custom = None if instance is None else instance.custom_fields
    steps.custom_fields(data, RecordType.CONTACT, current_custom, draft, lookups)
    steps.tag_names(data, draft)
    if "emails" in data:
        draft.children["emails"], errors, issues = standardise_emails(data["emails"])
        draft.errors.update(errors)
        checker.apply(issues)
    if "addresses" in data:
        draft.children["addresses"], errors, issues = standardise_addresses(data["addresses"])
        draft.errors.update(errors)
        checker.apply(issues)
    if "phones" in data:
        country = draft.fields.get("country", instance.country if instance else "")
        address_country = next(
            (a["country"] for a in draft.children.get("addresses", []) if a["country"]), ""
        )
        region = steps.phone_region(country or address_country, actor)
        draft.children["phones"], errors, issues = standardise_phones(data["phones"], region)
        draft.errors.update(errors)
        checker.apply(issues)
    if "companies" in data:
        _affiliations(data["companies"], actor, draft, lookups)
    if creating and not draft.fields.get("display_name") and not draft.children.get("emails"):
        draft.error("name", "a contact needs a name or an e-mail address.")
    if creating and not draft.fields.get("display_name") and draft.children.get("emails"):
        draft.fields["display_name"] = draft.children["emails"][0]["address"][:255]
        draft.fields["sort_key"] = sort_key("", "", draft.fields["display_name"])
    checker.finish(None if instance is None else instance.data_flags, data, {"name": NAME_PARTS})
    return draft
