"""The standard columns of a contact or company file, and the row <-> record mapping.

Export writes these columns; the importer's automatic mapping reads the same names, and
`contact_row_data` turns a row back into the door's input, so a file exported and imported
again changes nothing (docs/decisions/0007-export-format.md lists the columns).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

CF_PREFIX = "cf:"
DEFAULT_LABEL = "work"
LIST_SEPARATOR = "; "

# Contact columns in file order; repeated groups (e-mails, phones, addresses) are numbered.
CONTACT_HEAD = (
    "id",
    "external_id",
    "honorific",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
)
CONTACT_TAIL = (
    "job_title",
    "department",
    "company",
    "city",
    "region",
    "country",
    "language",
    "lifecycle_stage",
    "lead_status",
    "lead_source",
    "tags",
    "birthday",
    "social_profiles",
    "notes",
)
ADDRESS_PARTS = ("street", "street2", "postal_code", "address_city", "address_region")
# Name parts in a file -> fields of the door.
NAME_COLUMNS = {
    "honorific": "honorific",
    "first_name": "given_name",
    "middle_name": "middle_name",
    "last_name": "family_name",
    "suffix": "suffix",
}
PLAIN_COLUMNS = (
    "external_id",
    "job_title",
    "department",
    "city",
    "region",
    "country",
    "language",
    "lifecycle_stage",
    "lead_status",
    "lead_source",
    "birthday",
    "notes",
)

COMPANY_COLUMNS = (
    "id",
    "external_id",
    "name",
    "domains",
    "website",
    "industry",
    "size",
    "employee_count",
    "phone",
    "phone_label",
    "phone_2",
    "phone_2_label",
    "street",
    "street2",
    "postal_code",
    "city",
    "region",
    "country",
    "address_label",
    "tags",
    "description",
)


def numbered(base: str, n: int) -> str:
    """email, email_2, email_3 …"""
    return base if n == 1 else f"{base}_{n}"


@dataclass(frozen=True)
class ContactLayout:
    """How many e-mail, phone and address groups a file has, and its custom field keys."""

    emails: int = 2
    phones: int = 2
    addresses: int = 1
    custom_keys: tuple[str, ...] = ()
    header: list[str] = field(init=False)

    def __post_init__(self) -> None:
        columns = list(CONTACT_HEAD)
        for n in range(1, self.emails + 1):
            columns += [numbered("email", n), numbered("email", n) + "_label"]
        for n in range(1, self.phones + 1):
            columns += [numbered("phone", n), numbered("phone", n) + "_label"]
        columns += list(CONTACT_TAIL)
        for n in range(1, self.addresses + 1):
            prefix = "" if n == 1 else f"address_{n}_"
            columns += [prefix + part for part in ADDRESS_PARTS]
            columns += [f"{prefix}address_country", f"{prefix}address_label"]
        columns += [CF_PREFIX + key for key in self.custom_keys]
        object.__setattr__(self, "header", columns)


def _label(value: str) -> str:
    return "" if value == DEFAULT_LABEL else value


def cell_value(value: Any) -> str:
    """A custom field or plain value as file text (lists joined, booleans as yes/no)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def contact_row(
    contact: Any,
    *,
    layout: ContactLayout,
    emails: Sequence[Any],
    phones: Sequence[Any],
    addresses: Sequence[Any],
    company: str,
    tags: Sequence[str],
) -> list[str]:
    """One contact as the cells of `layout.header` (children in their stored order)."""
    row: dict[str, str] = {
        "id": str(contact.pk),
        "external_id": contact.external_id,
        "honorific": contact.honorific,
        "first_name": contact.given_name,
        "middle_name": contact.middle_name,
        "last_name": contact.family_name,
        "suffix": contact.suffix,
        "job_title": contact.job_title,
        "department": contact.department,
        "company": company,
        "city": contact.city,
        "region": contact.region,
        "country": contact.country,
        "language": contact.language,
        "lifecycle_stage": contact.lifecycle_stage,
        "lead_status": contact.lead_status,
        "lead_source": contact.lead_source,
        "tags": ", ".join(tags),
        "birthday": cell_value(contact.birthday),
        "social_profiles": " ".join(p.get("url", "") for p in contact.social_profiles or []),
        "notes": contact.notes,
    }
    for n, email in enumerate(emails[: layout.emails], start=1):
        row[numbered("email", n)] = email.address
        row[numbered("email", n) + "_label"] = _label(email.label)
    for n, phone in enumerate(phones[: layout.phones], start=1):
        number = phone.e164 or phone.raw
        row[numbered("phone", n)] = (
            f"{number} ext. {phone.extension}" if phone.extension else number
        )
        row[numbered("phone", n) + "_label"] = _label(phone.label)
    for n, address in enumerate(addresses[: layout.addresses], start=1):
        prefix = "" if n == 1 else f"address_{n}_"
        row[prefix + "street"] = address.street
        row[prefix + "street2"] = address.street2
        row[prefix + "postal_code"] = address.postal_code
        row[prefix + "address_city"] = address.city
        row[prefix + "address_region"] = address.region
        row[prefix + "address_country"] = address.country
        row[prefix + "address_label"] = _label(address.label)
    custom = contact.custom_fields or {}
    for key in layout.custom_keys:
        row[CF_PREFIX + key] = cell_value(custom.get(key))
    return [row.get(name, "") for name in layout.header]


def phone_text(phone: Any) -> str:
    """A stored phone as file text: E.164 (or the raw input if it has none) and its extension."""
    number = phone.e164 or phone.raw
    return f"{number} ext. {phone.extension}" if phone.extension else number


def _get(row: Mapping[str, Any], name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value).strip()


def _groups(row: Mapping[str, Any], base: str) -> Iterable[int]:
    n = 1
    while numbered(base, n) in row or (n == 1 and base in row):
        yield n
        n += 1


def contact_row_data(row: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """A row with standard column names -> (the door's input, the company name or "").

    Only the columns present are sent, so a file with fewer columns changes fewer fields. The
    caller turns the company name into an affiliation (it may need to find or create it).
    Cells are expected to be unescaped already (spreadsheet.unescape_cell).
    """
    data: dict[str, Any] = {}
    # Name parts are sent only when one is given: a contact known by its e-mail address alone
    # keeps that as its display name.
    if any(_get(row, column) for column in NAME_COLUMNS):
        for column, name in NAME_COLUMNS.items():
            if column in row:
                data[name] = _get(row, column)
    if "name" in row and not any(c in row for c in NAME_COLUMNS):
        data["name"] = _get(row, "name")
    for column in PLAIN_COLUMNS:
        if column in row:
            data[column] = _get(row, column) or (None if column == "birthday" else "")
    if "tags" in row:
        data["tags"] = [t.strip() for t in _get(row, "tags").split(",") if t.strip()]
    if "social_profiles" in row:
        data["social_profiles"] = _get(row, "social_profiles").split()
    emails = [
        {
            "address": _get(row, numbered("email", n)),
            "label": _get(row, numbered("email", n) + "_label") or DEFAULT_LABEL,
        }
        for n in _groups(row, "email")
        if _get(row, numbered("email", n))
    ]
    if any(k.startswith("email") for k in row):
        data["emails"] = emails
    phones = [
        {
            "number": _get(row, numbered("phone", n)),
            "label": _get(row, numbered("phone", n) + "_label") or DEFAULT_LABEL,
        }
        for n in _groups(row, "phone")
        if _get(row, numbered("phone", n))
    ]
    if _get(row, "mobile"):
        phones.append({"number": _get(row, "mobile"), "label": "mobile"})
    if any(k.startswith("phone") or k == "mobile" for k in row):
        data["phones"] = phones
    addresses = []
    has_address_columns = False
    for n in range(1, 100):
        prefix = "" if n == 1 else f"address_{n}_"
        if not any(prefix + part in row for part in (*ADDRESS_PARTS, "address_country")):
            break
        has_address_columns = True
        address = {
            "street": _get(row, prefix + "street"),
            "street2": _get(row, prefix + "street2"),
            "postal_code": _get(row, prefix + "postal_code"),
            "city": _get(row, prefix + "address_city"),
            "region": _get(row, prefix + "address_region"),
            "country": _get(row, prefix + "address_country"),
            "label": _get(row, prefix + "address_label") or DEFAULT_LABEL,
        }
        if any(v for k, v in address.items() if k != "label"):
            addresses.append(address)
    if has_address_columns:
        data["addresses"] = addresses
    custom = {
        key[len(CF_PREFIX) :]: (_get(row, key) or None) for key in row if key.startswith(CF_PREFIX)
    }
    if custom:
        data["custom_fields"] = custom
    return data, _get(row, "company")


def company_header(custom_keys: Sequence[str]) -> list[str]:
    return [*COMPANY_COLUMNS, *(CF_PREFIX + key for key in custom_keys)]


def company_row(
    company: Any,
    *,
    custom_keys: Sequence[str],
    domains: Sequence[str],
    phones: Sequence[Any],
    addresses: Sequence[Any],
    tags: Sequence[str],
) -> list[str]:
    row: dict[str, str] = {
        "id": str(company.pk),
        "external_id": company.external_id,
        "name": company.name,
        "domains": " ".join(domains),
        "website": company.website,
        "industry": company.industry,
        "size": company.size,
        "employee_count": cell_value(company.employee_count),
        "tags": ", ".join(tags),
        "description": company.description,
    }
    for n, phone in enumerate(phones[:2], start=1):
        number = phone.e164 or phone.raw
        row[numbered("phone", n)] = (
            f"{number} ext. {phone.extension}" if phone.extension else number
        )
        row[numbered("phone", n) + "_label"] = _label(phone.label)
    if addresses:
        address = addresses[0]
        row.update(
            street=address.street,
            street2=address.street2,
            postal_code=address.postal_code,
            city=address.city,
            region=address.region,
            country=address.country,
            address_label=_label(address.label),
        )
    custom = company.custom_fields or {}
    for key in custom_keys:
        row[CF_PREFIX + key] = cell_value(custom.get(key))
    return [row.get(name, "") for name in company_header(custom_keys)]
