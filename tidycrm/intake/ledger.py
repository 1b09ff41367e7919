"""What an import changes on an existing contact, the before-values to undo it, and the undo."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from tidycrm.audit.choices import Channel
from tidycrm.companies.models import Company
from tidycrm.contacts.models import Affiliation, Contact
from tidycrm.contacts.services import delete_contact, save_contact, standardise
from tidycrm.contacts.services.standardise import NAME_PARTS
from tidycrm.intake.choices import RecordAction
from tidycrm.intake.models import ImportRecord
from tidycrm.tags.selectors import tag_names_for

COLLECTIONS = ("emails", "phones", "addresses", "companies")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _emails(contact: Contact) -> list[dict[str, Any]]:
    return [
        {"address": e.address, "label": e.label, "is_primary": e.is_primary}
        for e in contact.emails.all()
    ]


def _phones(contact: Contact) -> list[dict[str, Any]]:
    out = []
    for p in contact.phones.all():
        number = p.e164 or p.raw
        if p.extension:
            number = f"{number} ext. {p.extension}"
        out.append({"number": number, "label": p.label, "is_primary": p.is_primary})
    return out


def _addresses(contact: Contact) -> list[dict[str, Any]]:
    parts = ("label", "street", "street2", "city", "region", "postal_code", "country")
    return [
        {**{k: getattr(a, k) for k in parts}, "is_primary": a.is_primary}
        for a in contact.addresses.all()
    ]


def _companies(contact: Contact) -> list[dict[str, Any]]:
    return [
        {
            "company_id": a.company_id,
            "job_title": a.job_title,
            "is_current": a.is_current,
            "is_primary": a.is_primary,
        }
        for a in contact.affiliations.all()
    ]


READERS = {"emails": _emails, "phones": _phones, "addresses": _addresses, "companies": _companies}


def merge_for_update(
    contact: Contact, data: Mapping[str, Any], company_id: int | None
) -> dict[str, Any]:
    """The door input that applies a row to an existing contact without losing what it has.

    Plain fields given replace the stored ones; e-mails, phones, companies and tags are added to
    the existing ones; an address given becomes the primary address.
    """
    out: dict[str, Any] = {k: v for k, v in data.items() if k not in (*COLLECTIONS, "tags")}
    if data.get("emails") is not None:
        have = _emails(contact)
        keys = {e["address"].casefold() for e in have}
        new = [e for e in data["emails"] if str(e.get("address", "")).casefold() not in keys]
        if new:
            out["emails"] = have + new
    if data.get("phones") is not None:
        have = _phones(contact)
        digits = {"".join(ch for ch in p["number"] if ch.isdigit())[-9:] for p in have}
        new = [
            p
            for p in data["phones"]
            if "".join(ch for ch in str(p.get("number", "")) if ch.isdigit())[-9:] not in digits
        ]
        if new:
            out["phones"] = have + new
    if data.get("addresses"):
        rest = [a for a in _addresses(contact) if not a["is_primary"]]
        out["addresses"] = [{**data["addresses"][0], "is_primary": True}, *rest]
    companies = list(data.get("companies") or [])
    if company_id:
        companies.append({"company_id": company_id, "job_title": data.get("job_title", "")})
    if companies:
        have = _companies(contact)
        linked = {c["company_id"] for c in have}
        new = [c for c in companies if c["company_id"] not in linked]
        if new:
            out["companies"] = have + new
    if data.get("tags"):
        current = tag_names_for([contact]).get(contact.pk, [])
        wanted = current + [t for t in data["tags"] if t not in current]
        if wanted != current:
            out["tags"] = wanted
    return out


def snapshot(contact: Contact, data: Mapping[str, Any]) -> dict[str, Any]:
    """The current values of everything `data` may change, in the door's input form."""
    before: dict[str, Any] = {}
    names = set(data)
    if "name" in names or names & set(NAME_PARTS):
        names.discard("name")
        names |= set(NAME_PARTS)
    for name in names:
        if name in READERS:
            before[name] = READERS[name](contact)
        elif name == "tags":
            before["tags"] = tag_names_for([contact]).get(contact.pk, [])
        elif name == "custom_fields":
            current = contact.custom_fields or {}
            before["custom_fields"] = {k: current.get(k) for k in data["custom_fields"]}
        elif name == "social_profiles":
            before[name] = contact.social_profiles
        elif hasattr(contact, name):
            before[name] = _plain(getattr(contact, name))
    return before


def revert_record(record: ImportRecord, *, actor: Any, source: dict[str, Any]) -> None:
    """Undo one write of an import through the door; already gone records are skipped."""
    from tidycrm.companies.services import delete_company, save_company

    if record.action == RecordAction.CREATE and record.contact_id:
        contact = Contact.objects.filter(pk=record.contact_id).first()
        if contact:
            delete_contact(contact, actor=actor, channel=Channel.IMPORT)
    elif record.action == RecordAction.UPDATE and record.contact_id:
        contact = Contact.objects.filter(pk=record.contact_id).first()
        if contact:
            save_contact(
                record.before, actor=actor, channel=Channel.IMPORT, contact=contact, source=source
            )
    elif record.action == RecordAction.UPDATE and record.company_id:
        company = Company.objects.filter(pk=record.company_id).first()
        if company:
            save_company(
                record.before, actor=actor, channel=Channel.IMPORT, company=company, source=source
            )
    elif record.action == RecordAction.COMPANY and record.company_id:
        company = Company.objects.filter(pk=record.company_id).first()
        if company and not Affiliation.objects.filter(company=company).exists():
            delete_company(company, actor=actor, channel=Channel.IMPORT)
    ImportRecord.objects.filter(pk=record.pk).update(reverted=True)


def email_key(raw: str) -> str:
    """The key the door stores for an e-mail address (what duplicates are matched on)."""
    draft = standardise({"emails": [raw]}, actor=None, channel=Channel.IMPORT)
    rows = draft.children.get("emails") or []
    return str(rows[0]["key"]) if rows else ""
